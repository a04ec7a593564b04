"""The quick reads (`store.lean`, through the database driver alone) answer exactly what the usual reads
(`store.reads`, through SQLAlchemy) answer, on SQLite and on PostgreSQL: accounts with their queue counts,
spend and login, feeds, queue entries with what explains them, counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from sqlalchemy import update

from botwarden import config as config_module
from botwarden.run.loop import Runtime
from botwarden.store import lean
from botwarden.store.credentials import CredentialStore
from botwarden.store.models import VerdictRow
from botwarden.store.reads import SessionReads
from botwarden.store.review import approve
from tests.conftest import rss

T0 = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)


def _world(tmp_path: Path, database_url: str) -> Runtime:
    feed = tmp_path / "feed.xml"
    titles = [
        "Harbour festival opens on Friday",
        "Lost dog found at the pier, call +1 202-555-0143",  # held: a phone number (BW801)
        "Harbour festival opens on Friday",  # the same text again: denied (BW101)
        "New ferry timetable for the winter",
        "Quay road closed for resurfacing",
    ]
    items = [
        {
            "guid": f"g{n}",
            "title": t,
            "link": f"https://e.org/{n}",
            "pubDate": format_datetime(T0 - timedelta(minutes=n)),
        }
        for n, t in enumerate(titles)
    ]
    feed.write_bytes(rss(*items))
    raw = {
        "settings": {
            "database_url": database_url,
            "resolve_links": False,
            "jitter_seconds": 0,
            "min_interval_minutes": 20,
            "secret_key_file": str(tmp_path / "key"),
            "inbound_interval_minutes": 0,
        },
        "accounts": [
            {"id": "harbour", "network": "local", "operator": "h"},
            {"id": "outside", "network": "mastodon", "server": "https://m.example", "operator": "h"},
        ],
        "feeds": [{"id": "news", "url": str(feed)}],
        "routes": [{"feed": "news", "account": "harbour", "first_run": "all", "template": "{title} {link}"}],
    }
    config = config_module.from_mapping(raw, label="bw.toml", env={})
    runtime = Runtime(config, env={})
    CredentialStore.open(runtime.sessions, config.settings, {}).update("outside", {"access_token": "t"})
    for minutes in range(0, 150, 25):
        runtime.run_pass(T0 + timedelta(minutes=minutes))
    with runtime.sessions.begin() as session:
        held = session.query(VerdictRow).filter(VerdictRow.decision == "hold").first()
        assert held is not None
        approve(session, held.queue_id, "desk", T0 + timedelta(minutes=55))
        # A verdict stored before verdicts kept their reason is explained all the same.
        session.execute(update(VerdictRow).where(VerdictRow.decision == "deny").values(reason=None))
    return runtime


@pytest.fixture
def stores(tmp_path: Path, database_url: str):  # type: ignore[no-untyped-def]
    runtime = _world(tmp_path, database_url)
    with lean.connect(database_url) as quick, runtime.sessions() as session:
        assert quick is not None, "a migrated store is read the quick way"
        yield quick, SessionReads(session)
    runtime.close()


def test_accounts_and_feeds_agree(stores) -> None:  # type: ignore[no-untyped-def]
    quick, usual = stores
    now = T0 + timedelta(hours=2)
    assert quick.account_summaries(now) == usual.account_summaries(now)
    summaries = {s.id: s for s in quick.account_summaries(now)}
    assert summaries["outside"].has_login and not summaries["harbour"].has_login
    assert summaries["harbour"].queue.get("sent") and summaries["harbour"].queue.get("denied") == 1
    assert quick.feed_views() == usual.feed_views()
    assert quick.account_ids() == usual.account_ids() == ["harbour", "outside"]


@pytest.mark.parametrize(
    "wanted",
    [
        {},
        {"newest_first": True, "limit": 2},
        {"states": ["sent"]},
        {"states": ["pending", "ready"], "delayed": True},
        {"account": "harbour", "states": ["denied", "held", "ready"]},
        {"account": "nobody"},
    ],
)
def test_queue_entries_and_counts_agree(stores, wanted) -> None:  # type: ignore[no-untyped-def]
    quick, usual = stores
    entries = quick.entry_reports(**wanted)
    assert entries == usual.entry_reports(**wanted)
    counted = {k: v for k, v in wanted.items() if k in ("account", "states", "delayed")}
    assert quick.count_entries(**counted) == usual.count_entries(**counted)
    if not wanted:
        outcomes = {e.outcome for e in entries}
        assert {"posted", "denied"} <= outcomes
        [denied] = [e for e in entries if e.outcome == "denied"]
        assert denied.codes == ("BW101",) and "same text" in denied.reason  # worked out: no stored reason


def test_a_store_that_is_not_ready_is_read_the_usual_way(tmp_path: Path) -> None:
    with lean.connect(f"sqlite:///{tmp_path / 'none-yet.db'}") as quick:
        assert quick is None  # no file: the usual way creates and migrates it
    assert not (tmp_path / "none-yet.db").exists()
    (tmp_path / "old.db").write_bytes(b"")
    with lean.connect(f"sqlite:///{tmp_path / 'old.db'}") as quick:
        assert quick is None  # no schema: the usual way migrates it
    with lean.connect(f"sqlite:///{tmp_path / 'x.db'}?timeout=5") as quick:
        assert quick is None
