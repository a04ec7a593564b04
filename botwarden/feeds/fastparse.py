"""A fast path for the feeds most publishers serve: well-formed RSS 2.0, RSS 1.0 (RDF) and Atom 1.0.

feedparser spends most of its time sanitising and rewriting each entry's HTML, which botwarden never
shows as HTML (the composer turns a summary into plain text). This path reads the same fields with
libxml2 (lxml) and gives the same items as feedparser — ids, links, titles, dates, categories and
enclosures — by applying feedparser's rules (:mod:`botwarden.feeds.fastentry`); ``bench/parse.py``
compares the two field by field on real feeds and on feedparser's own test corpus.

It declines (returns None) on anything it is not sure of: entity declarations (feedparser's to refuse or
expand), XML that is not well-formed, another format or version, an entry it cannot read as feedparser
would. Then feedparser reads the document as before. A document over the element limit of
:mod:`botwarden.feeds.bounds` is refused here, before libxml2 builds its tree; libxml2 itself refuses one
nested deeper than the depth limit, which the fallback then refuses with a reason.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from botwarden.feeds import feedparser_rules as rules
from botwarden.feeds.bounds import DEFAULT_LIMITS, XmlLimits, check_shape, within_element_limit
from botwarden.feeds.fastentry import MARKUP, Declined, EntryReader, ItemMaker
from botwarden.feeds.model import Feed

ATOM = "{http://www.w3.org/2005/Atom}"
RSS1 = "{http://purl.org/rss/1.0/}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"

# No network, no DTD, no entity substitution, libxml2's size and depth limits kept.
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)
_ENTRIES = frozenset({"item", "entry"})

__all__ = ["Declined", "parse_fast"]


def parse_fast(
    data: bytes, url: str, make_item: ItemMaker, limits: XmlLimits = DEFAULT_LIMITS
) -> Feed | None:
    """The feed, or None when this path declines the document. ``make_item`` builds each Item from its
    fields (the same function feedparser's results go through). Raises FeedError for a document over
    ``limits``."""
    if not within_element_limit(data, limits):
        check_shape(data, url, limits)
    if b"<!ENTITY" in data[:4096].upper():
        return None
    try:
        root = etree.fromstring(data, _PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        return None  # declared entities further in than the first look reached
    try:
        return _feed(root, url, make_item)
    except Declined:
        return None


def _feed(root: etree._Element, url: str, make_item: ItemMaker) -> Feed | None:
    kind = _kind(root)
    if kind is None:
        return None
    base_of = _Bases(root, url)
    reader = EntryReader(base_of, guess_html=kind != "atom10", make_item=make_item)
    items = [reader.read(entry) for entry in _entries(root)]
    title, link = _about(root, kind, base_of)
    return Feed(title=title, link=link, items=items, format=kind)


def _kind(root: etree._Element) -> str | None:
    if root.tag == "rss" and root.get("version") == "2.0" and root.find("channel") is not None:
        return "rss20"
    if root.tag == f"{RDF}RDF" and root.find(f"{RSS1}channel") is not None:
        return "rss10"
    if root.tag == f"{ATOM}feed":
        return "atom10"
    return None


def _entries(parent: etree._Element) -> Iterator[etree._Element]:
    """Every item or entry, wherever it is, as feedparser finds them: not inside markup."""
    for element in parent:
        name = rules.name_of(element)
        if name in _ENTRIES:
            yield element
        elif name is not None and name not in MARKUP and len(element):
            yield from _entries(element)


def _about(root: etree._Element, kind: str, base_of: _Bases) -> tuple[str, str]:
    """The feed's own title and link."""
    channel = {"rss20": root.find("channel"), "rss10": root.find(f"{RSS1}channel"), "atom10": root}[kind]
    assert channel is not None
    namespace = {"rss20": "", "rss10": RSS1, "atom10": ATOM}[kind]
    title = rules.finish(_text(channel.find(f"{namespace}title")))
    if kind != "atom10":
        link_element = channel.find(f"{namespace}link")
        link = rules.resolve(base_of(link_element), _text(link_element)) if link_element is not None else ""
        return title, link
    link = ""
    for candidate in channel.iterfind(f"{ATOM}link"):  # feedparser keeps the last alternate HTML link
        attrs = rules.enforce_href(rules.attributes(candidate))
        rel, kind_ = attrs.get("rel", "alternate"), attrs.get("type", "text/html")
        if "href" in attrs and rel == "alternate" and rules.content_type(kind_) in rules.HTML_TYPES:
            link = rules.resolve_href(base_of(candidate), attrs["href"])
    return title, link


def _text(element: etree._Element | None) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""


class _Bases:
    """The base URI in force at each element: the feed's address, changed by every ``xml:base`` (or
    ``base``) on the way down, as feedparser tracks it."""

    def __init__(self, root: etree._Element, url: str) -> None:
        self.start = rules.document_base(url)
        self.any = _has_base(root)
        self.known: dict[etree._Element, str] = {}

    def __call__(self, element: etree._Element) -> str:
        if not self.any:
            return self.start
        found = self.known.get(element)
        if found is None:
            parent = element.getparent()
            outer = self(parent) if parent is not None else self.start
            found = self.known[element] = rules.rebase(outer, _xml_base(element))
        return found


def _has_base(root: etree._Element) -> bool:
    return bool(root.xpath("boolean(//@*[local-name()='base'])"))


def _xml_base(element: etree._Element) -> str | None:
    return element.get(rules.XML_BASE) or element.get("base")
