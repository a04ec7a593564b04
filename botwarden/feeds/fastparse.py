"""A fast path for the feeds most publishers serve: well-formed RSS 2.0, RSS 1.0 (RDF) and Atom 1.0.

feedparser spends most of its time sanitising and rewriting each entry's HTML, which botwarden never
shows as HTML (the composer turns a summary into plain text). This path reads the same fields with
libxml2 (lxml) and gives the same items, ids, links, titles and dates as feedparser; ``bench/parse.py``
compares the two on real feeds. It declines (returns None) on anything it is not sure of: a DOCTYPE
(entities are feedparser's to refuse), XML that is not well-formed, another format or version, a date
it cannot read. Then feedparser reads the document as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_tz
from urllib.parse import urljoin

from lxml import etree

from botwarden.feeds.model import Enclosure, Feed, Item

ATOM = "{http://www.w3.org/2005/Atom}"
RSS1 = "{http://purl.org/rss/1.0/}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
DCTERMS = "{http://purl.org/dc/terms/}"
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
MEDIA = ("{http://search.yahoo.com/mrss/}", "{http://search.yahoo.com/mrss}")
_HTML_TYPES = frozenset(["text/html", "application/xhtml+xml"])

# No network, no DTD, no entity substitution, libxml2's size limits kept: a DOCTYPE never gets this far.
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)

ItemMaker = Callable[..., Item]


class Declined(Exception):
    """This document is feedparser's to read."""


def parse_fast(data: bytes, url: str, make_item: ItemMaker) -> Feed | None:
    """The feed, or None when this path declines the document. ``make_item`` builds each Item from its
    fields (the same function feedparser's results go through)."""
    if b"<!DOCTYPE" in data[:4096].upper() or b"<!ENTITY" in data[:4096].upper():
        return None
    try:
        root = etree.fromstring(data, _PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root.getroottree().docinfo.doctype:  # a DOCTYPE further in than the first look reached
        return None
    try:
        if root.tag == "rss" and root.get("version") == "2.0":
            return _rss(root, url, make_item)
        if root.tag == f"{RDF}RDF":
            return _rdf(root, url, make_item)
        if root.tag == f"{ATOM}feed":
            return _atom(root, url, make_item)
    except Declined:
        return None
    return None


def _rss(root: etree._Element, url: str, make_item: ItemMaker) -> Feed:
    channel = root.find("channel")
    if channel is None:
        raise Declined
    items = [_entry(item, url, make_item) for item in channel.iterfind("item")]
    return Feed(title=_text(channel, "title"), link=_resolve(url, _text(channel, "link")), items=items,
                format="rss20")  # fmt: skip


def _rdf(root: etree._Element, url: str, make_item: ItemMaker) -> Feed:
    channel = root.find(f"{RSS1}channel")
    if channel is None:
        raise Declined
    items = [
        _entry(item, url, make_item, about=item.get(f"{RDF}about")) for item in root.iterfind(f"{RSS1}item")
    ]
    return Feed(title=_text(channel, f"{RSS1}title"), link=_resolve(url, _text(channel, f"{RSS1}link")),
                items=items, format="rss10")  # fmt: skip


def _atom(root: etree._Element, url: str, make_item: ItemMaker) -> Feed:
    if any(e.get("type") == "xhtml" for e in root.iter(f"{ATOM}title")):
        raise Declined  # XHTML titles are feedparser's (it keeps their markup)
    items = [_entry(entry, url, make_item) for entry in root.iterfind(f"{ATOM}entry")]
    return Feed(title=_text(root, f"{ATOM}title"), link=_alternate(root, url) or "", items=items,
                format="atom10")  # fmt: skip


# feedparser reads RSS 2.0, RSS 1.0 and Atom elements alike, whatever the document's format: an Atom
# <updated> in an RSS item is the item's updated date. Each name below is what it reads the element as.
_NAMES = {
    **{tag: tag for tag in ("title", "link", "guid", "pubDate", "published", "updated", "description",
                            "summary", "content", "category", "enclosure", "author", "id")},
    **{f"{ns}{tag}": tag for ns in (ATOM, RSS1) for tag in ("title", "link", "id", "published", "updated",
                                                            "description", "summary", "content", "category",
                                                            "author")},
    f"{DC}date": "updated", f"{DCTERMS}modified": "updated", f"{DCTERMS}issued": "published",
    f"{DC}title": "title", f"{DC}subject": "category", f"{DC}creator": "author",
    f"{CONTENT}encoded": "content",
    f"{ITUNES}keywords": "keywords", f"{ITUNES}category": "itunes_category",
    **{f"{ns}keywords": "keywords" for ns in MEDIA}, **{f"{ns}category": "category" for ns in MEDIA},
    **{f"{ns}group": "group" for ns in MEDIA},
}  # fmt: skip
_GROUPED = frozenset(tag for tag, name in _NAMES.items() if name in ("keywords", "category"))


def _entry(element: etree._Element, url: str, make_item: ItemMaker, about: str | None = None) -> Item:
    """One item or entry, read as feedparser reads it: for a field given twice, the last one counts. An
    RSS 1.0 item's ``rdf:about`` is its id as it stands (not a link)."""
    fields: dict[str, str] = {}
    dates: dict[str, datetime | None] = {}
    link: str | None = None
    guid, permalink = about, about is None
    categories: list[str] = []
    enclosures: list[Enclosure] = []
    children = list(element)
    for child in children:
        name = _NAMES.get(child.tag) if isinstance(child.tag, str) else None
        if name is None:
            continue
        if name == "group":  # a media:group's keywords and categories are the item's
            children.extend(c for c in child if c.tag in _GROUPED)
            continue
        if name in ("guid", "id"):
            guid, permalink = _strip(child), child.get("isPermaLink", "true") == "true"
        elif name == "link":
            if child.tag == "link" or child.tag == f"{RSS1}link":
                link = _resolve(url, _strip(child))
            elif (href := _alternate_href(child)) is not None:
                link = _resolve(url, href)
            elif child.get("rel") == "enclosure" and (href := (child.get("href") or "").strip()):
                enclosures.append(_enclosure(_resolve(url, href), child))
        elif name in ("published", "pubDate", "updated"):
            dates["updated" if name == "updated" else "published"] = _date(_strip(child))
        elif name == "category":
            categories.append((child.get("term") or child.get("label") or _strip(child)).strip())
        elif name == "keywords":
            categories += [term.strip() for term in _strip(child).split(",")]
        elif name == "itunes_category":
            categories.append((child.get("text") or "").strip())
        elif name == "enclosure":
            if href := (child.get("url") or "").strip():
                enclosures.append(_enclosure(href, child))
        elif name == "author":
            fields["author"] = _text(child, f"{ATOM}name") if child.tag == f"{ATOM}author" else _strip(child)
        elif name in ("summary", "description"):
            fields["summary"] = _content(child)
        else:
            fields[name] = _content(child) if name == "content" else _strip(child)
    if guid and permalink:
        guid = _resolve(url, guid)  # feedparser resolves a permalink guid; it stands in for a missing link
        if link is None:
            link = guid
    return make_item(
        guid=guid or None,
        title=fields.get("title", ""),
        link=link or "",
        published=dates.get("published"),
        updated=dates.get("updated"),
        summary=fields.get("summary") or fields.get("content", ""),
        categories=_distinct(categories),
        enclosures=enclosures,
        author=fields.get("author", ""),
    )


def _enclosure(href: str, element: etree._Element) -> Enclosure:
    kind = (element.get("type") or "").strip()
    return Enclosure(url=href, type=kind, length=_length(element.get("length")))


def _alternate_href(link: etree._Element) -> str | None:
    rel, kind = link.get("rel", "alternate"), link.get("type", "text/html")
    href = (link.get("href") or "").strip()
    return href if rel == "alternate" and kind in _HTML_TYPES and href else None


def _alternate(element: etree._Element, url: str) -> str | None:
    """The feed's last alternate HTML link (feedparser keeps the last one it sees)."""
    found = None
    for link in element.iterfind(f"{ATOM}link"):
        if (href := _alternate_href(link)) is not None:
            found = _resolve(url, href)
    return found


def _content(element: etree._Element | None) -> str:
    if element is None:
        return ""
    if element.get("type") == "xhtml":
        return "".join(etree.tostring(child, encoding="unicode") for child in element).strip()
    return "".join(element.itertext()).strip()


def _text(parent: etree._Element, tag: str) -> str:
    return _strip(parent.find(tag))


def _strip(element: etree._Element | None) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""


_SCHEME_SLASHES = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*://)(/*)(.*?)")


def _resolve(base: str, value: str) -> str:
    """``value`` made absolute against ``base`` exactly as feedparser does it."""
    if not value:
        return ""
    try:
        return urljoin(base, _SCHEME_SLASHES.sub(r"\1\3", value))
    except ValueError:
        return ""


def _distinct(values: list[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        if value and value not in out:
            out.append(value)
    return out


def _length(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() else None


def _date(raw: str) -> datetime | None:
    """An RFC 822 or ISO 8601 date in UTC; None when there is none. A date in another shape declines the
    document, so that feedparser's many date readers decide it."""
    if not raw:
        return None
    parts = parsedate_tz(raw)
    if parts is not None:
        year = parts[0]
        if f" {year % 100:04d} " in f" {raw} ":
            year %= 100  # written with four digits ("0001"): not the two-digit year the reader took it for
        try:
            return datetime(year, *parts[1:6], tzinfo=UTC) - timedelta(seconds=parts[9] or 0)
        except (ValueError, OverflowError):
            return None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise Declined from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC).replace(microsecond=0)
