"""Stable identity and content hash of a feed item.

Identity is what says "this is the same entry": the publisher's guid, else its canonical link, else a
hash of title and date. It does not change when an entry is re-dated, edited or moved in the feed, so
such an entry is never posted twice. The content hash changes when the text does, so an edit is noticed.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from botwarden.compose.links import canonical_link


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def item_identity(guid: str | None, link: str | None, title: str, published: datetime | None) -> str:
    if guid and guid.strip():
        return guid.strip()
    if link and link.strip():
        return canonical_link(link)
    stamp = published.isoformat() if published else ""
    return "sha256:" + _digest(" ".join(title.split()).casefold(), stamp)


def content_hash(title: str, summary: str, link: str) -> str:
    return _digest(" ".join(title.split()), " ".join(summary.split()), canonical_link(link))
