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
