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


@dataclass(frozen=True, slots=True)
class Feed:
    title: str
    link: str
    items: list[Item]
    format: str = ""
