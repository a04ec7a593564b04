"""The checking seam: pacing resolved by one rule for every caller, the fleet's check state caught up with
the store, and the hook told of each post the worker records as sent."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from botwarden import config as config_module
from botwarden.checking import FleetChecks, Pacing
from botwarden.config import Config
from botwarden.rules import AccountInfo, Action, MemoryHistory, PastPost
from botwarden.run.loop import Runtime
from botwarden.similarity import text_hash
from botwarden.store import open_store
from botwarden.store.accounts import create_account
from botwarden.store.consent import ConsentStore
from botwarden.store.models import HistoryRow

from .conftest import rss

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def fleet_config(tmp_path: Path, routes: list[dict[str, Any]], **settings: Any) -> Config:
    """An operator with one account fed by several routes, and one account no route posts for."""
    raw = {
        "settings": {"database_url": f"sqlite:///{tmp_path / 'bw.db'}", "jitter_seconds": 0, **settings},
        "accounts": [
            {"id": "news", "network": "local", "operator": "harbour"},
            {"id": "quiet", "network": "local", "operator": "harbour", "daily_cap": 7},
        ],
        "feeds": [{"id": f"f{n}", "url": f"https://feeds.example/{n}.rss"} for n in range(len(routes))],
        "routes": [{"feed": f"f{n}", "account": "news", **route} for n, route in enumerate(routes)],
    }
    return config_module.from_mapping(raw, label="fleet.toml", env={})


def test_a_route_paces_its_own_posts_and_an_action_with_no_route_gets_the_strictest(tmp_path: Path) -> None:
    cfg = fleet_config(
        tmp_path,
        [
            {"pacing": {"daily_cap": 10, "burst_max": 3, "burst_window_minutes": 15}},
            {"pacing": {"daily_cap": 4, "burst_max": 2, "burst_window_minutes": 60}},
            {"pacing": {"daily_cap": 4, "burst_max": 5, "burst_window_minutes": 60}},
        ],
    )
    pacing = Pacing(cfg.settings, cfg)
    ids = list(cfg.routes)
    for route_id in ids:
        assert pacing.route(route_id) == cfg.pacing_for(cfg.routes[route_id])
    # The smallest daily cap first (4, twice), then the fewest posts a burst window allows: 2 an hour.
    assert pacing.account(AccountInfo("news", "local", "harbour")) == pacing.route(ids[1])


def test_routes_that_tie_give_the_first_and_an_account_with_no_route_gets_the_settings(
    tmp_path: Path,
) -> None:
    same = {"pacing": {"daily_cap": 6, "min_interval_minutes": 30}}
    cfg = fleet_config(tmp_path, [same, same | {"template": "{link} {title}"}], quiet_hours="22:00-06:00")
    pacing = Pacing(cfg.settings, cfg)
    assert pacing.account(AccountInfo("news", "local", "harbour")) is pacing.route(next(iter(cfg.routes)))
    quiet = pacing.account(AccountInfo("quiet", "local", "harbour"))
    assert quiet.daily_cap == 7  # its own cap, over the settings' 48
    assert str(quiet.quiet_hours) == "22:00-06:00 UTC"
    assert quiet.burst_max == cfg.settings["burst_max"]
    stranger = pacing.account(AccountInfo("made-by-api", "x", "harbour"))
    assert stranger.quiet_hours == quiet.quiet_hours
    # No cap set anywhere: the network's own (an unverified X account: 50 original posts, 200 replies).
    assert (stranger.daily_cap, stranger.reply_cap) == (
        cfg.limits.count("x", "daily_posts_unverified"),
        cfg.limits.count("x", "daily_replies_unverified"),
    )


def test_the_check_paces_by_the_route_it_names_else_by_the_strictest(tmp_path: Path) -> None:
    cfg = fleet_config(tmp_path, [{"pacing": {"daily_cap": 2}}, {"pacing": {"daily_cap": 10}}])
    strict, lenient = list(cfg.routes)
    checks = FleetChecks(cfg)
    history = MemoryHistory()
    for n in range(2):
        at, text = T0 - timedelta(hours=n + 1), f"Earlier headline number {n} https://e.org/{n}"
        history.add(PastPost(str(n), "news", at, text, text_hash(text), (f"https://e.org/{n}",)))
    account = AccountInfo("news", "local", "harbour")
    action = Action("next", "post", "news", T0, "A new headline https://e.org/new", ("https://e.org/new",))
    assert "BW902" not in checks.check(action, account, history, route=lenient).codes
    assert "BW902" in checks.check(action, account, history, route=strict).codes
    assert "BW902" in checks.check(action, account, history).codes  # no route: the strictest (2 a day)


def test_refresh_brings_in_accounts_made_through_the_api_and_new_ledger_lines(tmp_path: Path) -> None:
    cfg = fleet_config(tmp_path, [{}])
    Runtime(cfg, env={}).close()  # a migrated store, in line with the configuration
    sessions = open_store(cfg.settings["database_url"])
    checks = FleetChecks(cfg)
    with sessions() as session:
        checks.refresh(session, T0)
    assert checks.facts.operator_accounts("harbour", besides="news") == ("quiet",)
    with sessions.begin() as session:
        create_account(session, "harbour-x", "x", "harbour")
        ConsentStore(session, recorded_by="test", now=T0).opt_out("news", "@reader", T0)
    with sessions() as session:
        checks.refresh(session, T0)
    assert checks.facts.operator_accounts("harbour", besides="news") == ("harbour-x", "quiet")
    assert checks.facts.ledger.standing("news", "reader", T0).opted_out_at == T0


def test_refresh_is_asked_at_most_once_in_its_interval(tmp_path: Path) -> None:
    cfg = fleet_config(tmp_path, [{}])
    Runtime(cfg, env={}).close()
    sessions = open_store(cfg.settings["database_url"])
    checks = FleetChecks(cfg, refresh_every=3600)
    with sessions() as session:
        checks.refresh(session, T0)
    with sessions.begin() as session:
        create_account(session, "harbour-x", "x", "harbour")
    with sessions() as session:
        checks.refresh(session, T0)
    assert "harbour-x" not in checks.facts.accounts


def test_the_seam_is_told_of_each_post_once_it_is_committed_as_sent(
    site, make_config: Callable[..., Config]
) -> None:
    docs, server = site
    docs.put(
        "/feed.rss",
        rss(*[{"guid": f"g{n}", "title": f"Headline {n}", "link": f"https://e.org/{n}"} for n in range(3)]),
    )
    runtime = Runtime(make_config(server.base_url, first_run="all"), rng=random.Random(1))
    told: list[tuple[PastPost, str | None]] = []

    def recorded(post: PastPost) -> None:  # read back from a session of its own: committed already
        with runtime.sessions() as session:
            told.append((post, session.scalar(select(HistoryRow.text).where(HistoryRow.id == int(post.id)))))

    runtime.publisher.checks.recorded = recorded  # type: ignore[method-assign]
    report = runtime.run_pass(T0)
    runtime.close()
    assert report.publish.posted == 3 and len(told) == 3
    for post, stored in told:
        assert stored == post.text and post.account == "acct" and post.at == T0
        assert post.text_hash == text_hash(post.text) and post.links == (post.text.split()[-1],)


@pytest.mark.parametrize("refresh_every", [0.0, 1.0])
def test_the_fleet_is_built_from_the_configuration_before_any_refresh(
    tmp_path: Path, refresh_every: float
) -> None:
    cfg = fleet_config(tmp_path, [{}])
    checks = FleetChecks(cfg, refresh_every=refresh_every)
    assert sorted(checks.facts.accounts) == ["news", "quiet"]


# -- the fleet's recent posts, held in memory and kept current ---------------------------------------

STORIES = [
    "Austria files terror charges in alleged Taylor Swift concert plot",
    "Lifeboat crew rescues two kayakers off Gull Point after capsize",
    "Council approves new cycle lane on Quay Road despite objections",
    "Harbour fair opens Saturday with a record number of stalls",
]
REWORDED = [
    "Terrorism charges filed against suspect over plot to attack Taylor Swift show",
    "Two kayakers rescued by lifeboat crew off Gull Point after they capsized",
    "New Quay Road cycle lane approved by council despite objections",
    "Record number of stalls as the harbour fair opens on Saturday",
]


def _history(session: Any, account: str, at: datetime, text: str) -> int:
    row = HistoryRow(account_id=account, at=at, text=text, text_hash=text_hash(text))
    session.add(row)
    session.flush()
    return int(row.id)


def _similar(history: Any, text: str, at: datetime) -> list[tuple[float, str]]:
    found = history.similar(text, ("news", "quiet"), at - timedelta(days=7), at, 0.35, author="news")
    return [(score, post.text) for score, post in found]


@pytest.mark.parametrize("index_from", [4096, 0], ids=["scored-one-by-one", "through-the-index"])
def test_the_fleets_recent_posts_answer_as_reading_the_whole_window_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, index_from: int
) -> None:
    from botwarden.similarity.recent import RecentPosts
    from botwarden.store import StoreHistory

    monkeypatch.setattr(RecentPosts, "INDEX_FROM", index_from)
    cfg = fleet_config(tmp_path, [{}])
    Runtime(cfg, env={}).close()  # a migrated store, in line with the configuration
    sessions = open_store(cfg.settings["database_url"])
    with sessions.begin() as session:
        for n, text in enumerate(STORIES):
            _history(session, "quiet", T0 - timedelta(hours=n + 1), text)
        _history(
            session, "quiet", T0 - timedelta(days=9), "Museum reopens its maritime gallery after a refit"
        )
    checks = FleetChecks(cfg)
    with sessions() as session:
        held = checks.history(session, T0)
        for text in [*REWORDED, "Museum reopens its maritime gallery after refit", "Tide tables for March"]:
            assert _similar(held, text, T0) == _similar(StoreHistory(session), text, T0), text
        assert [t for _, t in _similar(held, REWORDED[0], T0)] == [STORIES[0]]


def test_a_post_another_process_recorded_is_seen_by_the_next_check(tmp_path: Path) -> None:
    cfg = fleet_config(tmp_path, [{}])
    Runtime(cfg, env={}).close()  # a migrated store, in line with the configuration
    sessions = open_store(cfg.settings["database_url"])
    checks = FleetChecks(cfg)
    with sessions() as session:
        assert _similar(checks.history(session, T0), REWORDED[1], T0) == []
    with sessions.begin() as session:  # another worker sends a post
        _history(session, "quiet", T0 - timedelta(minutes=5), STORIES[1])
    with sessions() as session:
        assert [t for _, t in _similar(checks.history(session, T0), REWORDED[1], T0)] == [STORIES[1]]


def test_a_post_committed_late_with_a_lower_id_is_picked_up_by_the_next_refresh(tmp_path: Path) -> None:
    cfg = fleet_config(tmp_path, [{}])
    Runtime(cfg, env={}).close()  # a migrated store, in line with the configuration
    sessions = open_store(cfg.settings["database_url"])
    with sessions.begin() as session:
        late = _history(session, "quiet", T0 - timedelta(minutes=2), STORIES[2])
        _history(session, "quiet", T0 - timedelta(minutes=1), STORIES[3])
    checks = FleetChecks(cfg)
    with sessions() as session:
        checks.history(session, T0)
    assert checks._recent is not None
    checks._recent.forget(late)  # as if its transaction had not committed yet when the second was read
    with sessions() as session:
        assert _similar(checks.history(session, T0), REWORDED[2], T0) == []
        checks.refresh(session, T0)
        assert [t for _, t in _similar(checks.history(session, T0), REWORDED[2], T0)] == [STORIES[2]]


def test_posts_older_than_the_window_are_let_go_and_the_index_compacted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botwarden.similarity.recent import RecentPosts

    monkeypatch.setattr(RecentPosts, "INDEX_FROM", 1000)  # past it, the posts go into an index
    cfg = fleet_config(tmp_path, [{}])
    Runtime(cfg, env={}).close()  # a migrated store, in line with the configuration
    sessions = open_store(cfg.settings["database_url"])
    with sessions.begin() as session:
        for n in range(1500):
            _history(
                session, "quiet", T0 - timedelta(days=6, seconds=n), f"Archive note {n} on the harbour wall"
            )
        _history(session, "quiet", T0, STORIES[0])
    checks = FleetChecks(cfg)
    with sessions() as session:
        checks.history(session, T0)
        assert checks._recent is not None and len(checks._recent) == 1501
        later = T0 + timedelta(days=2)
        checks.refresh(session, later)
        assert checks._recent.index is not None
        assert len(checks._recent) == 1 and checks._recent.index.dead == 0  # compacted
        assert [t for _, t in _similar(checks.history(session, later), REWORDED[0], later)] == [STORIES[0]]


def test_an_action_dated_a_little_before_now_is_answered_from_the_posts_held_in_memory(
    tmp_path: Path,
) -> None:
    """An HTTP caller's clock runs behind the server's, or its request waited: such an action still gets
    the fleet's recent posts held in memory, not a scan of the store; a much older one reads the store."""
    cfg = fleet_config(tmp_path, [{}])
    Runtime(cfg, env={}).close()
    sessions = open_store(cfg.settings["database_url"])
    with sessions.begin() as session:
        _history(session, "quiet", T0 - timedelta(hours=1), STORIES[0])
    checks = FleetChecks(cfg)
    with sessions() as session:
        behind = checks.history(session, T0, at=T0 - timedelta(seconds=2))
        assert behind._recent is not None
        assert [t for _, t in _similar(behind, REWORDED[0], T0)] == [STORIES[0]]
        weeks_ago = checks.history(session, T0, at=T0 - timedelta(days=20))
        assert weeks_ago._recent is None
