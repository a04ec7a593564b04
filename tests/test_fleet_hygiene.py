"""Fleet hygiene: a removed route's waiting entries are cancelled with a note (they hold no account's
place); an account without a stored login stops only its own routes and `status` says so; nonsensical
settings are refused with a clear message, and a daily cap of 0 means the account posts nothing."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from botwarden import config as config_module
from botwarden.cli.main import app
from botwarden.errors import ConfigError
from botwarden.networks.build import credential_store
from botwarden.run.loop import Runtime
from botwarden.store import reads
from botwarden.store.models import EventRow, QueueRow

from .conftest import rss

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def _feed(path: Path, prefix: str, count: int) -> str:
    path.write_bytes(
        rss(
            *[
                {
                    "guid": f"{prefix}-{n}",
                    "title": f"{prefix} story number {n} about the harbour",
                    "link": f"https://{prefix}.example/{n}",
                    "pubDate": format_datetime(T0 - timedelta(minutes=n)),
                }
                for n in range(count)
            ]
        )
    )
    return str(path)


def _raw(tmp_path: Path, **settings: Any) -> dict[str, Any]:
    return {
        "settings": {
            "database_url": f"sqlite:///{tmp_path / 'bw.db'}",
            "secret_key_file": str(tmp_path / "secret.key"),
            "resolve_links": False,
            "jitter_seconds": 0,
            "min_interval_minutes": 30,
            **settings,
        },
        "accounts": [
            {"id": "town", "network": "local", "operator": "o"},
            {"id": "coast", "network": "local", "operator": "another"},
            {"id": "harbour-x", "network": "x", "operator": "o"},
        ],
        "feeds": [
            {"id": "news", "url": _feed(tmp_path / "news.xml", "news", 4)},
            {"id": "tides", "url": _feed(tmp_path / "tides.xml", "tides", 3)},
        ],
        "routes": [
            {"feed": "news", "account": "town", "first_run": "all"},
            {"feed": "news", "account": "coast", "first_run": "all"},
            {"feed": "tides", "account": "harbour-x", "first_run": "all"},
        ],
    }


def _states(runtime: Runtime, route: str) -> list[str]:
    with runtime.sessions() as session:
        return [
            row.state
            for row in session.query(QueueRow).filter(QueueRow.route_id == route).order_by(QueueRow.id)
        ]


def test_an_account_without_a_login_stops_only_its_own_routes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = config_module.from_mapping(_raw(tmp_path), label="bw.toml", env={})
    runtime = Runtime(config, env={})
    with caplog.at_level(logging.INFO, logger="botwarden"):
        report = runtime.run_pass(T0)
        runtime.run_pass(T0 + timedelta(minutes=1))
    assert report.publish.posted == 2  # town and coast each posted, paced by their interval
    assert _states(runtime, "tides->harbour-x") == []  # its feed was not even fetched
    warnings = [r for r in caplog.records if "no login stored" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING  # said once, not every pass
    assert "botwarden accounts login harbour-x" in warnings[0].getMessage()
    # `status` shows which account waits, and why.
    (tmp_path / "bw.toml").write_text(f'[settings]\ndatabase_url = "sqlite:///{tmp_path / "bw.db"}"\n'
                                      '[[accounts]]\nid = "harbour-x"\nnetwork = "x"\n')  # fmt: skip
    result = CliRunner().invoke(app, ["status", "-c", str(tmp_path / "bw.toml")], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    [line] = [line for line in result.output.splitlines() if line.startswith("│ harbour-x")]
    assert "no login" in line
    assert "harbour-x: no login stored, so its routes wait" in " ".join(result.output.split())
    [town] = [line for line in result.output.splitlines() if line.startswith("│ town")]
    assert " ok " in town
    # Once a login is stored, the next pass takes its routes up again.
    credential_store(config, runtime.sessions, env={}).update(
        "harbour-x",
        {"consumer_key": "k", "consumer_secret": "s", "access_token": "t", "access_token_secret": "u"},
    )
    assert runtime.check_logins() == frozenset()
    runtime.ingestor.run(T0 + timedelta(minutes=2))
    assert _states(runtime, "tides->harbour-x") == ["pending"] * 3
    runtime.close()


def test_a_removed_route_has_its_waiting_entries_cancelled_with_a_note(tmp_path: Path) -> None:
    raw = _raw(tmp_path)
    raw["accounts"] = raw["accounts"][:2]
    raw["routes"] = raw["routes"][:2]
    runtime = Runtime(config_module.from_mapping(raw, label="bw.toml", env={}), env={})
    runtime.run_pass(T0)
    assert _states(runtime, "news->coast").count("sent") == 1
    assert _states(runtime, "news->coast").count("ready") == 3  # waiting for the interval
    runtime.close()
    raw["routes"] = raw["routes"][:1]  # the coast route is taken out of the file
    runtime = Runtime(config_module.from_mapping(raw, label="bw.toml", env={}), env={})
    assert sorted(_states(runtime, "news->coast")) == ["cancelled"] * 3 + ["sent"]
    with runtime.sessions() as session:
        [entry] = reads.entry_reports(session, account="coast", states=["cancelled"], limit=1)
        assert entry.outcome == "cancelled"
        assert "route news->coast is no longer in bw.toml" in entry.reason
        [event] = session.query(EventRow).filter(EventRow.kind == "route_removed").all()
        assert "3 waiting entries cancelled" in event.message
    # Starting again says nothing more: there is nothing left to cancel.
    runtime.close()
    runtime = Runtime(config_module.from_mapping(raw, label="bw.toml", env={}), env={})
    with runtime.sessions() as session:
        assert session.query(EventRow).filter(EventRow.kind == "route_removed").count() == 1
    runtime.close()


@pytest.mark.parametrize(
    ("setting", "value", "wanted"),
    [
        ("burst_max", 0, "at least 1"),
        ("daily_cap", -5, "at least 0"),
        ("min_interval_minutes", -1, "at least 0"),
        ("near_duplicate_threshold", 1.5, "between 0 and 1"),
        ("fetch_concurrency", 0, "at least 1"),
        ("max_attempts", 0, "at least 1"),
        ("fetch_timeout_seconds", 0, "at least 0.1"),
    ],
)
def test_nonsensical_settings_are_refused(tmp_path: Path, setting: str, value: Any, wanted: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config_module.from_mapping(_raw(tmp_path, **{setting: value}), label="bw.toml", env={})
    assert f"setting '{setting}' must be {wanted}" in str(caught.value)
    # The same through the environment and --set.
    with pytest.raises(ConfigError, match=f"BOTWARDEN_{setting.upper()}"):
        config_module.from_mapping(
            _raw(tmp_path), label="bw.toml", env={f"BOTWARDEN_{setting.upper()}": str(value)}
        )
    with pytest.raises(ConfigError, match=f"--set {setting}"):
        config_module.from_mapping(_raw(tmp_path), label="bw.toml", env={}, overrides={setting: str(value)})


@pytest.mark.parametrize(
    ("where", "route_pacing"),
    [("route", {"burst_max": 0}), ("route", {"daily_cap": -5})],
)
def test_nonsensical_route_pacing_is_refused(
    tmp_path: Path, where: str, route_pacing: dict[str, int]
) -> None:
    raw = _raw(tmp_path)
    raw["routes"][0]["pacing"] = route_pacing
    with pytest.raises(ConfigError) as caught:
        config_module.from_mapping(raw, label="bw.toml", env={})
    assert "routes[0].pacing" in str(caught.value)


def test_a_daily_cap_of_zero_means_the_account_posts_nothing(tmp_path: Path) -> None:
    raw = _raw(tmp_path)
    raw["accounts"] = raw["accounts"][:2]
    raw["routes"] = raw["routes"][:2]
    raw["accounts"][0]["daily_cap"] = 0
    runtime = Runtime(config_module.from_mapping(raw, label="bw.toml", env={}), env={})
    runtime.run_pass(T0)
    assert "sent" not in _states(runtime, "news->town")
    assert _states(runtime, "news->coast").count("sent") == 1  # the other account is not capped
    with runtime.sessions() as session:
        [entry, *_] = reads.entry_reports(session, account="town", limit=1)
    assert entry.codes == ("BW902",) and "daily cap is 0" in entry.reason
    runtime.close()
