"""Threads for long items: each part measured and checked, posted in reply to the part before it on X,
Mastodon and Bluesky, and at most once for the whole thread: a failure or a lost answer mid-thread goes on
with the next part and never posts a part the network has."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from botwarden import config as config_module
from botwarden.compose import ItemFields, compose
from botwarden.compose.thread import compose_thread
from botwarden.networks.build import credential_store
from botwarden.run.loop import Runtime
from botwarden.store.models import EventRow, HistoryRow, QueueRow, ThreadPartRow, VerdictRow
from botwarden.text import measure
from tests.conftest import Site
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.x import FakeX
from tests.media_files import media_rss

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
WORDS = [
    "the",
    "ferry",
    "crossing",
    "council",
    "harbour",
    "storm",
    "pier",
    "lifeboat",
    "crew",
    "timetable",
    "evening",
    "north",
]
NUMBERED = re.compile(r" \((\d+)/(\d+)\)$")


def _long_summary(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) + ("." if rng.random() < 0.1 else "") for _ in range(words))


def _words(text: str) -> list[str]:
    return text.replace("…", " ").split()


@pytest.mark.parametrize("network", ["x", "mastodon", "bluesky"])
@pytest.mark.parametrize("seed", range(6))
def test_each_part_fits_and_the_parts_carry_the_whole_summary_in_order(network: str, seed: int) -> None:
    rng = random.Random(seed)
    summary = _long_summary(rng, rng.randint(60, 400))
    item = ItemFields(title="Council approves the ferry", link=f"https://h.example/{seed}", summary=summary)
    limit = 400 if network == "mastodon" and seed % 2 else None
    warning = "Transport" if network == "mastodon" else ""
    parts = compose_thread(
        item, "{title}: {summary} {link}", network, max_parts=5, limit=limit, content_warning=warning
    )
    assert 2 <= len(parts) <= 5
    for number, part in enumerate(parts, start=1):
        size = measure(part.text, network, limit=limit, content_warning=warning)
        assert size.valid and part.measure.length == size.length, part.text
        assert NUMBERED.search(part.text).groups() == (str(number), str(len(parts)))  # type: ignore[union-attr]
    assert parts[0].link == item.link and item.link in parts[0].text
    said = [w for part in parts for w in _words(NUMBERED.sub("", part.text))]
    expected = _words(summary)
    start = said.index(expected[0], len(_words(item.title)))
    carried = said[start : start + len(expected)]
    carried = [w for w in carried if w != item.link]
    cut = len(parts) == 5 and carried != expected
    assert carried == expected[: len(carried)] if cut else expected[: len(carried)] == carried


def test_a_short_item_or_a_network_without_threads_stays_one_post() -> None:
    short = ItemFields(title="Pier reopens", link="https://h.example/p", summary="From ten today.")
    assert len(compose_thread(short, "{title} {summary} {link}", "x", max_parts=4)) == 1
    long = ItemFields(title="Storm", link="https://h.example/s", summary="word " * 300)
    [only] = compose_thread(long, "{title} {summary} {link}", "local", max_parts=4)
    assert only == compose(long, "{title} {summary} {link}", "local")
    [cut] = compose_thread(long, "{title} {summary} {link}", "x", max_parts=1)
    assert cut.fits and "summary shortened" in cut.notes[0]


# -- the worker ---------------------------------------------------------------------------------------


@pytest.fixture
def networks() -> Iterator[tuple[FakeX, FakeMastodon, FakeBluesky]]:
    servers = (FakeX(), FakeMastodon(processing_polls=0), FakeBluesky())
    for server in servers:
        server.start()
    yield servers
    for server in servers:
        server.stop()


def _runtime(tmp_path: Path, base: str, accounts: list[dict[str, Any]], logins: dict[str, Any]) -> Runtime:
    raw = {
        "settings": {
            "database_url": f"sqlite:///{tmp_path / 'bw.db'}",
            "secret_key_file": str(tmp_path / "secret.key"),
            "allow_hosts": ["127.0.0.1"],
            "jitter_seconds": 0,
            "min_interval_minutes": 30,  # a thread's parts follow each other all the same
            "burst_max": 100,
            "resolve_links": False,
        },
        "accounts": [{"operator": a["id"], **a} for a in accounts],
        "feeds": [{"id": "harbour", "url": f"{base}/feed.rss"}],
        "routes": [
            {
                "feed": "harbour",
                "account": a["id"],
                "template": "{title}: {summary} {link}",
                "first_run": "all",
                "post": {"thread": True, "thread_max": 3, "link_card": False},
            }
            for a in accounts
        ],
    }
    config = config_module.from_mapping(raw, label="test.toml", env={})
    runtime = Runtime(config, env={})
    store = credential_store(config, runtime.sessions, env={})
    for account, values in logins.items():
        store.update(account, values)
    return runtime


def _feed(docs: Site, summary: str) -> None:
    item = {"guid": "g1", "title": "Council report on the ferry", "link": "https://h.example/report"}
    docs.put("/feed.rss", media_rss([{**item, "summary": summary}], when=T0))


SUMMARY = _long_summary(random.Random(11), 160)


def test_a_long_item_is_a_thread_on_each_network(
    tmp_path: Path, site: tuple[Site, Any], networks: tuple[FakeX, FakeMastodon, FakeBluesky]
) -> None:
    docs, server = site
    x, mastodon, bluesky = networks
    _feed(docs, SUMMARY)
    accounts = [
        {"id": "xnews", "network": "x", "server": x.url},
        {"id": "toots", "network": "mastodon", "server": mastodon.url},
        {"id": "skies", "network": "bluesky", "server": bluesky.url},
    ]
    logins = {
        "xnews": x.add_oauth1_user("xnews"),
        "toots": mastodon.add_user("toots"),
        "skies": bluesky.add_user("skies.example.com"),
    }
    runtime = _runtime(tmp_path, server.base_url, accounts, logins)
    report = runtime.run_pass(T0)
    assert report.publish.posted == 3

    tweets = x.user("xnews").tweets
    assert len(tweets) == 3 and tweets[0]["in_reply_to"] == ""
    assert [t["in_reply_to"] for t in tweets[1:]] == [tweets[0]["id"], tweets[1]["id"]]
    statuses = mastodon.user("toots").statuses
    assert [s["in_reply_to_id"] for s in statuses] == [None, statuses[0]["id"], statuses[1]["id"]]
    records = bluesky.user("skies.example.com").records
    replies = [r["value"].get("reply") for r in records]
    assert replies[0] is None
    assert replies[1]["root"]["uri"] == replies[1]["parent"]["uri"] == records[0]["uri"]
    assert replies[2]["root"]["uri"] == records[0]["uri"] and replies[2]["parent"]["uri"] == records[1]["uri"]
    for texts, network in (
        ([t["sent_text"] for t in tweets], "x"),
        ([s["sent_text"] for s in statuses], "mastodon"),
        ([r["value"]["text"] for r in records], "bluesky"),
    ):
        assert [NUMBERED.search(t).groups() for t in texts] == [("1", "3"), ("2", "3"), ("3", "3")]  # type: ignore[union-attr]
        assert all(measure(t, network).valid for t in texts)

    with runtime.sessions() as session:
        history = session.scalars(
            select(HistoryRow).where(HistoryRow.account_id == "xnews").order_by(HistoryRow.id)
        ).all()
        assert [h.text for h in history] == [t["sent_text"] for t in tweets]  # each part is a post
        states = session.scalars(select(QueueRow.state)).all()
        assert states == ["sent", "sent", "sent"]
    runtime.close()


def test_every_part_is_checked_and_a_finding_in_any_part_holds_the_whole_thread(
    tmp_path: Path, site: tuple[Site, Any], networks: tuple[FakeX, FakeMastodon, FakeBluesky]
) -> None:
    docs, server = site
    x, _, _ = networks
    # A private phone number far into the summary: in a later part, never the first.
    words = SUMMARY.split()
    _feed(
        docs,
        " ".join(
            [*words[:50], "Lost dog near the pier, owner Jane can be reached on (415) 555-2671.", *words[50:]]
        ),
    )
    runtime = _runtime(
        tmp_path,
        server.base_url,
        [{"id": "xnews", "network": "x", "server": x.url}],
        {"xnews": x.add_oauth1_user("xnews")},
    )
    runtime.run_pass(T0)
    assert x.user("xnews").tweets == []
    with runtime.sessions() as session:
        [entry] = session.scalars(select(QueueRow))
        [verdict] = session.scalars(select(VerdictRow))
        parts = session.scalars(select(ThreadPartRow.text).order_by(ThreadPartRow.position)).all()
    assert entry.state == "held" and verdict.codes == ["BW801"]
    assert "555-2671" not in parts[0] and any("555-2671" in part for part in parts[1:])
    runtime.close()


@pytest.mark.parametrize("fault", ["server_error", "drop_after"])
def test_a_failure_mid_thread_goes_on_with_the_next_part_and_never_reposts_one(
    tmp_path: Path, site: tuple[Site, Any], networks: tuple[FakeX, FakeMastodon, FakeBluesky], fault: str
) -> None:
    docs, server = site
    x, _, _ = networks
    _feed(docs, SUMMARY)
    runtime = _runtime(
        tmp_path,
        server.base_url,
        [{"id": "xnews", "network": "x", "server": x.url}],
        {"xnews": x.add_oauth1_user("xnews")},
    )
    original = x._create
    calls = {"n": 0}

    def second_fails(request: Any) -> Any:  # once the first part is posted, the next request fails
        calls["n"] += 1
        reply = original(request)
        if calls["n"] == 1:
            x.fault(fault, path="/2/tweets")
        return reply

    x.route("POST", "/2/tweets", second_fails)
    x._routes.insert(0, x._routes.pop())
    now = T0
    for _ in range(6):
        runtime.run_pass(now)
        now += timedelta(hours=2)
    tweets = x.user("xnews").tweets
    texts = [t["sent_text"] for t in tweets]
    assert len(texts) == len(set(texts)) == 3, texts  # nothing doubled, nothing lost
    assert [t["in_reply_to"] for t in tweets[1:]] == [tweets[0]["id"], tweets[1]["id"]]
    with runtime.sessions() as session:
        parts = session.scalars(select(ThreadPartRow).order_by(ThreadPartRow.position)).all()
        assert [p.remote_id for p in parts] == [t["id"] for t in tweets]
        assert session.scalars(select(QueueRow.state)).all() == ["sent"]
        events = session.scalars(select(EventRow.kind)).all()
    assert ("answer_lost" in events) == (fault == "drop_after")
    runtime.close()
