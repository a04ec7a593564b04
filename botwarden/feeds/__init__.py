"""Feeds: fetch (httpx), parse (feedparser, JSON Feed), normalise to Item, stable identity."""

from botwarden.feeds.fetch import FetchLimits, FetchResult, fetch_feed
from botwarden.feeds.identity import content_hash, item_identity
from botwarden.feeds.model import Enclosure, Feed, Item, MediaRef
from botwarden.feeds.parse import parse

__all__ = [
    "Enclosure",
    "Feed",
    "FetchLimits",
    "FetchResult",
    "Item",
    "MediaRef",
    "content_hash",
    "fetch_feed",
    "item_identity",
    "parse",
]
