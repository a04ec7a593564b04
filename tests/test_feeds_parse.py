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

FIELDS = ("id", "link", "title", "published", "updated", "categories", "enclosures", "media")
RSS_ITEM = '<rss version="2.0"><channel><title>t</title><link>/home</link><item>{}</item></channel></rss>'
SAME_AS_FEEDPARSER = {
    "permalink guid stands in for the link": RSS_ITEM.format(
        "<guid>https://e.org/p/1</guid><title>A</title>"
    ),
    "a guid that is not a permalink stays an id": RSS_ITEM.format(
        '<guid isPermaLink="false">abc-1</guid><title>A</title><link>https://e.org/a</link>'
    ),
    "a relative link resolves against the feed, a relative guid is kept as written": RSS_ITEM.format(
        "<guid>/p/2</guid><link>p/2.html</link>"
    ),
    "a permalink guid that is not a URL still stands in for the link": RSS_ITEM.format("<guid>abc123</guid>"),
    "atom and dc dates inside RSS": RSS_ITEM.format(
        '<title>A</title><pubDate>Tue, 03 Mar 2026 10:00:00 +0100</pubDate><updated xmlns="http://www.w3.org/2005/Atom">'
        "2026-03-04T10:00:00Z</updated>"
    ),
    "dc:date is the updated date": RSS_ITEM.format(
        '<title>A</title><date xmlns="http://purl.org/dc/elements/1.1/">2026-03-05T01:02:03+02:00</date>'
    ),
    "a date only feedparser's other readers know": RSS_ITEM.format(
        "<title>A</title><pubDate>2026-03-04 10:20</pubDate><updated>the 3rd of March</updated>"
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
    # xml:base: on the feed, on an entry, on a link, relative to another, and one feedparser refuses
    "xml:base on the feed and the entry": """<feed xmlns="http://www.w3.org/2005/Atom"
        xml:base="https://a.example/blog/"><title>t</title><entry xml:base="2026/"><id>e1</id>
        <link href="post.html"/><link rel="enclosure" href="../a.mp3" length="9" type="Audio/MPEG"/>
        </entry><entry><id>e2</id><link xml:base="/other/" href="p2"/></entry>
        <entry xml:base="javascript:alert(1)"><id>e3</id><link href="p3"/></entry></feed>""",
    "xml:base in RSS": """<rss version="2.0" xml:base="https://b.example/x/"><channel xml:base="y/">
        <item><link>z.html</link><guid>7</guid></item><item xml:base="/w/"><guid>8</guid></item>
        </channel></rss>""",
    # several links: the alternate one counts, whatever the namespace and order
    "several links in an item": RSS_ITEM.format(
        '<link>https://e.org/text</link><atom:link xmlns:atom="http://www.w3.org/2005/Atom" rel="self" '
        'href="https://e.org/self"/><atom:link xmlns:atom="http://www.w3.org/2005/Atom" '
        'href="https://e.org/alternate"/><link rel="related" href="https://e.org/related"/>'
    ),
    "several links in an entry": """<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry>
        <id>x</id><link rel="related" href="/related"/><link rel="alternate" type="text/html" href="/first"/>
        <link href="/second" type="application/xhtml+xml"/><link rel="alternate" type="text/plain"
        href="/plain"/><link rel="enclosure" href="/e.ogg"/></entry></feed>""",
    # namespaces in any case, element names in any case
    "the capitalised iTunes namespace": """<rss version="2.0"
        xmlns:itunes="http://www.itunes.com/DTDs/Podcast-1.0.dtd"><channel><item><title>A</title>
        <itunes:keywords>x, y</itunes:keywords><itunes:category text="News"><itunes:category
        text="Politics"/></itunes:category><itunes:author>Desk</itunes:author></item></channel></rss>""",
    "a Dublin Core namespace in capitals and upper-case names": """<rss version="2.0"
        xmlns:DC="HTTP://PURL.ORG/DC/ELEMENTS/1.1/"><channel><item><TITLE>A</TITLE><DC:DATE>2026-01-02T03:04:05Z
        </DC:DATE><DC:SUBJECT>S</DC:SUBJECT><PubDate>Tue, 03 Mar 2026 10:00:00 GMT</PubDate></item>
        </channel></rss>""",
    "an entry's element in an unknown default namespace": """<feed xmlns="http://www.w3.org/2005/Atom">
        <entry><id>x</id><title xmlns="http://unknown.example/">not the title</title></entry></feed>""",
    # titles: which one counts, and what feedparser makes of HTML in them
    "title, media:title and a source": RSS_ITEM.format(
        '<media:title xmlns:media="http://search.yahoo.com/mrss/">M1</media:title><title>T</title>'
        '<source url="https://s.example/">Source</source><media:group xmlns:media="http://search.yahoo.com/mrss/">'
        "<media:title>M2</media:title></media:group>"
    ),
    "only media titles": RSS_ITEM.format(
        '<media:content xmlns:media="http://search.yahoo.com/mrss/" url="https://e.org/v.mp4">'
        "<media:title>Video</media:title></media:content>"
    ),
    "titles that look like HTML": RSS_ITEM.format(
        "<title>Q&amp;A &lt;b&gt;bold&lt;/b&gt; &amp;amp; co</title>"
    ),
    "an Atom title of HTML": """<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>x</id>
        <title type="html">AT&amp;T &lt;script&gt;x&lt;/script&gt;&lt;i&gt;up&lt;/i&gt;</title>
        </entry></feed>""",
    "text read as Latin-1 that was UTF-8, and C1 controls": RSS_ITEM.format(
        "<title>Caf\u00c3\u00a9 \u0093quoted\u0094</title><category>\u00c3\u00bcber</category>"
    ),
    # categories and enclosures
    "categories with terms, text and labels": """<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>x</id>
        <category term="a">b</category><category label="L"/><category scheme="s"/><category>c</category>
        <category term="a"/></entry></feed>""",
    "media categories and keywords": RSS_ITEM.format(
        '<media:category xmlns:media="http://search.yahoo.com/mrss/" label="lab">cat</media:category>'
        '<media:keywords xmlns:media="http://search.yahoo.com/mrss/">k1, ,k2</media:keywords>'
        "<keywords>one, two</keywords><dc:subject xmlns:dc='http://purl.org/dc/elements/1.1/'>s</dc:subject>"
    ),
    "enclosures": RSS_ITEM.format(
        '<enclosure url="https://e.org/a.mp3" length="12" type="Audio/MPEG"/><enclosure url="" '
        'href="https://e.org/b"/><enclosure uri="rel/c.ogg" length="x"/>'
    ),
    "an item inside an Atom feed": """<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
        <item><title>old style</title></item></feed>""",
    "an item outside the channel": """<rss version="2.0"><channel><title>t</title></channel>
        <item><title>stray</title><guid>s</guid></item></rss>""",
    "an element holding a title": RSS_ITEM.format("<title>A</title><wrapper><title>B</title></wrapper>"),
    "an image's address in an item": RSS_ITEM.format("<title>A</title><image>https://e.org/i.png</image>"),
    "a DOCTYPE with no declarations": """<!DOCTYPE feed><feed xmlns="http://www.w3.org/2005/Atom"><entry>
        <id>x</id><title>A</title></entry></feed>""",
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
        b'<rss version="2.0"><channel><title>t & broken</title></channel></rss>',
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title type="xhtml"><div xmlns="http://www.w3.org/'
        b'1999/xhtml"><b>A</b></div></title></entry></feed>',
        b'<rss version="2.0"><channel><item><title>A</title><item><title>B</title></item></item></channel>'
        b"</rss>",
        b'<rss version="2.0"><channel><item><category>C<image><title>T</title></image></category></item>'
        b"</channel></rss>",
    ],
    ids=[
        "entities",
        "rss 0.91",
        "atom 0.3",
        "not well-formed",
        "xhtml title",
        "nested items",
        "nested image",
    ],
)
def test_the_fast_path_leaves_what_it_is_unsure_of_to_feedparser(document: bytes) -> None:
    assert parse_fast(document, "https://e.org/feed", make_item) is None
    with contextlib.suppress(FeedError):  # feedparser reads it, or says why not
        parse(document, "https://e.org/feed")


@pytest.mark.corpus
def test_the_fast_path_reads_the_real_feeds_as_feedparser_does(shared: Path) -> None:
    """Field by field, on every item of the feeds the fast path reads (bench/parse.py prints the figures)."""
    files = sorted((shared / "corpora/feeds").iterdir())
    taken = items = 0
    differing: dict[str, list[str]] = {name: [] for name in FIELDS}
    for path in files:
        data, url = path.read_bytes(), f"https://corpus.example/{path.name}"
        fast = parse_fast(data, url, make_item)
        if fast is None:
            continue
        taken += 1
        slow = parse_with_feedparser(data, url)
        assert len(fast.items) == len(slow.items), path.name
        items += len(slow.items)
        for index, (a, b) in enumerate(zip(fast.items, slow.items, strict=True)):
            for name in FIELDS:
                if getattr(a, name) != getattr(b, name):
                    differing[name].append(
                        f"{path.name} item {index}: {getattr(a, name)!r} != {getattr(b, name)!r}"
                    )
    print(f"\nfast path: {taken} of {len(files)} feeds, {items} items")
    assert taken >= 190, "the fast path should read most real feeds"
    for name, lines in differing.items():
        assert len(lines) <= 0.001 * items, f"{name}: " + "\n".join(lines[:5])


def test_a_doctype_behind_a_long_comment_still_goes_to_feedparser() -> None:
    padding = b"<!--" + b" " * 10_000 + b"-->"
    document = (
        b'<?xml version="1.0"?>' + padding + b'<!DOCTYPE rss [<!ENTITY x "expanded">]>'
        b'<rss version="2.0"><channel><title>t</title><item><title>&x;</title><guid>g</guid></item>'
        b"</channel></rss>"
    )
    assert parse_fast(document, "https://e.org/feed", make_item) is None
