"""botwarden.feeds.parse: the DESIGN.md contract, identities, and robustness on real feeds."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from botwarden.errors import FeedError
from botwarden.feeds import item_identity, parse
from botwarden.feeds.fastparse import parse_fast
from botwarden.feeds.parse import make_item, parse_with_feedparser

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


# -- the fast path reads what feedparser reads -------------------------------------------------------

FIELDS = ("id", "link", "title", "published", "updated", "categories")
RSS_ITEM = '<rss version="2.0"><channel><title>t</title><link>/home</link><item>{}</item></channel></rss>'
SAME_AS_FEEDPARSER = {
    "permalink guid stands in for the link": RSS_ITEM.format(
        "<guid>https://e.org/p/1</guid><title>A</title>"
    ),
    "a guid that is not a permalink stays an id": RSS_ITEM.format(
        '<guid isPermaLink="false">abc-1</guid><title>A</title><link>https://e.org/a</link>'
    ),
    "relative guid and link resolve against the feed": RSS_ITEM.format(
        "<guid>/p/2</guid><link>p/2.html</link>"
    ),
    "atom and dc dates inside RSS": RSS_ITEM.format(
        '<title>A</title><pubDate>Tue, 03 Mar 2026 10:00:00 +0100</pubDate><updated xmlns="http://www.w3.org/2005/Atom">'
        "2026-03-04T10:00:00Z</updated>"
    ),
    "dc:date is the updated date": RSS_ITEM.format(
        '<title>A</title><date xmlns="http://purl.org/dc/elements/1.1/">2026-03-05T01:02:03+02:00</date>'
    ),
    "a four-digit year 0001": RSS_ITEM.format(
        "<title>A</title><pubDate>Mon, 01 Jan 0001 00:00:00 +0000</pubDate>"
    ),
    "two-digit year and a zone name": RSS_ITEM.format(
        "<title>A</title><pubDate>Tue, 03 Mar 26 10:00 EST</pubDate>"
    ),
    "categories, repeated, empty, and keywords": RSS_ITEM.format(
        "<title>A</title><category>X</category><category>X</category><category> </category>"
        "<category>Y</category>"
        '<keywords xmlns="http://www.itunes.com/dtds/podcast-1.0.dtd">Z, X,,W</keywords>'
        '<group xmlns="http://search.yahoo.com/mrss/"><keywords>V</keywords></group>'
    ),
    "atom entry without a link takes its id": """<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
        <entry><id>https://e.org/e/1</id><title>A</title><updated>2026-01-01T00:00:00Z</updated></entry></feed>""",
    "atom: the last alternate link, relative id": """<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
        <entry><id>/e/2</id><title type="html">Tom &amp;amp; Jerry</title><link href="https://e.org/a"/>
        <link rel="alternate" type="text/html" href="/b"/><link rel="self" href="/self"/>
        <link rel="alternate" type="application/pdf" href="/c.pdf"/></entry></feed>""",
    "rss 1.0 with rdf:about": """<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
        xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel rdf:about="x">
        <title>t</title><link>https://e.org/</link></channel><item rdf:about="https://e.org/i/1">
        <title>A</title><link>https://e.org/i/1.html</link><dc:date>2026-02-01T00:00:00Z</dc:date>
        <dc:subject>S</dc:subject></item></rdf:RDF>""",
}


@pytest.mark.parametrize("document", list(SAME_AS_FEEDPARSER.values()), ids=list(SAME_AS_FEEDPARSER))
def test_the_fast_path_gives_feedparsers_items(document: str) -> None:
    url = "https://feeds.example/news/feed.xml"
    fast = parse_fast(document.encode(), url, make_item)
    assert fast is not None, "the fast path declined a document it should read"
    slow = parse_with_feedparser(document.encode(), url)
    assert [[getattr(i, f) for f in FIELDS] for i in fast.items] == [
        [getattr(i, f) for f in FIELDS] for i in slow.items
    ]


@pytest.mark.parametrize(
    "document",
    [
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x "y">]><rss version="2.0"><channel><title>&x;</title>'
        b"</channel></rss>",
        b'<rss version="0.91"><channel><title>t</title><item><title>A</title></item></channel></rss>',
        b'<feed xmlns="http://purl.org/atom/ns#" version="0.3"><title>t</title></feed>',
        b'<rss version="2.0"><channel><title>t</title><item><title>A</title><pubDate>the 3rd of March'
        b"</pubDate></item></channel></rss>",
        b'<rss version="2.0"><channel><title>t & broken</title></channel></rss>',
    ],
    ids=["doctype", "rss 0.91", "atom 0.3", "unreadable date", "not well-formed"],
)
def test_the_fast_path_leaves_what_it_is_unsure_of_to_feedparser(document: bytes) -> None:
    assert parse_fast(document, "https://e.org/feed", make_item) is None
    with contextlib.suppress(FeedError):  # feedparser reads it, or says why not
        parse(document, "https://e.org/feed")


@pytest.mark.corpus
def test_the_fast_path_reads_the_real_feeds_as_feedparser_does(shared: Path) -> None:
    files = sorted((shared / "corpora/feeds").iterdir())
    taken = items = same = 0
    for path in files:
        data, url = path.read_bytes(), f"https://corpus.example/{path.name}"
        fast = parse_fast(data, url, make_item)
        if fast is None:
            continue
        taken += 1
        slow = parse_with_feedparser(data, url)
        items += len(slow.items)
        same += sum(
            [getattr(a, f) for f in FIELDS] == [getattr(b, f) for f in FIELDS]
            for a, b in zip(fast.items, slow.items, strict=True)
        )
    print(f"\nfast path: {taken} of {len(files)} feeds; {same} of {items} items the same as feedparser's")
    assert taken >= 180, "the fast path should read most real feeds"
    assert same >= 0.99 * items


def test_a_doctype_behind_a_long_comment_still_goes_to_feedparser() -> None:
    padding = b"<!--" + b" " * 10_000 + b"-->"
    document = (
        b'<?xml version="1.0"?>' + padding + b'<!DOCTYPE rss [<!ENTITY x "expanded">]>'
        b'<rss version="2.0"><channel><title>t</title><item><title>&x;</title><guid>g</guid></item>'
        b"</channel></rss>"
    )
    assert parse_fast(document, "https://e.org/feed", make_item) is None
