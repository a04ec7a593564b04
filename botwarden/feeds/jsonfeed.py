"""JSON Feed (versions 1 and 1.1), which feedparser 6.0 does not read."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from botwarden.errors import FeedError
from botwarden.feeds.bounds import DEFAULT_LIMITS, XmlLimits
from botwarden.feeds.identity import content_hash, item_identity
from botwarden.feeds.media import item_media
from botwarden.feeds.model import Enclosure, Feed, Item, MediaRef

VERSION_PREFIX = "https://jsonfeed.org/version/"


def looks_like_json_feed(data: bytes) -> bool:
    return data.lstrip()[:1] == b"{"


def parse_json_feed(data: bytes, url: str, limits: XmlLimits = DEFAULT_LIMITS) -> Feed:
    try:
        doc = json.loads(data)
    except RecursionError:
        raise FeedError(f"{url}: the JSON nests too deep for a feed; check the feed's address") from None
    except ValueError as exc:
        raise FeedError(f"{url}: not valid JSON ({exc})") from exc
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith(VERSION_PREFIX):
        raise FeedError(f"{url}: JSON but not a JSON Feed (its 'version' must start with {VERSION_PREFIX})")
    raw_items = doc.get("items")
    if not isinstance(raw_items, list):
        raise FeedError(f"{url}: JSON Feed without an 'items' list")
    if len(raw_items) > limits.max_elements:  # the same bound as an XML feed's elements
        raise FeedError(
            f"{url}: the JSON Feed holds more than {limits.max_elements:,} items, more than any feed; "
            "ask for a shorter one"
        )
    items = [_item(entry, url) for entry in raw_items if isinstance(entry, dict)]
    return Feed(
        title=_str(doc.get("title")),
        link=_str(doc.get("home_page_url")),
        items=items,
        format="json" + str(doc["version"]).removeprefix(VERSION_PREFIX),
    )


def _item(entry: dict[str, Any], base: str) -> Item:
    link = _str(entry.get("url")) or _str(entry.get("external_url"))
    if link:
        link = urljoin(base, link)
    title = _str(entry.get("title"))
    summary = _str(entry.get("summary")) or _str(entry.get("content_html")) or _str(entry.get("content_text"))
    published = _date(entry.get("date_published"))
    updated = _date(entry.get("date_modified"))
    guid = entry.get("id")
    tags = entry.get("tags")
    authors = entry.get("authors") or ([entry["author"]] if isinstance(entry.get("author"), dict) else [])
    enclosures = _attachments(entry.get("attachments"))
    return Item(
        id=item_identity(str(guid) if guid is not None else None, link, title, published or updated),
        title=title,
        link=link,
        published=published,
        updated=updated,
        summary=summary,
        categories=[t for t in tags if isinstance(t, str)] if isinstance(tags, list) else [],
        enclosures=enclosures,
        author=next((_str(a.get("name")) for a in authors if isinstance(a, dict)), ""),
        content_hash=content_hash(title, summary, link),
        media=_media(entry, enclosures, base),
    )


def _media(entry: dict[str, Any], enclosures: list[Enclosure], base: str) -> list[MediaRef]:
    """The item's ``image`` (JSON Feed's main image) and ``banner_image`` count as Media RSS content."""
    images = [urljoin(base, url) for key in ("image", "banner_image") if (url := _str(entry.get(key)))]
    return item_media(
        enclosures=enclosures,
        contents=[{"url": url, "medium": "image"} for url in images],
        thumbnails=[],
        description="",
        rating="",
        rating_scheme="",
        markup=[(_str(entry.get("content_html")), base), (_str(entry.get("summary")), base)],
    )


def _attachments(raw: Any) -> list[Enclosure]:
    if not isinstance(raw, list):
        return []
    out = []
    for att in raw:
        if isinstance(att, dict) and _str(att.get("url")):
            size = att.get("size_in_bytes")
            out.append(
                Enclosure(
                    url=_str(att.get("url")),
                    type=_str(att.get("mime_type")),
                    length=size if isinstance(size, int) else None,
                )
            )
    return out


def _str(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _date(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
