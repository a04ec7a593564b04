"""Every limit is data with its source and date: the files, the operator's overrides, the pacing defaults
drawn from them, and `botwarden limits`."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from botwarden import config as config_module
from botwarden.checking import Pacing
from botwarden.errors import ConfigError
from botwarden.limits import USES, builtin_limits, read_file
from botwarden.pacing import app_windows, daily_caps, media_windows, post_windows
from botwarden.rules import AccountInfo
from botwarden.text import BLUESKY_MAX_BYTES, measure

ENTRY = """
network = "x"
[post_create_per_user]
summary = "posts per user"
value = 100
window = "15m"
use = "post-window"
source = "https://docs.x.com/x-api/fundamentals/rate-limits"
read = 2026-12-03
"""


def test_every_shipped_entry_names_its_source_and_the_day_it_was_read() -> None:
    table = builtin_limits()
    assert {"x", "mastodon", "bluesky", "local"} <= set(table.networks())
    for entry in table:
        assert entry.source.startswith(("https://", "botwarden")), entry.name
        assert isinstance(entry.read, date) and entry.read <= date.today(), entry.name
        assert entry.summary and entry.use in USES, entry.name
    # Only botwarden's own network may cite botwarden itself.
    assert {e.network for e in table if not e.source.startswith("https://")} == {"local"}


@pytest.mark.parametrize(
    ("drop", "complaint"),
    [
        ("source", "missing source"),
        ("read", "missing read"),
        ("summary", "missing summary"),
        ("value", "missing value"),
    ],
)
def test_an_entry_without_its_source_or_date_is_refused(drop: str, complaint: str) -> None:
    text = "\n".join(line for line in ENTRY.splitlines() if not line.startswith(drop + " "))
    with pytest.raises(ConfigError, match=complaint) as caught:
        read_file(text, "x.toml")
    assert "x.toml: [post_create_per_user]" in str(caught.value)


@pytest.mark.parametrize(
    ("line", "complaint"),
    [
        ('read = "2026-12-03"', "must be a date"),
        ('source = "the X docs"', "https:// page"),
        ('window = "fortnight"', "window"),
        ('use = "decoration"', "use must be one of"),
        ('shout = "hi"', "unknown field"),
    ],
)
def test_an_entry_that_does_not_fit_is_refused(line: str, complaint: str) -> None:
    key = line.split(" ")[0]
    kept = [existing for existing in ENTRY.splitlines() if not existing.startswith(key + " ")]
    with pytest.raises(ConfigError, match=complaint):
        read_file("\n".join([*kept, line]), "x.toml")


def test_the_operator_overrides_a_limit_and_it_says_so(tmp_path: Path) -> None:
    cfg = _config(tmp_path, limits={"x": {"post_create_per_user": 80}, "mastodon": {"statuses_per_3h": 100}})
    entry = cfg.limits["x", "post_create_per_user"]
    assert entry.value == 80 and entry.overridden_by.endswith("[limits]")
    assert entry.source == builtin_limits()["x", "post_create_per_user"].source  # the source stays
    assert [w.requests for w in post_windows(cfg.limits, "x")] == [80]
    assert [w.requests for w in post_windows(cfg.limits, "mastodon")] == [100]
    assert builtin_limits()["x", "post_create_per_user"].value == 100  # the shipped table is untouched


@pytest.mark.parametrize(
    ("limits", "complaint"),
    [
        ({"x": {"post_create_per_hour": 5}}, "no such limit .*post_create_per_user"),
        ({"myspace": {"posts": 5}}, "no network 'myspace'"),
        ({"x": {"post_create_per_user": "lots"}}, "whole number"),
        ({"x": {"post_create_per_user": -1}}, "whole number"),
        ({"x": {"replies_when_summoned": 1}}, "true or false"),
        ({"x": {"actions_not_offered": "like"}}, "list of strings"),
        ({"x": 5}, "must be a table"),
    ],
)
def test_an_override_that_does_not_fit_names_what_to_fix(
    tmp_path: Path, limits: dict[str, object], complaint: str
) -> None:
    with pytest.raises(ConfigError, match=complaint) as caught:
        _config(tmp_path, limits=limits)
    assert "limits." in str(caught.value)


def test_pacing_defaults_come_from_the_network_unless_the_operator_sets_a_cap(tmp_path: Path) -> None:
    table = builtin_limits()
    assert daily_caps(table, "x") == (50, 200)  # unverified: original posts, and replies apart
    assert daily_caps(table, "x", verified=True) == (2400, None)
    assert daily_caps(table, "mastodon") == (2400, None)
    assert daily_caps(table, "bluesky") == (11666, None)
    assert daily_caps(table, "local") == (48, None)

    cfg = _config(tmp_path)
    pacing = Pacing(cfg.settings, cfg)
    # Accounts no route posts for (made through the API): paced by the settings and their network.
    plain = pacing.account(AccountInfo("api-plain", "x", "acme"))
    blue = pacing.account(AccountInfo("api-blue", "x", "acme", verified=True))
    assert (plain.daily_cap, plain.reply_cap) == (50, 200)
    assert (blue.daily_cap, blue.reply_cap) == (2400, None)
    own = pacing.account(AccountInfo("api-own", "x", "acme", daily_cap=12))
    assert (own.daily_cap, own.reply_cap) == (12, None)  # the account's own cap wins, over everything
    assert pacing.account(AccountInfo("x-blue", "x", "acme")).daily_cap == 2400  # its route's

    routed = cfg.pacing_for(cfg.routes["f->x-plain"])
    assert (routed.daily_cap, routed.reply_cap) == (50, 200)
    explicit = _config(tmp_path, settings={"daily_cap": 30})
    assert explicit.pacing_for(explicit.routes["f->x-plain"]).daily_cap == 30
    assert Pacing(explicit.settings, explicit).account(AccountInfo("z", "mastodon", "acme")).daily_cap == 30
    lowered = _config(tmp_path, limits={"x": {"daily_posts_unverified": 20}})
    assert lowered.pacing_for(lowered.routes["f->x-plain"]).daily_cap == 20


def test_the_windows_of_each_network() -> None:
    table = builtin_limits()
    [per_user] = post_windows(table, "x")
    [per_app] = app_windows(table, "x")
    assert (per_user.requests, per_user.period, per_user.fixed) == (100, timedelta(minutes=15), False)
    assert (per_app.requests, per_app.period) == (10_000, timedelta(hours=24))
    [statuses] = post_windows(table, "mastodon")
    [media] = media_windows(table, "mastodon")
    assert (statuses.requests, statuses.fixed, media.requests, media.fixed) == (300, True, 30, True)
    # Bluesky budgets points; a created record costs 3 of them.
    assert sorted(w.requests for w in post_windows(table, "bluesky")) == [1666, 11666]
    # A fixed bucket starts at a multiple of its length since the epoch, whatever the time zone.
    at = datetime(2026, 3, 21, 7, 30, tzinfo=UTC)
    assert statuses.start(at) == datetime(2026, 3, 21, 6, 0, tzinfo=UTC)
    assert statuses.reset(at, []) == datetime(2026, 3, 21, 9, 0, tzinfo=UTC)
    assert per_user.start(at) == at - timedelta(minutes=15)


def test_the_lengths_botwarden_measures_are_the_ones_the_data_cites() -> None:
    table = builtin_limits()
    assert measure("a", "x").limit == table.count("x", "post_length")
    assert measure("a", "mastodon").limit == table.count("mastodon", "post_length")
    assert measure("a", "bluesky").limit == table.count("bluesky", "post_graphemes")
    assert table.count("bluesky", "post_bytes") == BLUESKY_MAX_BYTES


def test_the_command_prints_every_limit_with_its_source(tmp_path: Path) -> None:
    shown = _botwarden("limits", "--network", "x", cwd=tmp_path)
    for entry in builtin_limits():
        if entry.network == "x":
            assert entry.key in shown and entry.source in shown
    assert "mastodon" not in shown.split("\n", 1)[0]
    listed = json.loads(_botwarden("limits", "--format", "json", cwd=tmp_path))
    assert len(listed) == len(builtin_limits())
    assert all(item["source"] and item["read"] for item in listed)


def test_the_command_shows_the_configurations_values(tmp_path: Path) -> None:
    (tmp_path / "botwarden.toml").write_text(
        '[limits.mastodon]\nstatuses_per_3h = 120\n[[accounts]]\nid = "m"\nnetwork = "local"\n',
        encoding="utf-8",
    )
    shown = _botwarden("limits", "--network", "mastodon", cwd=tmp_path)
    assert "120 statuses per 3 hours" in shown and "set in botwarden.toml [limits]" in shown
    failed = subprocess.run(
        [sys.executable, "-m", "botwarden", "limits", "--network", "myspace"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert failed.returncode == 2 and "known: bluesky, local, mastodon, x" in failed.stderr
    assert "Traceback" not in failed.stderr


def _botwarden(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "botwarden", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )
    return done.stdout


def _config(
    tmp_path: Path, *, limits: dict[str, object] | None = None, settings: dict[str, object] | None = None
) -> config_module.Config:
    raw: dict[str, object] = {
        "settings": settings or {},
        "accounts": [{"id": "x-plain", "network": "x"}, {"id": "x-blue", "network": "x", "verified": True}],
        "feeds": [{"id": "f", "url": "https://example.org/feed"}],
        "routes": [{"feed": "f", "account": "x-plain"}, {"feed": "f", "account": "x-blue"}],
    }
    if limits is not None:
        raw["limits"] = limits
    return config_module.from_mapping(raw, label="botwarden.toml", env={})
