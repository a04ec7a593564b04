"""Stable item identity: a guid is an opaque id, never resolved against the feed's address, and an item
seen before its feed moved (a redirect, a new address in the configuration, http→https, another host) is
known afterwards: it stays posted and is never queued again. Items stored before guids were kept as
written are recognised too."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from botwarden.config import Config
from botwarden.demo.server import FeedServer
from botwarden.feeds import parse
from botwarden.feeds.parse import parse_with_feedparser
from botwarden.run.loop import Runtime
from botwarden.store import make_engine, migrate, session_factory
from botwarden.store.items import stored_items
from botwarden.store.models import FeedRow, ItemRow, QueueRow

from .conftest import Site, rss

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
ALL = [{"feed": "feed", "account": "acct", "template": "{title} {link}", "first_run": "all"}]


def entry(n: int, *, guid: str | None = None, link: str | None = None) -> dict[str, str]:
    fields = {"title": f"Headline number {n}", "pubDate": format_datetime(T0 - timedelta(minutes=n))}
    if guid is not None:
        fields["guid"] = guid
    if link is not None:
        fields["link"] = link
    return fields


# -- what an id is -------------------------------------------------------------------------------------


ATOM_ENTRY = """<feed xmlns="http://www.w3.org/2005/Atom" xml:base="{base}"><title>t</title>
<entry><id>entry-7</id><title>A</title><updated>2026-01-01T00:00:00Z</updated></entry></feed>"""
RSS_ITEM = '<rss version="2.0"><channel><title>t</title><item{base}>{inner}</item></channel></rss>'


@pytest.mark.parametrize("reader", [parse, parse_with_feedparser], ids=["parse", "feedparser fallback"])
@pytest.mark.parametrize(
    "url", ["http://news.example/feed.xml", "https://news.example/feed.xml", "https://mirror.example/x/rss"]
)
def test_an_opaque_guid_is_the_id_wherever_the_feed_lives(reader: Callable[..., object], url: str) -> None:
    document = RSS_ITEM.format(base="", inner="<guid>abc123</guid><title>A</title>")
    [item] = reader(document.encode(), url).items  # type: ignore[attr-defined]
    assert item.id == "abc123"
    assert item.link == url.rsplit("/", 1)[0] + "/abc123"  # a permalink guid still stands in for the link


@pytest.mark.parametrize("reader", [parse, parse_with_feedparser], ids=["parse", "feedparser fallback"])
def test_xml_base_resolves_links_but_never_ids(reader: Callable[..., object]) -> None:
    atom = ATOM_ENTRY.format(base="https://a.example/blog/")
    [item] = reader(atom.encode(), "https://feeds.example/atom").items  # type: ignore[attr-defined]
    assert (item.id, item.link) == ("entry-7", "https://a.example/blog/entry-7")
    document = RSS_ITEM.format(
        base=' xml:base="https://b.example/posts/"',
        inner='<guid isPermaLink="false">7</guid><link>seven.html</link>',
    )
    [item] = reader(document.encode(), "https://feeds.example/rss").items  # type: ignore[attr-defined]
    assert (item.id, item.link) == ("7", "https://b.example/posts/seven.html")


# -- the feed moves --------------------------------------------------------------------------------------


def _queued(runtime: Runtime) -> int:
    with runtime.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(QueueRow)) or 0)


@pytest.mark.parametrize("style", ["bare guids", "relative links", "absolute links"])
def test_an_item_seen_before_a_redirect_is_not_queued_again(
    site: tuple[Site, FeedServer], make_config: Callable[..., Config], style: str
) -> None:
    docs, server = site
    docs.put("/feed.rss", rss(*_items(style, 3, 1)))
    runtime = Runtime(make_config(server.base_url, routes=ALL), rng=random.Random(1))
    assert runtime.run_pass(T0).ingest.queued == 3
    docs.redirect("/feed.rss", "/v2/feed.rss", 301)  # the feed moved; relative links move with it
    docs.put("/v2/feed.rss", rss(*_items(style, 4, 1, prefix="/v2")))
    report = runtime.run_pass(T0 + timedelta(minutes=10))
    assert (report.ingest.new_items, report.ingest.queued) == (1, 1)
    assert _queued(runtime) == 4


@pytest.mark.parametrize("style", ["bare guids", "relative links"])
def test_an_item_seen_before_the_configured_address_changed_is_not_queued_again(
    site: tuple[Site, FeedServer], make_config: Callable[..., Config], style: str
) -> None:
    docs, server = site
    docs.put("/feed.rss", rss(*_items(style, 3, 1)))
    runtime = Runtime(make_config(server.base_url, routes=ALL), rng=random.Random(1))
    assert runtime.run_pass(T0).ingest.queued == 3
    with FeedServer(docs) as elsewhere:  # the same feed on another server (a new host and port)
        moved = Runtime(make_config(elsewhere.base_url, routes=ALL), rng=random.Random(1))
        report = moved.run_pass(T0 + timedelta(minutes=10))
        with moved.sessions() as session:
            assert session.get_one(FeedRow, "feed").url.startswith(elsewhere.base_url)
    assert (report.ingest.new_items, report.ingest.queued) == (0, 0)
    assert _queued(moved) == 3


def _items(style: str, newest: int, oldest: int, prefix: str = "") -> Iterator[dict[str, str]]:
    for n in range(newest, oldest - 1, -1):
        if style == "bare guids":
            yield entry(n, guid=f"item-{n}")
        elif style == "relative links":
            yield entry(n, link=f"{prefix}/news/{n}.html" if prefix else f"news/{n}.html")
        else:
            yield entry(n, link=f"https://news.example/{n}")


# -- the store recognises earlier forms of an identity ---------------------------------------------------


@pytest.fixture
def sessions(tmp_path: Path) -> sessionmaker[Session]:
    url = f"sqlite:///{tmp_path / 'items.db'}"
    engine = make_engine(url)
    migrate(engine)
    factory = session_factory(engine)
    with factory.begin() as session:
        session.add(FeedRow(id="feed", url="x", title="", error_streak=0, last_status="", last_error=""))
    return factory


def _store(session: Session, identity: str, title: str, link: str = "") -> None:
    session.add(
        ItemRow(feed_id="feed", identity=identity, content_hash="h", title=title, link=link, first_seen_at=T0)
    )


DOCUMENT = rss(
    entry(1, guid="abc"),
    entry(2, link="/news/2.html"),
    entry(3, guid="http://news.example/p/3"),
    entry(4, guid="brand-new"),
)


def _stored(host: str, scheme: str = "https", guid_scheme: str = "http") -> dict[str, int]:
    return {
        f"{scheme}://{host}/abc": 1,
        f"{scheme}://{host}/news/2.html": 2,
        f"{guid_scheme}://news.example/p/3": 3,
    }


@pytest.mark.parametrize(
    ("stored", "url"),
    [
        # before guids were opaque: the guid resolved against the feed's address, and the feed kept it
        (_stored("feeds.example"), "https://feeds.example/rss"),
        # the same, and the feed (and the site) moved from http to https since
        (_stored("feeds.example", "http", "https"), "https://feeds.example/rss"),
        # ... or to another host, its relative links with it
        (_stored("old.example"), "https://new.example/rss"),
    ],
    ids=["as stored before", "http to https", "another host"],
)
def test_rows_stored_under_an_earlier_form_are_found_and_take_the_new_identity(
    sessions: sessionmaker[Session], stored: dict[str, int], url: str
) -> None:
    with sessions.begin() as session:
        for identity, n in stored.items():
            _store(session, identity, f"Headline number {n}")
    items = parse(DOCUMENT, url).items
    with sessions.begin() as session:
        found = stored_items(session, "feed", items, url)
        assert sorted(found) == sorted(item.id for item in items if item.id != "brand-new")
    with sessions() as session:
        identities = set(session.scalars(select(ItemRow.identity)))
    assert identities == {item.id for item in items if item.id != "brand-new"}


def test_another_item_is_not_taken_for_a_moved_one(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        _store(session, "https://old.example/news/2.html", "Another story")  # same place, other title
        _store(session, "https://old.example/news/22.html", "Headline number 2")  # same title, other place
    items = parse(DOCUMENT, "https://new.example/rss").items
    with sessions.begin() as session:
        assert stored_items(session, "feed", items, "https://new.example/rss") == {}
