"""OPML, the list of feeds every feed reader imports and exports (OPML 2.0, opml.org/spec2.opml): the feeds
of an OPML file, and an OPML file of feeds.

A feed is an ``outline`` element with an ``xmlUrl`` attribute, at any depth (readers nest them in folders);
its name is its ``title`` or ``text``. The file is read with entities and network access off and a size
cap, like any document from elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from lxml import etree

from botwarden.errors import InputError

MAX_BYTES = 10_000_000


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    url: str
    title: str = ""


def read_opml(data: bytes, source: str) -> list[OpmlFeed]:
    """The feeds an OPML document lists, in document order, each URL once."""
    if len(data) > MAX_BYTES:
        raise InputError(f"{source}: larger than {MAX_BYTES:,} bytes; not an OPML file botwarden reads")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{source}: not an OPML file ({exc.msg})") from None
    if root is None or etree.QName(root).localname.lower() != "opml":
        raise InputError(f"{source}: not an OPML file (its root element is not <opml>)")
    found: dict[str, OpmlFeed] = {}
    for outline in root.iter("{*}outline"):
        attributes = {str(k).lower(): str(v) for k, v in outline.attrib.items()}
        url = attributes.get("xmlurl", "").strip()
        if url and url not in found:
            title = (attributes.get("title") or attributes.get("text") or "").strip()
            found[url] = OpmlFeed(url, title)
    if not found:
        raise InputError(f"{source}: lists no feeds (no <outline> with an xmlUrl)")
    return list(found.values())


def write_opml(feeds: Iterable[OpmlFeed], title: str, now: datetime | None = None) -> bytes:
    """An OPML 2.0 document listing ``feeds``."""
    opml = etree.Element("opml", version="2.0")
    head = etree.SubElement(opml, "head")
    etree.SubElement(head, "title").text = title
    etree.SubElement(head, "dateCreated").text = format_datetime(now or datetime.now(UTC))
    body = etree.SubElement(opml, "body")
    for feed in feeds:
        name = feed.title or feed.url
        etree.SubElement(body, "outline", type="rss", text=name, title=name, xmlUrl=feed.url)
    return bytes(etree.tostring(opml, xml_declaration=True, encoding="utf-8", pretty_print=True))
