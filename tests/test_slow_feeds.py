"""One slow or broken feed delays nobody else's posts: feeds are fetched concurrently, each is stored as
it comes in, and the running service publishes between them. A server sending a byte a second stretches
neither a fetch nor a link lookup past its deadline, and a feed that redirects to an invalid host name
records its error and backs off while the other feeds of the pass go on."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from botwarden import config as config_module
from botwarden.checking import Checks
from botwarden.rules import AccountInfo, Action
from botwarden.rules.context import MemoryHistory
from botwarden.run.loop import Runtime
from botwarden.store.models import FeedRow, HistoryRow

from .conftest import rss
from .fakes.trickle import TrickleServer

DEADLINE = 3.0


def utcnow() -> datetime:
    return datetime.now(UTC)


def _warm_up(settings: dict[str, object]) -> None:
    """The first check of a process loads compiled code and word lists (a second or two): not what is
    measured here."""
    action = Action("w", "post", "acct", utcnow(), "Warm up https://e.org/x", ("https://e.org/x",), "local")
    Checks(dict(settings)).check(action, AccountInfo("acct", "local"), MemoryHistory())


def test_a_slow_feed_and_a_slow_link_hold_back_only_their_own_posts(site, tmp_path) -> None:
    docs, server = site
    base = server.base_url
    with TrickleServer("body") as slow_feed, TrickleServer("headers") as slow_link:
        docs.put("/news/1", b"<html>article</html>", "text/html")
        docs.put(
            "/feed.rss",
            rss(
                {"guid": "1", "title": "Quick story", "link": f"{base}/news/1"},
                {"guid": "2", "title": "Story behind a slow link", "link": f"{slow_link.url}/story"},
            ),
        )
        docs.redirect("/moved.rss", "http://" + "a" * 64 + ".example.org/feed.rss")
        raw = {
            "settings": {
                "database_url": f"sqlite:///{tmp_path / 'bw.db'}",
                "allow_hosts": ["127.0.0.1"],
                "jitter_seconds": 0,
                "min_interval_minutes": 0,
                "resolve_links": True,
                "fetch_timeout_seconds": 5.0,  # every read gets its byte in time: only deadlines stop them
                "fetch_deadline_seconds": DEADLINE,
                "link_deadline_seconds": DEADLINE,
            },
            "accounts": [{"id": a, "network": "local", "operator": "op"} for a in ("acct", "slow", "moved")],
            "feeds": [
                {"id": "quick", "url": f"{base}/feed.rss"},
                {"id": "slow", "url": f"{slow_feed.url}/feed.rss"},
                {"id": "moved", "url": f"{base}/moved.rss"},
            ],
            "routes": [
                {"feed": feed, "account": account, "first_run": "all", "template": "{title} {link}"}
                for feed, account in (("quick", "acct"), ("slow", "slow"), ("moved", "moved"))
            ],
        }
        config = config_module.from_mapping(raw, label="slow.toml", env={})
        runtime = Runtime(config)
        _warm_up(config.settings)
        started, clock = utcnow(), time.monotonic()
        report = runtime.run_pass(started, utcnow)
        took = time.monotonic() - clock
    with runtime.sessions() as session:
        sent = {row.text.split(" http")[0]: row.at for row in session.scalars(select(HistoryRow))}
        feeds = {row.id: row for row in session.scalars(select(FeedRow))}
    runtime.close()

    # The quick feed's own post went out at once, while the slow feed was still trickling in.
    assert (sent["Quick story"] - started).total_seconds() < 1.5, sent
    # Its other post waited for its link's deadline only, then was judged by the hops learnt.
    assert DEADLINE - 0.5 <= (sent["Story behind a slow link"] - started).total_seconds() < DEADLINE + 1.5
    # The pass ended when the slowest thing hit its deadline, not later (each trickle runs 40 s or more).
    assert DEADLINE <= took < DEADLINE + 2.5
    assert report.ingest.fetched == 1 and report.ingest.failed == 2 and report.publish.posted == 2
    slow, moved = feeds["slow"], feeds["moved"]
    assert f"{DEADLINE:g}-second deadline" in slow.last_error and slow.error_streak == 1
    assert "over 63 characters" in moved.last_error and moved.error_streak == 1
    for failed in (slow, moved):  # backed off: not due again before its interval
        assert failed.next_fetch_at is not None and failed.next_fetch_at >= started + timedelta(minutes=15)
    assert feeds["quick"].last_status == "ok"


def test_a_feed_redirecting_to_an_invalid_host_never_stops_the_others(site, make_config) -> None:
    """Without a clock (a simulated pass) too: the error is the feed's, recorded with its backoff, and
    the feed after it in the pass is stored and posted."""
    docs, server = site
    docs.redirect("/feed.rss", "http://" + "b" * 64 + ".example.org/rss")
    docs.put("/other.rss", rss({"guid": "1", "title": "Other story", "link": "https://e.org/1"}))
    raw = make_config(server.base_url).bot.model_dump()
    raw["feeds"].append({"id": "other", "url": f"{server.base_url}/other.rss", "interval_minutes": 5})
    raw["routes"].append(
        {"feed": "other", "account": "acct", "first_run": "all", "template": "{title} {link}"}
    )
    runtime = Runtime(config_module.from_mapping(raw, label="t", env={}))
    now = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    for attempt in (1, 2):
        report = runtime.run_pass(now)
        with runtime.sessions() as session:
            feed = session.get_one(FeedRow, "feed")
        assert report.ingest.failed == 1 and feed.error_streak == attempt
        assert "over 63 characters" in feed.last_error
        assert feed.next_fetch_at is not None
        now = feed.next_fetch_at  # due again only once it has backed off
    with runtime.sessions() as session:
        assert [row.text for row in session.scalars(select(HistoryRow))] == ["Other story https://e.org/1"]
    runtime.close()
