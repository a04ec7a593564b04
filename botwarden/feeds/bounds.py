"""Bounds on the shape of an XML feed, checked before a parser builds anything from it.

A feed is a few levels deep (the 200 real feeds of the corpus nest at most 5 elements) and holds a few
thousand elements (at most 4,191 in that corpus). A document nested hundreds deep, or holding hundreds of
thousands of elements, is no feed, and reading one costs far more than its size: 10 MB of 1.4 million
nested elements took feedparser 35 s and 674 MB. Such a document is refused with a :class:`FeedError`
before either parser reads it.

The check reads tags the way a lenient parser does, so it works on documents that are not well-formed as
well: comments, CDATA sections, declarations and processing instructions are passed over, an HTML void
element (``<br>``, ``<img>``) opens no level, a ``<p>`` (or ``<li>``...) closes the one still open before
it, and an end tag closes everything opened since its start tag (an end tag with no start tag is
ignored). Its time is linear in the document and it stops at the first limit passed.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from botwarden.errors import FeedError

# libxml2's own limit without its "huge" option, so both parser paths refuse the same documents.
MAX_DEPTH = 256
# 25 times the largest feed of the corpus: room for a podcast's 4,000 episodes of 25 elements each, and a
# document feedparser still reads in seconds.
MAX_ELEMENTS = 100_000

_VOID = frozenset(
    b"area base br col embed hr img input meta param track wbr".split()
)  # HTML elements that never hold others ("link" and "source" are not: RSS gives them text)
# HTML elements whose start closes an open one of the same name (<p>a<p>b is two paragraphs).
_SIBLINGS = frozenset(b"p li dt dd tr td th option".split())
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
    (b"\x00<\x00?", "utf-16-be"),
)


@dataclass(frozen=True, slots=True)
class XmlLimits:
    max_depth: int = MAX_DEPTH
    max_elements: int = MAX_ELEMENTS


DEFAULT_LIMITS = XmlLimits()


def within_element_limit(data: bytes, limits: XmlLimits) -> bool:
    """A quick answer for the common case: a document with fewer ``<`` than the element limit cannot hold
    more elements than that."""
    return data.count(b"<") <= limits.max_elements


def check_shape(data: bytes, url: str, limits: XmlLimits = DEFAULT_LIMITS) -> None:
    """Raise FeedError when ``data`` nests elements deeper, or holds more elements, than ``limits``."""
    if data.count(b"<") <= min(limits.max_depth, limits.max_elements):
        return  # too few tags to pass either limit
    _scan(_as_ascii_compatible(data), url, limits)


def _as_ascii_compatible(data: bytes) -> bytes:
    """UTF-16 and UTF-32 documents as UTF-8, so their tags can be found byte by byte."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, "replace").encode()
    return data.replace(b"\x00", b"") if b"\x00" in data[:1024] else data


class _Levels:
    """The elements open at a point of the document, innermost last."""

    def __init__(self) -> None:
        self.names: list[bytes] = []
        self.counts: dict[bytes, int] = {}

    def open(self, name: bytes) -> int:
        if name in _SIBLINGS and self.names and self.names[-1] == name:
            self.close(name)
        self.names.append(name)
        self.counts[name] = self.counts.get(name, 0) + 1
        return len(self.names)

    def close(self, name: bytes) -> None:
        """An end tag closes its element and whatever was left open inside it; one with no open element
        of its name closes nothing."""
        if not self.counts.get(name):
            return
        while self.names:
            closed = self.names.pop()
            self.counts[closed] -= 1
            if closed == name:
                return


def _scan(data: bytes, url: str, limits: XmlLimits) -> None:
    levels = _Levels()
    elements = tags = 0  # tags: every "<" read, as a tag, markup or a stray one in text
    at = data.find(b"<")
    while at >= 0:
        tags += 1
        following = data.find(b"<", at + 1)
        if data.startswith((b"<!", b"<?"), at):
            at = _after_markup(data, at)
            if tags > 3 * limits.max_elements:
                raise _too_many(url, limits)
            continue
        end = data.find(b">", at + 1, following if following >= 0 else len(data))
        name = _name(data[at + 1 : end]) if end >= 0 else b""
        if name:
            if name.startswith(b"/"):
                levels.close(name[1:])
            else:
                elements += 1
                closed = data[end - 1] == 0x2F or name in _VOID  # "<name/>", <br>
                if not closed and levels.open(name) > limits.max_depth:
                    raise FeedError(
                        f"{url}: the document nests elements more than {limits.max_depth} deep, which no "
                        "feed does; check that the address serves an RSS or Atom feed"
                    )
        if elements > limits.max_elements or tags > 3 * limits.max_elements:
            raise _too_many(url, limits)
        at = following


def _too_many(url: str, limits: XmlLimits) -> FeedError:
    return FeedError(
        f"{url}: the document holds more than {limits.max_elements:,} elements, more than any feed; "
        "check that the address serves an RSS or Atom feed, or ask for a shorter one"
    )


def _after_markup(data: bytes, at: int) -> int:
    """Where the next tag may start after the comment, CDATA section, declaration or processing
    instruction at ``at`` (-1 when it runs to the end)."""
    for opener, closer in ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>")):
        if data.startswith(opener, at):
            end = data.find(closer, at + len(opener))
            return -1 if end < 0 else data.find(b"<", end + len(closer))
    end = data.find(b">", at)
    return -1 if end < 0 else data.find(b"<", end)


def _name(tag: bytes) -> bytes:
    """The lower-case name of a start or end tag's inside ("/item" for "</item>"), or b"" for text."""
    closing = tag.startswith(b"/")
    parts = tag[1 if closing else 0 :].split(None, 1)
    if not parts:
        return b""
    name = parts[0].rstrip(b"/").lower()
    if not name or not (name[0:1].isalpha() or name[0] in b"_:" or name[0] >= 0x80):
        return b""
    return b"/" + name if closing else name
