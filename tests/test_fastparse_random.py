"""The fast path against feedparser on generated feeds: random RSS 2.0, RSS 1.0 and Atom documents mixing the
shapes real feeds use (several links and titles, xml:base at any level, namespaces and names in any case,
media groups, sources, categories of every kind, dates in many formats, enclosures, HTML in titles). Where
the fast path reads a document, every item must be what feedparser (botwarden's fallback) makes of it."""

from __future__ import annotations

import random
from html import escape

import pytest

from botwarden.feeds.fastparse import parse_fast
from botwarden.feeds.parse import make_item, parse_with_feedparser

FIELDS = ("id", "link", "title", "published", "updated", "categories", "enclosures", "author", "media")
NAMESPACES = {
    "atom": ["http://www.w3.org/2005/Atom"],
    "dc": ["http://purl.org/dc/elements/1.1/", "HTTP://PURL.ORG/DC/ELEMENTS/1.1/"],
    "media": ["http://search.yahoo.com/mrss/", "http://search.yahoo.com/mrss"],
    "itunes": ["http://www.itunes.com/dtds/podcast-1.0.dtd", "http://www.itunes.com/DTDs/Podcast-1.0.dtd"],
    "content": ["http://purl.org/rss/1.0/modules/content/"],
    "x": ["http://unknown.example/ns"],
}
DATES = [
    "Tue, 03 Mar 2026 10:00:00 GMT",
    "Tue, 03 Mar 2026 10:00:00 +0130",
    "3 Mar 2026 10:00 EST",
    "Tue, 3 Mar 26 10:00:00 PST",
    "2026-03-04T10:20:30Z",
    "2026-03-04T10:20:30.123+02:00",
    "2026-03-04",
    "2026-03-04 10:20",
    "20260304T102030Z",
    "Mon, 01 Jan 0001 00:00:00 +0000",
    "Wed, 31 Feb 2026 25:61:00 GMT",
    "yesterday",
    "",
]
WORDS = [
    "Storm",
    "ferry",
    "Fähre",
    "渡し船",
    "AT&T",
    "Q&A",
    "<b>bold</b>",
    "&amp;",
    "it’s",
    "5 > 3",
    "é",
    "  ",
    "CafÃ©",
    "\u0093q\u0094",
    "&#8217;",
    "&nbsp;",
    "\n",
    "a<br>b",
    "</p>",
]
ADDRESSES = [
    "https://e.org/a",
    "http://e.org/b?x=1&y=2",
    "/abs/c",
    "rel/d.html",
    "../up",
    "",
    "abc123",
    "urn:x:1",
    " https://e.org/spaced ",
    "http://e.org/q?a=1&amp;b=2",
    "HTTPS://E.ORG/Up",
    "//e.org/net",
    "?q",
    "#frag",
]


class Doc:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.prefixes: dict[str, str] = {}

    def ns(self, name: str) -> str:
        """A prefix bound to the namespace ``name`` (declared on the root)."""
        if name not in self.prefixes:
            self.prefixes[name] = self.rng.choice([name, name.upper(), name + "2"])
        return self.prefixes[name]

    def declarations(self) -> str:
        return "".join(
            f' xmlns:{prefix}="{self.rng.choice(NAMESPACES[name])}"' for name, prefix in self.prefixes.items()
        )

    def text(self) -> str:
        words = " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(0, 4)))
        if self.rng.random() < 0.2:
            return f"<![CDATA[{words}]]>"
        return escape(words, quote=False)

    def base(self) -> str:
        if self.rng.random() > 0.15:
            return ""
        return (
            f' xml:base="{self.rng.choice(["https://b.example/dir/", "sub/", "/root/", "http://c.example"])}"'
        )

    def name(self, local: str) -> str:
        return local.upper() if self.rng.random() < 0.05 else local


def _field(doc: Doc, atom: bool) -> str:
    r = doc.rng
    kind = r.choice(
        ["title", "title", "link", "link", "guid", "date", "date", "category", "category", "enclosure",
         "media", "source", "wrapper", "author", "summary", "image", "dc", "comment", "content", "atomsource"]
    )  # fmt: skip
    if kind == "comment":
        return f"<title>{doc.text()}<!-- a comment -->{doc.text()}</title>"
    if kind == "content":
        return f"<{doc.ns('content')}:encoded>{doc.text()}</{doc.ns('content')}:encoded>"
    if kind == "atomsource":
        tag = "source" if atom else f"{doc.ns('atom')}:source"
        inner = "".join(_field(doc, True) for _ in range(r.randint(0, 3)))
        return f"<{tag}>{inner}</{tag}>"
    if kind == "title":
        attrs = f' type="{r.choice(["text", "html", "text/html"])}"' if r.random() < 0.3 else ""
        tag = doc.name("title")
        return f"<{tag}{attrs}>{doc.text()}</{tag}>"
    if kind == "link":
        if atom or r.random() < 0.5:
            tag = "link" if atom else f"{doc.ns('atom')}:link"
            rel = r.choice(["", ' rel="alternate"', ' rel="self"', ' rel="related"', ' rel="enclosure"'])
            kind_ = r.choice(["", ' type="text/html"', ' type="application/pdf"', ' type="TEXT/HTML"'])
            return f'<{tag}{rel}{kind_}{doc.base()} href="{escape(r.choice(ADDRESSES))}"/>'
        return f"<link{doc.base()}>{escape(r.choice(ADDRESSES))}</link>"
    if kind == "guid":
        tag = "id" if atom else "guid"
        permalink = r.choice(["", ' isPermaLink="false"', ' isPermaLink="true"'])
        return f"<{tag}{permalink}{doc.base()}>{escape(r.choice(ADDRESSES))}</{tag}>"
    if kind == "date":
        tag = r.choice(
            ["pubDate", "updated", "published", "lastBuildDate", f"{doc.ns('dc')}:date", "modified"]
        )
        space = r.choice(["", " ", "\n  "])
        return f"<{tag}>{space}{r.choice(DATES)}{space}</{tag}>"
    if kind == "category":
        choice = r.randrange(5)
        if choice == 0:
            label = ' label="L"' if r.random() < 0.5 else ""
            return f'<category term="{escape(r.choice(WORDS).strip() or "t")}"{label}/>'
        if choice == 1:
            return f'<category domain="d">{doc.text()}</category>'
        if choice == 2:
            m = doc.ns("media")
            return (
                f'<{m}:category label="lab">{doc.text()}</{m}:category><{m}:keywords>a, b,,c</{m}:keywords>'
            )
        if choice == 3:
            i = doc.ns("itunes")
            return f'<{i}:category text="News"><{i}:category text="Local"/></{i}:category>'
        return f"<{doc.ns('itunes')}:keywords>x,y , z</{doc.ns('itunes')}:keywords>"
    if kind == "enclosure":
        attr = r.choice(["url", "href", "uri"])
        mime = r.choice(["audio/mpeg", "Audio/MPEG", "image/png"])
        length = r.choice(["12", "x", ""])
        return f'<enclosure {attr}="{escape(r.choice(ADDRESSES))}" type="{mime}" length="{length}"/>'
    if kind == "media":
        m = doc.ns("media")
        inner = f"<{m}:title>{doc.text()}</{m}:title>" * r.randint(0, 2)
        if r.random() < 0.3:
            inner += _field(doc, atom)
        return f'<{m}:group><{m}:content url="https://e.org/v.mp4">{inner}</{m}:content></{m}:group>'
    if kind == "source":
        return f'<source url="https://s.example/">{doc.text()}</source>'
    if kind == "wrapper":
        return f"<{doc.ns('x')}:wrap>{_field(doc, atom)}</{doc.ns('x')}:wrap>"
    if kind == "author":
        return (
            "<author><name>Desk</name><email>d@e.org</email></author>" if atom else "<author>d@e.org</author>"
        )
    if kind == "summary":
        return f"<description>{doc.text()}</description>"
    if kind == "image":
        return "<image>https://e.org/i.png</image>"
    return f"<{doc.ns('dc')}:title>{doc.text()}</{doc.ns('dc')}:title>"


def _document(seed: int) -> str:
    rng = random.Random(seed)
    doc = Doc(rng)
    flavour = rng.choice(["rss", "rss", "atom", "rdf"])
    atom = flavour == "atom"
    entries = []
    for _ in range(rng.randint(1, 4)):
        fields = "".join(_field(doc, atom) for _ in range(rng.randint(1, 8)))
        tag = "entry" if atom else "item"
        about = ' rdf:about="https://e.org/about"' if flavour == "rdf" and rng.random() < 0.5 else ""
        entries.append(f"<{tag}{about}{doc.base()}>{fields}</{tag}>")
    body = "".join(entries)
    declarations = doc.declarations()
    if flavour == "atom":
        return f'<feed xmlns="http://www.w3.org/2005/Atom"{declarations}{doc.base()}><title>t</title>{body}</feed>'
    if flavour == "rdf":
        return (
            f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"'
            f"{declarations}><channel><title>t</title><link>https://e.org/</link></channel>{body}</rdf:RDF>"
        )
    return f'<rss version="2.0"{declarations}{doc.base()}><channel><title>t</title>{body}</channel></rss>'


def _fields(items: list[object]) -> list[list[object]]:
    return [[getattr(item, name) for name in FIELDS] for item in items]


@pytest.mark.parametrize("block", range(20))
def test_the_fast_path_reads_generated_feeds_as_feedparser_does(block: int) -> None:
    read = 0
    for seed in range(block * 50, block * 50 + 50):
        document = _document(seed).encode()
        url = f"https://feeds.example/{seed}/feed.xml"
        fast = parse_fast(document, url, make_item)
        if fast is None:
            continue
        read += 1
        slow = parse_with_feedparser(document, url)
        assert _fields(fast.items) == _fields(slow.items), f"seed {seed}:\n{document.decode()}"
    assert read >= 30, "the fast path should read most generated feeds"
