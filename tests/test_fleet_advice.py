"""Fleet-level advice through the real worker (SQLite store, loopback feed server, the local network): the
account whose feed published a story first keeps it, and a queue that would drain too slowly is reported
(BW910) on its entries' verdicts and by ``status``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from typer.testing import CliRunner

from botwarden import config as config_module
from botwarden.cli.main import app
from botwarden.run.loop import Runtime
from botwarden.store import lean
from botwarden.store.models import LocalPostRow, QueueRow, VerdictRow
from botwarden.store.reads import SessionReads
from tests.conftest import rss

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def _item(guid: str, title: str, published: datetime, site: str) -> dict[str, str]:
    return {
        "guid": guid,
        "title": title,
        "link": f"https://{site}.example/{guid}",
        "pubDate": format_datetime(published),
    }


def _desk(tmp_path: Path, base_url: str, **settings: Any) -> config_module.Config:
    """Two accounts of one operator on one network, each with its own news feed; metro's route keeps
    quiet until 08:30, so its entries are checked after city's."""
    raw = {
        "settings": {
            "database_url": f"sqlite:///{tmp_path / 'bw.db'}",
            "allow_hosts": ["127.0.0.1"],
            "jitter_seconds": 0,
            "min_interval_minutes": 0,
            "resolve_links": False,
            **settings,
        },
        "accounts": [
            {"id": "metro", "network": "local", "operator": "desk"},
            {"id": "city", "network": "local", "operator": "desk"},
        ],
        "feeds": [
            {"id": "metro-feed", "url": f"{base_url}/metro.rss", "interval_minutes": 5},
            {"id": "city-feed", "url": f"{base_url}/city.rss", "interval_minutes": 5},
        ],
        "routes": [
            {
                "feed": "metro-feed",
                "account": "metro",
                "first_run": "all",
                "template": "{title} {link}",
                "pacing": {"quiet_hours": "07:00-08:30"},
            },
            {"feed": "city-feed", "account": "city", "first_run": "all", "template": "{title} {link}"},
        ],
    }
    return config_module.from_mapping(raw, label="test.toml", env={})


def _posted(runtime: Runtime) -> dict[str, list[str]]:
    with runtime.sessions() as session:
        rows = session.execute(select(LocalPostRow.account_id, LocalPostRow.text).order_by(LocalPostRow.id))
        found: dict[str, list[str]] = {}
        for account, text in rows:
            found.setdefault(account, []).append(text)
        return found


def _findings(runtime: Runtime, account: str, code: str) -> list[dict[str, Any]]:
    with runtime.sessions() as session:
        rows = session.execute(
            select(VerdictRow.findings)
            .join(QueueRow, QueueRow.id == VerdictRow.queue_id)
            .where(QueueRow.account_id == account)
            .order_by(VerdictRow.id)
        )
        return [f for (findings,) in rows for f in findings if f["code"] == code]


def test_the_account_whose_feed_had_the_story_first_keeps_it(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    docs, server = site
    swift_first, swift_later = T0 - timedelta(minutes=40), T0 - timedelta(minutes=10)
    bridge_first, bridge_later = T0 - timedelta(minutes=50), T0 - timedelta(minutes=20)
    docs.put(
        "/metro.rss",
        rss(
            _item("swift", "Austria files terror charges in alleged Taylor Swift concert plot", swift_first,
                  "metro"),
            _item("bridge", "Harbour bridge closes for repairs until the end of March", bridge_later,
                  "metro"),
        ),
    )  # fmt: skip
    docs.put(
        "/city.rss",
        rss(
            _item("swift", "Terrorism charges filed against suspect over plot to attack Taylor Swift show",
                  swift_later, "city"),
            _item("bridge", "Harbour bridge to close for repairs through March", bridge_first, "city"),
        ),
    )  # fmt: skip
    runtime = Runtime(_desk(tmp_path, server.base_url))
    try:
        # 08:00: metro is inside its quiet hours, so city's copies are checked (and could go) first.
        runtime.run_pass(T0)
        assert _posted(runtime) == {
            "city": ["Harbour bridge to close for repairs through March https://city.example/bridge"]
        }
        [held] = _findings(runtime, "city", "BW103")
        assert held["severity"] == "hold"
        assert held["evidence"]["first_account"] == "metro"
        assert held["evidence"]["first_published"] == swift_first.isoformat()
        assert "had the story first" in held["message"] and "08:00" not in held["message"]
        # 08:35: metro's quiet hours are over; the Swift story is metro's to post, the bridge was city's.
        runtime.run_pass(T0 + timedelta(minutes=35))
        posted = _posted(runtime)
        assert posted["metro"] == [
            "Austria files terror charges in alleged Taylor Swift concert plot https://metro.example/swift"
        ]
        assert len(posted["city"]) == 1
        with runtime.sessions() as session:
            states = dict(session.execute(select(QueueRow.account_id, QueueRow.state).where(
                QueueRow.state == "held")).all())  # fmt: skip
        assert states == {"city": "held", "metro": "held"}
        metro_held = _findings(runtime, "metro", "BW103")
        assert metro_held and metro_held[-1]["evidence"]["other_account"] == "city"  # the bridge: posted
    finally:
        runtime.close()


def test_a_queue_that_drains_too_slowly_is_reported(
    site, make_config: Callable[..., config_module.Config]
) -> None:  # type: ignore[no-untyped-def]
    docs, server = site
    items = [_item(f"g{n}", f"Ferry notice number {n} for the lake routes", T0 - timedelta(minutes=n), "e")
             for n in range(8)]  # fmt: skip
    docs.put("/feed.rss", rss(*items))
    config = make_config(
        server.base_url,
        routes=[{"feed": "feed", "account": "acct", "first_run": "all", "template": "{title} {link}"}],
        daily_cap=3,
        backlog_warn_hours=6,
    )
    runtime = Runtime(config)
    try:
        runtime.run_pass(T0)
        [first, *_] = _findings(runtime, "acct", "BW910")
        evidence = first["evidence"]
        assert evidence["waiting"] == 8
        # Three a day: the 8th post goes out two days after the first three, at the third day's start.
        assert evidence["drains_at"] == (T0 + timedelta(hours=48)).isoformat()
        assert "raise the daily cap" in first["message"]
        # status and the dashboard read it back, the quick way and the usual way alike.
        url = config.settings["database_url"]
        with lean.connect(url) as quick, runtime.sessions() as session:
            assert quick is not None
            [backlog] = quick.backlogs()
            assert [backlog] == SessionReads(session).backlogs()
        assert backlog.account == "acct" and backlog.waiting == 5  # the three sent no longer wait
        assert backlog.drains_at == T0 + timedelta(hours=48)
        result = CliRunner().invoke(app, ["status", "--database", url], env={"COLUMNS": "300"})
        assert result.exit_code == 0, result.output
        assert "acct: 5 posts wait" in result.output and "2026-05-03 08:00 UTC" in result.output
    finally:
        runtime.close()


def test_a_queue_within_its_pace_is_not_reported(
    site, make_config: Callable[..., config_module.Config]
) -> None:  # type: ignore[no-untyped-def]
    docs, server = site
    items = [_item(f"g{n}", f"Ferry notice number {n} for the lake routes", T0 - timedelta(minutes=n), "e")
             for n in range(8)]  # fmt: skip
    docs.put("/feed.rss", rss(*items))
    config = make_config(
        server.base_url,
        routes=[{"feed": "feed", "account": "acct", "first_run": "all", "template": "{title} {link}"}],
        daily_cap=48,
        backlog_warn_hours=6,
    )
    runtime = Runtime(config)
    try:
        runtime.run_pass(T0)
        assert _findings(runtime, "acct", "BW910") == []
        with runtime.sessions() as session:
            assert SessionReads(session).backlogs() == []
    finally:
        runtime.close()
