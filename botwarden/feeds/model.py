"""The normalised shapes of a parsed feed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Enclosure:
    url: str
    type: str = ""
    length: int | None = None


@dataclass(frozen=True, slots=True)
class MediaRef:
    """An image the item names (an image enclosure, ``media:content``, ``media:thumbnail`` or the first
    ``<img>`` of its content), with what the feed says about it."""

    url: str
    type: str = ""  # the MIME type the feed gives, if any
    source: str = ""  # enclosure, media:content, media:thumbnail or img
    description: str = ""  # the feed's own words for it: media:description, or the <img alt>
    sensitive: bool = False  # the item's media:rating says adult


@dataclass(frozen=True, slots=True)
class Item:
    """One feed entry. ``id`` is its stable identity (see :mod:`botwarden.feeds.identity`)."""

    id: str
    title: str
    link: str
    published: datetime | None
    updated: datetime | None
    summary: str
    categories: list[str] = field(default_factory=list)
    enclosures: list[Enclosure] = field(default_factory=list)
    author: str = ""
    content_hash: str = ""
    media: list[MediaRef] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Feed:
    title: str
    link: str
    items: list[Item]
    format: str = ""
