"""Parse RSS, Atom, RDF and JSON Feed documents into :class:`Feed`.

Well-formed RSS 2.0, RSS 1.0 and Atom 1.0 take a fast path (:mod:`botwarden.feeds.fastparse`); everything
else goes to feedparser (:mod:`botwarden.feeds.fallback`), which is lenient (it reads most broken feeds)
and safe by default (no external entities). Either path first holds the document to the bounds of
:mod:`botwarden.feeds.bounds` (depth and element count). What neither can turn into a feed becomes a
:class:`FeedError` that says what the input looked like.

An item's id is its guid as written: a guid that is not an absolute URL is an opaque id, never resolved
against the feed's address, so it stays the same when the feed moves.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from botwarden.errors import FeedError
from botwarden.feeds import fallback
from botwarden.feeds.bounds import DEFAULT_LIMITS, XmlLimits, check_shape
from botwarden.feeds.fastparse import parse_fast
from botwarden.feeds.identity import content_hash, item_identity
from botwarden.feeds.jsonfeed import looks_like_json_feed, parse_json_feed
from botwarden.feeds.media import item_media
from botwarden.feeds.model import Enclosure, Feed, Item, MediaRef

_HTML_STARTS = (b"<!doctype html", b"<html")


def parse(data: bytes, url: str, *, limits: XmlLimits = DEFAULT_LIMITS) -> Feed:
    """Parse a feed document fetched from ``url``; raises FeedError when it is not a usable feed."""
    if not isinstance(data, bytes | bytearray):
        raise FeedError(f"{url}: feed data must be bytes, got {type(data).__name__}")
    if not data.strip():
        raise FeedError(f"{url}: the feed is empty (0 bytes of content)")
    try:
        if looks_like_json_feed(data):
            return parse_json_feed(bytes(data), url, limits)
        fast = parse_fast(bytes(data), url, make_item, limits)
        if fast is not None:
            return fast
        return parse_with_feedparser(data, url, limits=limits)
    except FeedError:
        raise
    except Exception as exc:  # feedparser raises many kinds on hostile input; none may escape
        raise FeedError(f"{url}: could not read the feed ({type(exc).__name__}: {exc})") from exc


def parse_with_feedparser(data: bytes, url: str, *, limits: XmlLimits = DEFAULT_LIMITS) -> Feed:
    """The document as feedparser reads it (the fallback, and the baseline the fast path is held to)."""
    try:
        check_shape(bytes(data), url, limits)
        result = fallback.read(bytes(data), url)
        return _to_feed(result, data, url)
    except FeedError:
        raise
    except Exception as exc:  # feedparser raises many kinds on hostile input; none may escape
        raise FeedError(f"{url}: could not read the feed ({type(exc).__name__}: {exc})") from exc


def _to_feed(result: Any, data: bytes, url: str) -> Feed:
    if not result.get("version") and not result.entries:
        raise FeedError(f"{url}: {_why_not_a_feed(result, data)}")
    meta = result.feed
    items = [_to_item(entry) for entry in result.entries]
    return Feed(
        title=_text(meta.get("title")),
        link=_text(meta.get("link")),
        items=items,
        format=str(result.get("version") or ""),
    )


def _why_not_a_feed(result: Any, data: bytes) -> str:
    head = data[:512].lstrip().lower()
    if head.startswith(_HTML_STARTS) or b"<html" in head:
        return (
            "this is an HTML page, not a feed; use the address of its RSS or Atom feed "
            '(often linked as <link rel="alternate" type="application/rss+xml">)'
        )
    problem = result.get("bozo_exception")
    detail = f" ({problem})" if problem else ""
    return f"not an RSS, Atom or JSON feed{detail}"


def _to_item(entry: Any) -> Item:
    enclosures = _enclosures(entry)
    return make_item(
        guid=_text(entry.get("id")) or None,
        title=_text(entry.get("title")),
        link=_text(entry.get("link")),
        published=_when(entry.get("published_parsed")),
        # dict.get skips feedparser's deprecated fallback from updated to published.
        updated=_when(dict.get(entry, "updated_parsed")),
        summary=_text(entry.get("summary")),
        categories=_categories(entry),
        enclosures=enclosures,
        author=_text(entry.get("author")),
        media=_media(entry, enclosures),
    )


def make_item(
    *,
    guid: str | None,
    title: str,
    link: str,
    published: datetime | None,
    updated: datetime | None,
    summary: str,
    categories: list[str],
    enclosures: list[Enclosure],
    author: str,
    media: list[MediaRef] | None = None,
) -> Item:
    """An Item from its fields, whichever parser read them: identity and content hash computed alike."""
    # The publisher's guid is the identity whether or not it is also a permalink.
    identity = item_identity(guid, link or None, title, published or updated)
    return Item(
        id=identity,
        title=title,
        link=link,
        published=published,
        updated=updated,
        summary=summary,
        categories=categories,
        enclosures=enclosures,
        author=author,
        content_hash=content_hash(title, summary, link),
        media=media or [],
    )


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _when(parsed: Any) -> datetime | None:
    if not isinstance(parsed, time.struct_time):
        return None
    try:
        return datetime(*parsed[:6], tzinfo=UTC)
    except (ValueError, OverflowError):
        return None


def _categories(entry: Any) -> list[str]:
    terms: list[str] = []
    for tag in entry.get("tags") or []:
        term = _text(tag.get("term") or tag.get("label"))
        if term and term not in terms:
            terms.append(term)
    return terms


def _enclosures(entry: Any) -> list[Enclosure]:
    out: list[Enclosure] = []
    for enclosure in entry.get("enclosures") or []:
        href = _text(enclosure.get("href") or enclosure.get("url"))
        if not href:
            continue
        raw_length = str(enclosure.get("length") or "").strip()
        length = int(raw_length) if raw_length.isdigit() else None
        out.append(Enclosure(url=href, type=_text(enclosure.get("type")), length=length))
    return out


def _media(entry: Any, enclosures: list[Enclosure]) -> list[MediaRef]:
    rating = entry.get("media_rating") or {}
    contents = entry.get("content") or []
    return item_media(
        enclosures=enclosures,
        contents=[_attrs(found) for found in entry.get("media_content") or []],
        thumbnails=[_attrs(found) for found in entry.get("media_thumbnail") or []],
        description=_text(entry.get(fallback.MEDIA_DESCRIPTION)),
        rating=_text(rating.get("content")),
        rating_scheme=_text(rating.get("scheme")),
        # feedparser has made the addresses in both absolute already
        markup=[*((_text(part.get("value")), "") for part in contents), (_text(entry.get("summary")), "")],
    )


def _attrs(found: Any) -> dict[str, str]:
    return {str(key): _text(value) for key, value in dict(found).items()}
