"""One RSS item or Atom entry read the way feedparser reads it, or declined.

feedparser reads a document as a stream of elements: whatever sits inside an entry, at any depth, sets the
entry's fields, and for a field given twice its rules decide which one counts (``feedparser/mixin.py`` and
``namespaces/``). The reader here walks the entry's elements in document order and applies those rules to
the fields botwarden keeps:

- title: the first non-empty ``title`` (or ``dc:title``) at the shallowest depth; a ``media:title`` counts
  only until one of those is seen; a ``source`` or an image starts the count again, but a title never
  replaces one taken from a shallower depth. A title of HTML is sanitised.
- link: the last alternate HTML ``link`` (``href``) or ``link`` text; else the guid, resolved, when it
  may be a permalink. Addresses resolve against the ``xml:base`` in force.
- id: the last ``guid`` or ``id`` at the shallowest depth, kept as written (never resolved), else the
  item's ``rdf:about``.
- published and updated: the last of their elements, read by feedparser's own date parsers.
- categories: ``category``, ``dc:subject``, ``media:category``, ``itunes:category`` (nested ones too),
  and the comma-separated ``itunes:keywords`` and ``media:keywords``, de-duplicated as feedparser does.
- enclosures: ``enclosure`` and ``link rel="enclosure"``, in order.
- media (:mod:`botwarden.feeds.media`): ``media:content`` and ``media:thumbnail`` attributes (a
  thumbnail's text names it when it has no ``url``), the first ``media:description``, the ``media:rating``
  (the first one's attributes, the last one's text), and the first ``<img>`` of the content or summary,
  its address resolved against the base in force there.

What it is not sure of raises :class:`Declined`, and feedparser reads the document: an entry inside an
entry, a text input or an image with elements inside an entry, a source inside a source, a title of XHTML or
base64, a field holding elements.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from feedparser.datetimes import _parse_date
from lxml import etree

from botwarden.feeds import feedparser_rules as rules
from botwarden.feeds.media import item_media
from botwarden.feeds.model import Enclosure, Item, MediaRef

ItemMaker = Callable[..., Item]
BaseOf = Callable[[etree._Element], str]

ITUNES_SCHEME = "http://www.itunes.com/"
MEDIA_SCHEME = "http://search.yahoo.com/mrss/category_schema"
RDF_ABOUT = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"

TITLES = frozenset({"title", "dc:title"})
PUBLISHED = frozenset({"pubdate", "published", "issued", "dcterms:issued"})
UPDATED = frozenset({"updated", "modified", "lastbuilddate", "dc:date", "dcterms:modified"})
CATEGORIES = frozenset({"category", "keywords", "dc:subject", "media:category"})
KEYWORDS = {"itunes:keywords": ITUNES_SCHEME, "media:keywords": None, "tags": None}
AUTHORS = frozenset({"author", "dc:creator", "dc:author", "itunes:author", "managingeditor"})
SUMMARIES = frozenset({"description", "dc:description", "summary", "itunes:summary", "abstract"})
CONTENTS = frozenset({"content", "content:encoded", "body", "xhtml:body", "fullitem"})
# Elements whose inside feedparser reads as markup, not as elements.
MARKUP = (
    TITLES
    | SUMMARIES
    | CONTENTS
    | {"media:title", "media:description", "subtitle", "tagline", "itunes:subtitle", "rights", "copyright"}
    | {"dc:rights", "info", "feedburner:browserfriendly"}
)
REFUSED = frozenset({"item", "entry", "textinput"})


class Declined(Exception):
    """This document is feedparser's to read."""


Tag = tuple[str | None, str | None, str | None]  # term, scheme, label


@dataclass
class _Fields:
    title: str = ""
    title_depth: int = -1  # where the last title was seen: one as deep or deeper is passed over
    title_stored: int | None = None  # where the title was taken from: one deeper never replaces it
    link: str | None = None
    guid: str | None = None
    guid_depth: int | None = None
    dates: dict[str, datetime | None] = field(default_factory=dict)
    tags: list[Tag] = field(default_factory=list)
    links: list[dict[str, str]] = field(default_factory=list)
    summary: str | None = None
    content: str | None = None
    bases: dict[str, str] = field(default_factory=dict)  # where the summary and content were read
    author: str = ""
    media_contents: list[dict[str, str]] = field(default_factory=list)
    media_thumbnails: list[dict[str, str]] = field(default_factory=list)
    media_description: str = ""
    rating: dict[str, str] | None = None


class EntryReader:
    """Reads entries of one document; ``base_of`` gives the base URI in force at an element."""

    def __init__(self, base_of: BaseOf, *, guess_html: bool, make_item: ItemMaker) -> None:
        self.base_of = base_of
        self.guess_html = guess_html  # RSS: a plain-text title that looks like HTML is HTML
        self.make_item = make_item

    def read(self, entry: etree._Element) -> Item:
        if "lastmod" in entry.attrib or "href" in entry.attrib:
            raise Declined  # a CDF item's attributes set its date and link
        fields = _Fields(guid=entry.get(RDF_ABOUT))
        self._walk(entry, 1, fields, in_source=False)
        enclosures = _enclosures(fields.links)
        # Stripped as the fallback strips what feedparser gives (botwarden.feeds.parse._text).
        return self.make_item(
            guid=(fields.guid or "").strip() or None,
            title=fields.title.strip(),
            link=(fields.link or "").strip(),
            published=fields.dates.get("published"),
            updated=fields.dates.get("updated"),
            summary=(fields.summary or fields.content or "").strip(),
            categories=_categories(fields.tags),
            enclosures=enclosures,
            author=fields.author.strip(),
            media=self._media(fields, enclosures),
        )

    def _media(self, fields: _Fields, enclosures: list[Enclosure]) -> list[MediaRef]:
        rating = fields.rating or {}
        return item_media(
            enclosures=enclosures,
            contents=fields.media_contents,
            thumbnails=fields.media_thumbnails,
            description=fields.media_description,
            rating=rating.get("content", ""),
            rating_scheme=rating.get("scheme", ""),
            markup=[
                (fields.content or "", fields.bases.get("content", "")),
                (fields.summary or "", fields.bases.get("summary", "")),
            ],
        )

    def _walk(self, parent: etree._Element, depth: int, fields: _Fields, *, in_source: bool) -> None:
        for element in parent:
            name = rules.name_of(element)
            if name is None:
                continue
            if name in REFUSED or (name == "image" and len(element)):
                raise Declined
            if in_source or name == "source":
                self._source(element, name, depth, fields, starts=not in_source)
                continue
            read = _READERS.get(name)
            if name == "image":  # an image's address: it only starts the title's count again
                fields.title_depth = -1
            elif read is not None:
                read(self, element, name, depth, fields)
            elif name not in MARKUP and len(element):
                self._walk(element, depth + 1, fields, in_source=False)

    # -- the fields ------------------------------------------------------------------------------------

    def _title(self, element: etree._Element, name: str, depth: int, fields: _Fields) -> None:
        value = self._title_text(element)
        shallower = fields.title_stored is None or depth <= fields.title_stored
        if not -1 < fields.title_depth <= depth and shallower:  # an empty title is taken too
            fields.title, fields.title_stored = value, depth
        if value and name != "media:title":  # a media:title never holds the place of a title
            fields.title_depth = depth

    def _title_text(self, element: etree._Element) -> str:
        attrs = rules.attributes(element)
        kind = rules.content_type(attrs.get("type", "text/plain"))
        textual = kind.startswith("text/") or kind.endswith(("+xml", "/xml"))
        if len(element) or attrs.get("mode") == "base64" or not textual or kind == "application/xhtml+xml":
            raise Declined  # markup, base64 or XHTML: feedparser keeps or decodes it
        value = _text(element)
        if kind == "text/plain" and self.guess_html and rules.looks_like_html(value):
            kind = "text/html"
        return (
            rules.finish_html(value, self.base_of(element))
            if kind in rules.HTML_TYPES
            else rules.finish(value)
        )

    def _link(self, element: etree._Element, name: str, depth: int, fields: _Fields) -> None:
        attrs = rules.attributes(element)
        attrs.setdefault("rel", "alternate")
        attrs.setdefault("type", "application/atom+xml" if attrs["rel"] == "self" else "text/html")
        attrs = rules.enforce_href(attrs)
        if "href" in attrs:
            attrs["href"] = rules.resolve_href(self.base_of(element), attrs["href"])
            fields.links.append(attrs)
            if attrs["rel"] == "alternate" and rules.content_type(attrs["type"]) in rules.HTML_TYPES:
                fields.link = attrs["href"]
            self._inside(element, depth, fields)
            return
        fields.links.append(attrs)
        text = _leaf_text(element)
        if text:
            text = rules.resolve(self.base_of(element), text)
        fields.link = rules.finish_link(text)
        if fields.link:
            attrs["href"] = fields.link

    def _guid(self, element: etree._Element, name: str, depth: int, fields: _Fields) -> None:
        permalink = rules.attributes(element).get("ispermalink", "true") == "true"
        value = rules.finish(_leaf_text(element))
        if fields.guid_depth is None or depth <= fields.guid_depth:
            fields.guid, fields.guid_depth = value, depth
        if permalink and fields.link is None:
            fields.link = rules.resolve(self.base_of(element), value) if value else value

    def _date(self, element: etree._Element, name: str, depth: int, fields: _Fields) -> None:
        fields.dates["published" if name in PUBLISHED else "updated"] = _when(_leaf_text(element))

    def _category(self, element: etree._Element, name: str, depth: int, fields: _Fields) -> None:
        attrs = rules.attributes(element)
        if name == "media:category":
            attrs.setdefault("scheme", MEDIA_SCHEME)
        scheme = attrs.get("scheme", attrs.get("domain"))
        _add_tag(fields.tags, attrs.get("term"), scheme, attrs.get("label"))
        _end_category(fields.tags, rules.finish(_leaf_text(element)))

    def _itunes_category(self, element: etree._Element, name: str, depth: int, fields: _Fields) -> None:
        _add_tag(fields.tags, rules.attributes(element).get("text"), ITUNES_SCHEME, None)
        self._walk(element, depth + 1, fields, in_source=False)  # subcategories
        _end_category(fields.tags, rules.finish(_own_text(element)))

    def _keywords(self, element: etree._Element, name: str, depth: int, fields: _Fields) -> None:
        if element.attrib:
            raise Declined  # feedparser keeps such an element's attributes and loses its text
        scheme = KEYWORDS[name]
        for term in rules.finish(_leaf_text(element)).split(","):
            if term.strip():
                _add_tag(fields.tags, term.strip(), scheme, None)

    def _enclosure(self, element: etree._Element, name: str, depth: int, fields: _Fields) -> None:
        attrs = rules.enforce_href(rules.attributes(element))
        attrs["rel"] = "enclosure"
        fields.links.append(attrs)
        self._inside(element, depth, fields)

    def _summary(self, element: etree._Element, name: str, depth: int, fields: _Fields) -> None:
        value = _markup(element)
        if name not in SUMMARIES:
            fields.content, fields.bases["content"] = value, self.base_of(element)
        elif fields.summary is None:
            fields.summary, fields.bases["summary"] = value, self.base_of(element)
        elif fields.content is None:  # feedparser reads a second summary as the content
            fields.content, fields.bases["content"] = value, self.base_of(element)

    def _media_content(self, element: etree._Element, name: str, depth: int, fields: _Fields) -> None:
        fields.media_contents.append(rules.attributes(element))
        self._inside(element, depth, fields)

    def _media_thumbnail(self, element: etree._Element, name: str, depth: int, fields: _Fields) -> None:
        attrs = rules.attributes(element)
        if "url" not in attrs:
            text = "" if len(element) else rules.finish((element.text or "").strip())
            if text:
                attrs["url"] = text
        fields.media_thumbnails.append(attrs)
        self._inside(element, depth, fields)

    def _media_description(self, element: etree._Element, name: str, depth: int, fields: _Fields) -> None:
        if not fields.media_description:
            fields.media_description = _markup(element)

    def _media_rating(self, element: etree._Element, name: str, depth: int, fields: _Fields) -> None:
        if fields.rating is None:
            fields.rating = rules.attributes(element)
        text = _text(element)
        if text:
            fields.rating["content"] = text

    def _author(self, element: etree._Element, name: str, depth: int, fields: _Fields) -> None:
        parts = {rules.name_of(child): _text(child) for child in element}
        who, email = parts.get("name", ""), parts.get("email", "")
        if who and email:
            fields.author = f"{who} ({email})"
        else:
            fields.author = who or email or rules.finish(_own_text(element).strip())

    def _inside(self, element: etree._Element, depth: int, fields: _Fields) -> None:
        """feedparser reads what an element without text of its own holds as it reads the entry."""
        if len(element):
            self._walk(element, depth + 1, fields, in_source=False)

    def _source(
        self, element: etree._Element, name: str, depth: int, fields: _Fields, *, starts: bool
    ) -> None:
        """Inside a source only its titles matter to the entry: each one holds the title's place."""
        if starts:
            fields.title_depth = -1
        elif name == "source":
            raise Declined  # the inner source's end ends the outer one too, in feedparser
        elif name == "image":
            fields.title_depth = -1
        elif name in TITLES and self._title_text(element):
            fields.title_depth = depth
        if name not in MARKUP and len(element):
            self._walk(element, depth + 1, fields, in_source=True)


_READERS: dict[str, Callable[[EntryReader, etree._Element, str, int, _Fields], None]] = {
    **dict.fromkeys(TITLES | {"media:title"}, EntryReader._title),
    "link": EntryReader._link,
    "guid": EntryReader._guid,
    "id": EntryReader._guid,
    **dict.fromkeys(PUBLISHED | UPDATED, EntryReader._date),
    **dict.fromkeys(CATEGORIES, EntryReader._category),
    "itunes:category": EntryReader._itunes_category,
    **dict.fromkeys(KEYWORDS, EntryReader._keywords),
    "enclosure": EntryReader._enclosure,
    **dict.fromkeys(SUMMARIES | CONTENTS, EntryReader._summary),
    **dict.fromkeys(AUTHORS, EntryReader._author),
    "media:content": EntryReader._media_content,
    "media:thumbnail": EntryReader._media_thumbnail,
    "media:description": EntryReader._media_description,
    "media:rating": EntryReader._media_rating,
}


def _text(element: etree._Element) -> str:
    return "".join(element.itertext()).strip()


def _leaf_text(element: etree._Element) -> str:
    """The text of an element feedparser reads as one value; one holding elements is declined."""
    if len(element):
        raise Declined
    return (element.text or "").strip()


def _own_text(element: etree._Element) -> str:
    """The text directly inside an element, around its children."""
    return "".join([element.text or "", *(child.tail or "" for child in element)]).strip()


def _markup(element: etree._Element) -> str:
    if rules.attributes(element).get("type") in ("xhtml", "application/xhtml+xml"):
        return "".join(etree.tostring(child, encoding="unicode") for child in element).strip()
    if len(element) and not element.attrib:  # inline markup (an RSS <body>): feedparser keeps it as HTML
        inner = "".join(etree.tostring(child, encoding="unicode") for child in element)
        return ((element.text or "") + inner).strip()
    return _text(element)


def _when(raw: str) -> datetime | None:
    """A date as feedparser's parsers read it, in UTC; None when none of them can."""
    parsed = _parse_date(raw) if raw else None
    if not isinstance(parsed, time.struct_time):
        return None
    try:
        return datetime(*parsed[:6], tzinfo=UTC)
    except (ValueError, OverflowError):
        return None


def _add_tag(tags: list[Tag], term: str | None, scheme: str | None, label: str | None) -> None:
    if (term or scheme or label) and (term, scheme, label) not in tags:
        tags.append((term, scheme, label))


def _end_category(tags: list[Tag], value: str) -> None:
    """A category's text names the term its attributes left empty, else it is a category of its own."""
    if not value:
        return
    if tags and not tags[-1][0]:
        tags[-1] = (value, tags[-1][1], tags[-1][2])
    else:
        _add_tag(tags, value, None, None)


def _categories(tags: list[Tag]) -> list[str]:
    out: list[str] = []
    for term, _scheme, label in tags:
        text = (term or label or "").strip()
        if text and text not in out:
            out.append(text)
    return out


def _enclosures(links: list[dict[str, str]]) -> list[Enclosure]:
    out = []
    for link in links:
        href = (link.get("href") or "").strip()
        if link.get("rel") != "enclosure" or not href:
            continue
        length = (link.get("length") or "").strip()
        kind = link.get("type", "").strip()
        out.append(Enclosure(url=href, type=kind, length=int(length) if length.isdigit() else None))
    return out
