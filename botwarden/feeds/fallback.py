"""feedparser's reading of a document, with two changes that keep an item's identity where it was.

``feedparser.parse`` resolves a guid (and an Atom id) against the document's address when it may be a
permalink, so an opaque ``<guid>abc123</guid>`` becomes ``https://example.org/feeds/abc123`` and changes
when the feed moves (a redirect, http→https, another address in the config). Here the id is kept as
written; the link it stands in for, when an item has no ``<link>``, is still resolved, as feedparser does.

The document is handed over as bytes with no HTTP headers, so it is never taken for a file name (feedparser
opens a string that names a file) and its encoding is decided by the XML rules alone (its BOM, its
declaration, else UTF-8), as the fast path decides it; given headers without a content type, feedparser
would read an undeclared document as us-ascii.

Everything else is feedparser's own: its strict parser (expat) for well-formed XML, its loose parser
otherwise, its sanitizer, date parsers and namespace handling (``feedparser/api.py``, 6.0).
"""

from __future__ import annotations

import io
import xml.sax
from typing import Any

import feedparser
from feedparser.api import LooseFeedParser, StrictFeedParser
from feedparser.encodings import convert_to_utf8
from feedparser.sanitizer import replace_doctype
from feedparser.util import FeedParserDict

from botwarden.feeds.feedparser_rules import document_base


class _KeepIds:
    """Reads ``<guid>`` and ``<id>`` without resolving them against the base."""

    guidislink: Any

    def _end_guid(self) -> None:
        permalink = self.guidislink
        self.guidislink = False  # feedparser resolves an id only while it may be a permalink
        value = self.pop("id")  # type: ignore[attr-defined]
        self.guidislink = permalink
        self._save("guidislink", permalink and "link" not in self._get_context())  # type: ignore[attr-defined]
        if permalink:  # the guid stands in for a missing link, resolved as feedparser resolves links
            self._save("link", self.resolve_uri(value) if value else value)  # type: ignore[attr-defined]

    _end_id = _end_guid


# Where an entry keeps the text of its first media:description, which feedparser merges into the summary.
MEDIA_DESCRIPTION = "botwarden_media_description"


class _KeepMediaDescription:
    """Keeps the text of an entry's first ``media:description`` apart: the words for its images."""

    elementstack: list[Any]
    inentry: Any

    def _end_media_description(self) -> None:
        text = "".join(self.elementstack[-1][2]) if self.elementstack else ""
        context = self._get_context()  # type: ignore[attr-defined]
        if self.inentry and text.strip() and MEDIA_DESCRIPTION not in context:
            context[MEDIA_DESCRIPTION] = text
        super()._end_media_description()  # type: ignore[misc]


class _Strict(_KeepIds, _KeepMediaDescription, StrictFeedParser):  # type: ignore[misc]
    pass


class _Loose(_KeepIds, _KeepMediaDescription, LooseFeedParser):  # type: ignore[misc]
    pass


def read(data: bytes, url: str) -> Any:
    """feedparser's result for ``data`` found at ``url`` (a ``FeedParserDict``)."""
    result = FeedParserDict(bozo=False, entries=[], feed=FeedParserDict(), headers={})
    data = convert_to_utf8({}, data, result)
    strict = bool(result["encoding"])
    result["version"], data, entities = replace_doctype(data)
    base = document_base(url)
    parser: Any = None
    if strict:
        parser = _strict_parse(data, base, result)
    if parser is None:
        parser = _Loose(base, None, "utf-8", entities)
        parser.resolve_relative_uris = feedparser.RESOLVE_RELATIVE_URIS
        parser.sanitize_html = feedparser.SANITIZE_HTML
        parser.feed(data.decode("utf-8", "replace"))
    result["feed"] = parser.feeddata
    result["entries"] = parser.entries
    result["version"] = result["version"] or parser.version
    result["namespaces"] = parser.namespaces_in_use
    return result


def _strict_parse(data: bytes, base: str, result: Any) -> Any:
    """The strict parser after a whole pass, or None when the document is not well-formed XML."""
    parser = _Strict(base, None, "utf-8")
    parser.resolve_relative_uris = feedparser.RESOLVE_RELATIVE_URIS
    parser.sanitize_html = feedparser.SANITIZE_HTML
    reader = xml.sax.make_parser()
    reader.setFeature(xml.sax.handler.feature_namespaces, 1)
    reader.setFeature(xml.sax.handler.feature_external_ges, 0)
    reader.setContentHandler(parser)
    reader.setErrorHandler(parser)
    source = xml.sax.xmlreader.InputSource()
    source.setByteStream(io.BytesIO(data))
    try:
        reader.parse(source)
    except xml.sax.SAXException as exc:
        result["bozo"] = 1
        result["bozo_exception"] = parser.exc or exc
        return None
    return parser
