"""botwarden.feeds.parse: the DESIGN.md contract, identities, and robustness on real feeds."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from botwarden.errors import FeedError
from botwarden.feeds import item_identity, parse

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom &amp; co</title><id>urn:x</id>
<updated>2026-01-02T10:00:00Z</updated>
<entry><title>First</title><id>urn:entry:1</id><link href="https://example.org/1"/>
<published>2026-01-02T09:00:00+01:00</published><updated>2026-01-02T10:00:00Z</updated>
<summary>One</summary><category term="Local news"/><category term="Weather"/>
<link rel="enclosure" href="https://example.org/1.mp3" type="audio/mpeg" length="1234"/></entry>
</feed>"""


def test_atom_fields_follow_the_contract() -> None:
    feed = parse(ATOM, "https://example.org/atom")
    assert feed.title == "Atom & co"
    [item] = feed.items
    assert item.id == "urn:entry:1"
    assert item.title == "First"
    assert item.link == "https://example.org/1"
    assert item.published == datetime(2026, 1, 2, 8, 0, tzinfo=UTC)
    assert item.updated == datetime(2026, 1, 2, 10, 0, tzinfo=UTC)
    assert item.summary == "One"
    assert item.categories == ["Local news", "Weather"]
    [enclosure] = item.enclosures
    assert (enclosure.url, enclosure.type, enclosure.length) == (
        "https://example.org/1.mp3",
        "audio/mpeg",
        1234,
    )


def test_rss_without_guid_uses_canonical_link_then_title_and_date() -> None:
    data = b"""<rss version="2.0"><channel><title>t</title>
    <item><title>Linked</title><link>https://Example.org/a?utm_source=rss&amp;id=2</link></item>
    <item><title>Bare</title><pubDate>Tue, 03 Mar 2026 10:00:00 GMT</pubDate></item>
    </channel></rss>"""
    linked, bare = parse(data, "https://example.org/rss").items
    assert linked.id == "https://example.org/a?id=2"
    assert bare.id.startswith("sha256:")
    assert bare.published == datetime(2026, 3, 3, 10, 0, tzinfo=UTC)


def test_identity_is_stable_under_redating_but_content_hash_sees_edits() -> None:
    first = b"""<rss version="2.0"><channel><title>t</title><item><guid>g1</guid><title>A</title>
    <link>https://e.org/a</link><pubDate>Tue, 03 Mar 2026 10:00:00 GMT</pubDate></item></channel></rss>"""
    redated = first.replace(b"10:00:00", b"18:30:00")
    edited = first.replace(b"<title>A</title>", b"<title>A (updated)</title>")
    a, b, c = (parse(doc, "u").items[0] for doc in (first, redated, edited))
    assert a.id == b.id == c.id == "g1"
    assert a.content_hash == b.content_hash
    assert a.content_hash != c.content_hash


def test_identity_without_guid_or_link_ignores_whitespace_and_case_of_title() -> None:
    when = datetime(2026, 1, 1, tzinfo=UTC)
    assert item_identity(None, None, "Storm  Warning", when) == item_identity(
        None, None, "storm warning", when
    )


def test_json_feed() -> None:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "J",
        "items": [
            {
                "id": 7,
                "url": "/p/7",
                "title": "Seven",
                "date_published": "2026-02-01T12:00:00Z",
                "tags": ["a", "b"],
                "content_text": "text",
            }
        ],
    }
    [item] = parse(json.dumps(doc).encode(), "https://j.example/feed.json").items
    assert (item.id, item.link, item.categories) == ("7", "https://j.example/p/7", ["a", "b"])
    assert item.published == datetime(2026, 2, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"<!DOCTYPE html><html><head><title>x</title></head><body>hi</body></html>", "HTML page"),
        (b"\x00\x01garbage", "not an RSS, Atom or JSON feed"),
        (b'{"hello": "world"}', "not a JSON Feed"),
        (b"{not json", "not valid JSON"),
    ],
)
def test_unusable_input_is_a_feed_error_with_a_reason(data: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        parse(data, "https://example.org/x")


def test_entity_expansion_is_not_followed() -> None:
    bomb = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">
    <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
    <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">]>
    <rss version="2.0"><channel><title>&e;</title>
    <item><title>&e;</title><guid>1</guid></item></channel></rss>"""
    try:
        feed = parse(bomb, "u")
    except FeedError:
        return
    assert len(feed.title) < 100_000
    assert all(len(item.title) < 100_000 for item in feed.items)


@pytest.mark.corpus
def test_every_corpus_feed_parses_or_raises_feed_error(shared: Path) -> None:
    files = sorted((shared / "corpora/feeds").iterdir())
    assert len(files) == 200
    items = errors = 0
    for path in files:
        try:
            feed = parse(path.read_bytes(), f"https://corpus.example/{path.name}")
        except FeedError:
            errors += 1
            continue
        items += len(feed.items)
        for item in feed.items:
            assert item.id, path.name
            assert item.published is None or item.published.tzinfo is not None
    print(f"\ncorpus: {len(files)} feeds, {items} items, {errors} FeedError")
    assert items > 6000
