"""The whole loop against a real feed server on loopback: feed → item → draft → verdict → queue → publish."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from sqlalchemy import func, select

from botwarden.config import Config
from botwarden.networks import Outcome, OutcomeKind
from botwarden.run.loop import Runtime
from botwarden.store.models import EventRow, FeedRow, HistoryRow, LocalPostRow, QueueRow

from .conftest import rss

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def item(n: int, minutes: int, title: str | None = None, **extra: str) -> dict[str, str]:
    return {
        "guid": f"g{n}",
        "title": title or f"Headline number {n}",
        "link": f"https://e.org/{n}",
        "pubDate": format_datetime(T0 + timedelta(minutes=minutes)),
        **extra,
    }


def posts(runtime: Runtime) -> list[str]:
    with runtime.sessions() as session:
        return list(session.scalars(select(LocalPostRow.text).order_by(LocalPostRow.id)))


def test_first_run_posts_only_the_newest_then_new_items(site, make_config: Callable[..., Config]) -> None:
    docs, server = site
    docs.put("/feed.rss", rss(item(3, -10), item(2, -20), item(1, -30)))
    runtime = Runtime(make_config(server.base_url), rng=random.Random(1))
    report = runtime.run_pass(T0)
    assert (report.ingest.new_items, report.ingest.queued, report.publish.posted) == (3, 1, 1)
    assert posts(runtime) == ["Headline number 3 https://e.org/3"]

    docs.put("/feed.rss", rss(item(4, 5), item(3, -10), item(2, -20), item(1, -30)))
    runtime.run_pass(T0 + timedelta(minutes=10))
    assert posts(runtime)[-1] == "Headline number 4 https://e.org/4"
    # Nothing new: the server answers 304 and nothing is posted.
    runtime.run_pass(T0 + timedelta(minutes=20))
    assert len(posts(runtime)) == 2
    assert server.requests[-1] == ("/feed.rss", 304)


def test_first_run_none_and_all(site, make_config: Callable[..., Config], tmp_path) -> None:
    docs, server = site
    docs.put("/feed.rss", rss(item(2, -10), item(1, -20)))
    for mode, expected in (("none", 0), ("all", 2)):
        cfg = make_config(
            server.base_url,
            routes=[{"feed": "feed", "account": "acct", "first_run": mode, "template": "{title} {link}"}],
            database_url=f"sqlite:///{tmp_path / mode}.db",
        )
        runtime = Runtime(cfg)
        try:
            runtime.run_pass(T0)
            assert len(posts(runtime)) == expected
        finally:
            runtime.close()


def test_burst_trickles_oldest_first(site, make_config: Callable[..., Config]) -> None:
    docs, server = site
    docs.put("/feed.rss", rss(item(0, -60)))
    runtime = Runtime(make_config(server.base_url, burst_max=2, burst_window_minutes=15))
    runtime.run_pass(T0)
    docs.put("/feed.rss", rss(*[item(n, n) for n in range(5, 0, -1)], item(0, -60)))
    for step in range(0, 60, 5):
        runtime.run_pass(T0 + timedelta(minutes=20 + step))
    texts = posts(runtime)
    assert texts[1:] == [f"Headline number {n} https://e.org/{n}" for n in range(1, 6)]
    with runtime.sessions() as session:
        times = list(session.scalars(select(HistoryRow.at).order_by(HistoryRow.at)))[1:]
    for i in range(2, len(times)):
        assert times[i] - times[i - 2] >= timedelta(minutes=15)


def test_duplicate_headline_is_denied_and_recorded(site, make_config: Callable[..., Config]) -> None:
    docs, server = site
    docs.put("/feed.rss", rss(item(1, -5, "Ferry cancelled")))
    runtime = Runtime(make_config(server.base_url))
    runtime.run_pass(T0)
    docs.put("/feed.rss", rss(item(2, 1, "BREAKING: Ferry cancelled!"), item(1, -5, "Ferry cancelled")))
    report = runtime.run_pass(T0 + timedelta(minutes=10))
    assert report.publish.denied == 1
    with runtime.sessions() as session:
        denied = session.scalars(select(QueueRow).where(QueueRow.state == "denied")).one()
        event = session.scalars(select(EventRow).where(EventRow.kind == "denied")).one()
    assert "Ferry cancelled" in denied.text
    assert "same text" in event.message
    assert len(posts(runtime)) == 1


def test_edited_and_redated_items_are_not_posted_again(site, make_config: Callable[..., Config]) -> None:
    docs, server = site
    docs.put("/feed.rss", rss(item(1, -5)))
    runtime = Runtime(make_config(server.base_url))
    runtime.run_pass(T0)
    docs.put("/feed.rss", rss(item(1, 30, "Headline number 1 (corrected)")))
    runtime.run_pass(T0 + timedelta(minutes=10))
    assert len(posts(runtime)) == 1
    with runtime.sessions() as session:
        assert (
            session.scalar(select(func.count()).select_from(EventRow).where(EventRow.kind == "item_edited"))
            == 1
        )


def test_filters_skip_items(site, make_config: Callable[..., Config]) -> None:
    docs, server = site
    docs.put("/feed.rss", rss(item(0, -60)))
    cfg = make_config(
        server.base_url,
        routes=[
            {
                "feed": "feed",
                "account": "acct",
                "template": "{title} {link}",
                "filters": {"exclude": {"title": ["sponsored"]}},
            }
        ],
    )
    runtime = Runtime(cfg)
    runtime.run_pass(T0)
    docs.put("/feed.rss", rss(item(2, 2, "Sponsored: buy now"), item(1, 1, "Real news"), item(0, -60)))
    runtime.run_pass(T0 + timedelta(minutes=10))
    assert [p.split(" https")[0] for p in posts(runtime)] == ["Headline number 0", "Real news"]


def test_failing_feed_backs_off_and_others_continue(site, make_config: Callable[..., Config]) -> None:
    _docs, server = site
    runtime = Runtime(make_config(server.base_url))  # /feed.rss not there: 404
    report = runtime.run_pass(T0)
    assert report.ingest.failed == 1 and "HTTP 404" in report.ingest.errors["feed"]
    runtime.run_pass(T0 + timedelta(minutes=10))
    with runtime.sessions() as session:
        feed = session.get_one(FeedRow, "feed")
    assert feed.error_streak == 2
    assert feed.next_fetch_at == T0 + timedelta(minutes=10) + timedelta(minutes=5 * 4)


def test_locked_account_stops_and_holds_its_queue(site, make_config: Callable[..., Config]) -> None:
    docs, server = site
    docs.put("/feed.rss", rss(item(1, -5)))
    calls: list[str] = []

    def lock(account: str, text: str, at: datetime) -> Outcome:
        calls.append(text)
        return Outcome(OutcomeKind.LOCKED, message="326 temporarily locked")

    runtime = Runtime(make_config(server.base_url), faults=lock)
    report = runtime.run_pass(T0)
    assert report.publish.stopped_accounts == ["acct"] and report.publish.posted == 0
    docs.put("/feed.rss", rss(item(2, 1), item(1, -5)))
    for step in range(1, 6):
        runtime.run_pass(T0 + timedelta(minutes=10 * step))
    assert len(calls) == 1, "a locked account must never be retried in a loop"
    with runtime.sessions() as session:
        states = sorted(session.scalars(select(QueueRow.state)))
        assert session.scalar(select(func.count()).select_from(HistoryRow)) == 0
    assert states == ["held", "held"]


def test_transient_failure_is_retried_and_never_recorded_as_sent(
    site, make_config: Callable[..., Config]
) -> None:
    docs, server = site
    docs.put("/feed.rss", rss(item(1, -5)))
    answers = [Outcome(OutcomeKind.TRANSIENT, message="503"), None]

    def flaky(account: str, text: str, at: datetime) -> Outcome | None:
        return answers.pop(0)

    runtime = Runtime(make_config(server.base_url), faults=flaky, rng=random.Random(3))
    runtime.run_pass(T0)
    with runtime.sessions() as session:
        entry = session.scalars(select(QueueRow)).one()
        assert (entry.state, entry.attempts) == ("ready", 1)
        assert session.scalar(select(func.count()).select_from(HistoryRow)) == 0
    runtime.run_pass(T0 + timedelta(minutes=5))
    assert len(posts(runtime)) == 1


def test_template_fields_come_from_item_and_feed(site, make_config: Callable[..., Config]) -> None:
    docs, server = site
    docs.put(
        "/feed.rss",
        rss(item(1, -5, description="A &lt;b&gt;short&lt;/b&gt; summary."), title="Harbour Gazette"),
    )
    cfg = make_config(
        server.base_url,
        routes=[{"feed": "feed", "account": "acct", "template": "{feed_title}: {title}. {summary} {link}"}],
    )
    runtime = Runtime(cfg)
    runtime.run_pass(T0)
    assert posts(runtime) == ["Harbour Gazette: Headline number 1. A short summary. https://e.org/1"]


def test_given_a_clock_a_post_is_sent_and_leased_at_its_own_time(
    site, make_config: Callable[..., Config]
) -> None:
    """A pass that began a while ago (a long fetch, a long queue) must not hand out a lease that has
    already partly run: the lease starts when the post is marked 'sending', by the clock."""
    docs, server = site
    docs.put("/feed.rss", rss(item(1, -10)))
    runtime = Runtime(make_config(server.base_url), rng=random.Random(1))
    local = runtime.publisher.networks["local"]
    seen: list[tuple[datetime, datetime | None]] = []

    class Watching:
        name = "local"

        def __getattr__(self, attribute: str):
            return getattr(local, attribute)

        def publish(self, account, post, *, at):
            with runtime.sessions() as session:
                lease = session.scalar(select(QueueRow.lease_expires_at).where(QueueRow.state == "sending"))
            seen.append((at, lease))
            return local.publish(account, post, at=at)

    runtime.publisher.networks["local"] = Watching()  # type: ignore[assignment]
    later = T0 + timedelta(minutes=7)
    runtime.run_pass(T0, clock=lambda: later)
    lease = timedelta(seconds=runtime.config.settings["lease_seconds"])
    assert [(at, expires.replace(tzinfo=UTC) if expires else None) for at, expires in seen] == [
        (later, later + lease)
    ]
    with runtime.sessions() as session:
        assert session.scalar(select(HistoryRow.at)).replace(tzinfo=UTC) == later
