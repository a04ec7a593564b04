"""How feedparser names elements and finishes the values it reads, for the fast path to read alike.

feedparser knows an element by a canonical prefix for its namespace (looked up in any letter case, so the
capitalised iTunes namespace is ``itunes``) and its local name in lower case: ``{http://purl.org/dc/
elements/1.1/}date`` is ``dc:date``, an Atom or RSS 1.0 ``title`` is plain ``title``. An element of a
namespace it does not know keeps the document's prefix. Each text value then goes through the same steps
(``feedparser/mixin.py``, ``pop``): a title of HTML is resolved and sanitised, text that is UTF-8 read as
Latin-1 is read again, and the C1 controls become the Windows-1252 characters they stand for.

The functions here use feedparser's own tables and sanitizer, so the two paths cannot drift apart.
"""

from __future__ import annotations

import contextlib
import re
from functools import lru_cache

from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin
from feedparser.sanitizer import _sanitize_html
from feedparser.urls import _urljoin, make_safe_absolute_uri, resolve_relative_uris
from lxml import etree

_PREFIXES = {uri.lower(): prefix.lower() for uri, prefix in _FeedParserMixin.namespaces.items()}
_USERLAND = "backend.userland.com/rss"
HTML_TYPES = frozenset(_FeedParserMixin.html_types)
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_C1 = re.compile("[\x80-\x9f]")
_ENTITY_IN_LINK = re.compile("&([A-Za-z0-9_]+);")


@lru_cache(maxsize=4096)
def element_name(tag: str, prefix: str | None) -> str:
    """feedparser's name for an element with lxml ``tag`` ("{uri}local") written with ``prefix``."""
    namespace, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
    lowered = namespace.lower()
    if _USERLAND in lowered:
        lowered = "http://" + _USERLAND
    known = _PREFIXES.get(lowered)
    canonical = known if known is not None else (prefix or "").lower() if namespace else ""
    return f"{canonical}:{local.lower()}" if canonical else local.lower()


def name_of(element: etree._Element) -> str | None:
    """feedparser's name for ``element``, or None for a processing instruction or an entity."""
    tag = element.tag
    return element_name(tag, element.prefix) if isinstance(tag, str) else None


def attributes(element: etree._Element) -> dict[str, str]:
    """The element's attributes as feedparser keys them: in lower case, with the canonical prefix of a
    namespace it knows (``xml:base``), a bare local name otherwise; ``rel`` and ``type`` values in lower
    case."""
    out: dict[str, str] = {}
    for key, value in element.attrib.items():
        name = element_name(str(key), None)
        out[name] = value.lower() if name in ("rel", "type") else value
    return out


def finish(value: str) -> str:
    """A text value as feedparser gives it back: UTF-8 that was read as Latin-1 read again, and the C1
    controls mapped to the Windows-1252 characters they stand for."""
    if value.isascii():
        return value
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        value = value.encode("iso-8859-1").decode("utf-8")
    return value.translate(_cp1252) if _C1.search(value) else value


def finish_link(value: str) -> str:
    """An entry's link text: feedparser undoes what it takes for a mangled query (``&amp;`` and ``&a;``)."""
    value = finish(value)
    if "&" in value:
        value = _ENTITY_IN_LINK.sub(r"&\g<1>", value.replace("&amp;", "&"))
    return value


def finish_html(value: str, base: str) -> str:
    """A title of HTML: its relative URIs resolved and its markup sanitised, as feedparser does."""
    if not any(c in value for c in "&<>\r"):
        return finish(value)
    resolved = resolve_relative_uris(value, base, "utf-8", "text/html")
    return finish(_sanitize_html(resolved, "utf-8", "text/html"))


def looks_like_html(value: str) -> bool:
    """feedparser's guess that a plain-text field of an RSS feed holds HTML."""
    return bool(_FeedParserMixin.looks_like_html(value))


def content_type(value: str) -> str:
    """A content type as feedparser maps the short forms."""
    return str(_FeedParserMixin.map_content_type(value))


def resolve(base: str, value: str) -> str:
    """A text value (a link, a guid) made absolute against ``base`` as feedparser does it; empty stays
    empty."""
    return str(_urljoin(base, value)) if value else ""


def resolve_href(base: str, value: str) -> str:
    """An ``href`` attribute made absolute against ``base``: an empty one names the base itself."""
    return str(_urljoin(base, value))


def document_base(url: str) -> str:
    """The base a document starts with: its address, when that is absolute with a scheme feedparser
    accepts."""
    return str(make_safe_absolute_uri(url) or "") if url else ""


def rebase(base: str, xml_base: str | None) -> str:
    """The base inside an element with ``xml_base`` (feedparser keeps the outer base when the new one is
    not an absolute URI of a scheme it accepts)."""
    if not xml_base:
        return base
    if not base:
        return str(_urljoin(base, xml_base))
    return str(make_safe_absolute_uri(base, xml_base) or base)


def enforce_href(attrs: dict[str, str]) -> dict[str, str]:
    """feedparser reads a link's address from ``url``, else ``uri``, else ``href``."""
    href = attrs.get("url", attrs.get("uri", attrs.get("href")))
    if href:
        attrs.pop("url", None)
        attrs.pop("uri", None)
        attrs["href"] = href
    return attrs
