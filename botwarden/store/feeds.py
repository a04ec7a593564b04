"""Feeds and their items in the store: which feeds are due (claimed so that one worker fetches each), how
each fetch went, the items seen, and the routes that queue them."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from botwarden.feeds.model import Item
from botwarden.store.db import one_of
from botwarden.store.items import stored_items
from botwarden.store.media import PENDING, refs_of
from botwarden.store.models import FeedRow, ItemRow, RouteRow


@dataclass(frozen=True, slots=True)
class DueFeed:
    """A feed to fetch, with what makes the request conditional."""

    id: str
    url: str
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True, slots=True)
class StoredItem:
    id: int
    feed_id: str
    identity: str
    title: str
    link: str
    summary: str
    author: str
    categories: tuple[str, ...]
    published: datetime | None
    first_seen_at: datetime


def claim_due(
    session: Session, now: datetime, feeds: Collection[str], claim: Callable[[int], timedelta]
) -> list[DueFeed]:
    """Claim those of ``feeds`` due now: each is pushed ``claim(how many are due)`` into the future, so
    another worker sharing the store does not fetch it too; if this one dies, the claim lapses."""
    rows = list(
        session.scalars(
            select(FeedRow)
            .where(
                one_of(session, FeedRow.id, feeds),
                or_(FeedRow.next_fetch_at.is_(None), FeedRow.next_fetch_at <= now),
            )
            .order_by(FeedRow.id)
            .with_for_update(skip_locked=True)
        )
    )
    until = now + claim(len(rows))
    for row in rows:
        row.next_fetch_at = until
    return [DueFeed(row.id, row.url, row.etag, row.last_modified) for row in rows]


def fetch_failed(
    session: Session, feed_id: str, error: str, now: datetime, wait: Callable[[int], timedelta]
) -> tuple[int, datetime]:
    """Note a failed fetch; the next try is ``wait(errors in a row)`` away. Returns both."""
    row = session.get_one(FeedRow, feed_id)
    row.error_streak += 1
    row.next_fetch_at, row.last_fetched_at = now + wait(row.error_streak), now
    row.last_status, row.last_error = "error", error
    return row.error_streak, row.next_fetch_at


def fetched(
    session: Session,
    feed_id: str,
    now: datetime,
    next_fetch_at: datetime,
    etag: str | None,
    last_modified: str | None,
) -> None:
    """Note an answered fetch (its validators kept for the next conditional request)."""
    row = session.get_one(FeedRow, feed_id)
    row.next_fetch_at = next_fetch_at
    row.last_fetched_at, row.error_streak, row.last_error = now, 0, ""
    row.etag = etag or row.etag
    row.last_modified = last_modified or row.last_modified


def set_status(session: Session, feed_id: str, status: str, *, title: str | None = None) -> None:
    row = session.get_one(FeedRow, feed_id)
    row.last_status = status
    if title is not None:
        row.title = title


def store_items(
    session: Session,
    feed_id: str,
    items: list[Item],
    now: datetime,
    feed_url: str,
    *,
    media: tuple[bool, bool] = (False, False),
) -> tuple[list[StoredItem], list[Item]]:
    """Insert the unseen ``items`` in their order; note edits of known ones. Returns the new items and
    the edited ones. An item seen before the feed moved is known (``store.items.stored_items``).
    ``media`` says whether a route posts the feed's images, and whether one takes a linked page's
    og:image: then a new item with images to fetch waits for them (``store.media``)."""
    known = stored_items(session, feed_id, items, feed_url)
    fresh: list[ItemRow] = []
    edited: list[Item] = []
    seen_now: set[str] = set()
    for item in items:
        if item.id in seen_now:
            continue
        seen_now.add(item.id)
        existing = known.get(item.id)
        if existing is not None:
            if existing.content_hash != item.content_hash:
                existing.content_hash, existing.edited_at = item.content_hash, now
                edited.append(item)
            continue
        row = ItemRow(
            feed_id=feed_id,
            identity=item.id,
            content_hash=item.content_hash,
            title=item.title,
            link=item.link,
            summary=item.summary,
            author=item.author,
            categories=list(item.categories),
            published=item.published or item.updated,
            first_seen_at=now,
            media=refs_of(item.media),
            media_state=PENDING if _fetches(item, *media) else "",
        )
        session.add(row)
        fresh.append(row)
    session.flush()
    return [_item(row) for row in fresh], edited


def _fetches(item: Item, wanted: bool, page_image: bool) -> bool:
    return wanted and bool(item.media or (page_image and item.link))


def items_of(session: Session, feed_id: str) -> list[StoredItem]:
    return [_item(row) for row in session.scalars(select(ItemRow).where(ItemRow.feed_id == feed_id))]


def item(session: Session, item_id: int) -> StoredItem:
    return _item(session.get_one(ItemRow, item_id))


def feed_title(session: Session, feed_id: str) -> str:
    return session.get_one(FeedRow, feed_id).title


def routes_of(session: Session, feed_id: str) -> list[tuple[str, bool]]:
    """The stored routes from this feed, each with whether it has seeded itself yet."""
    rows = session.scalars(select(RouteRow).where(RouteRow.feed_id == feed_id))
    return [(row.id, row.seeded_at is not None) for row in rows]


def mark_seeded(session: Session, route_id: str, now: datetime) -> None:
    session.get_one(RouteRow, route_id).seeded_at = now


def next_fetch_at(session: Session) -> datetime | None:
    """When the earliest feed is next due."""
    return session.scalar(select(func.min(FeedRow.next_fetch_at)))


def _item(row: ItemRow) -> StoredItem:
    return StoredItem(
        row.id,
        row.feed_id,
        row.identity,
        row.title,
        row.link,
        row.summary,
        row.author,
        tuple(row.categories or ()),
        row.published,
        row.first_seen_at,
    )
