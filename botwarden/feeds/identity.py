"""Stable identity and content hash of a feed item.

Identity is what says "this is the same entry": the publisher's guid as written, else its canonical link,
else a hash of title and date. It does not change when an entry is re-dated, edited or moved in the feed,
so such an entry is never posted twice. A guid that is not an absolute URL is an opaque id: it is never
resolved against the feed's address, so it stays the same when the feed moves (a redirect, http→https, a
new address in the configuration). The content hash changes when the text does, so an edit is noticed.

:func:`earlier_identities` and :func:`same_place` recognise an item stored before a move, or before guids
were kept as written.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from urllib.parse import urlsplit

from botwarden.compose.links import canonical_link
from botwarden.feeds.feedparser_rules import resolve

_WEB = ("http://", "https://")


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


def is_web_address(identity: str) -> bool:
    return identity.lower().startswith(_WEB)


def earlier_identities(identity: str, feed_url: str) -> tuple[str, ...]:
    """Other forms under which this item may have been stored: its address on the other scheme (the site
    moved to https, or back), and for an opaque guid the guid resolved against the feed's address (as
    botwarden stored guids before they were kept as written)."""
    forms = [identity]
    if not _has_scheme(identity) and is_web_address(feed_url) and (resolved := resolve(feed_url, identity)):
        forms.append(resolved)
    aliases = [other for form in forms if (other := _other_scheme(form)) is not None]
    return tuple(dict.fromkeys([*forms[1:], *aliases]))


def same_place(stored: str, candidates: tuple[str, ...]) -> bool:
    """Whether the web address ``stored`` names the same page as one of ``candidates`` on another host or
    scheme: the same path and query (a feed whose relative links now resolve against its new address)."""
    place = _place(stored)
    return place is not None and any(_place(candidate) == place for candidate in candidates)


def _place(address: str) -> tuple[str, str] | None:
    if not is_web_address(address):
        return None
    try:
        parts = urlsplit(address)
    except ValueError:
        return None
    return parts.path or "/", parts.query


def _has_scheme(identity: str) -> bool:
    try:
        return bool(urlsplit(identity).scheme)
    except ValueError:
        return True  # not a reference that could be resolved either


def _other_scheme(address: str) -> str | None:
    lowered = address[:8].lower()
    if lowered.startswith("https://"):
        return "http://" + address[8:]
    if lowered.startswith("http://"):
        return "https://" + address[7:]
    return None
