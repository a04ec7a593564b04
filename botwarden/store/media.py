"""The images of items in the store: which items still wait for theirs, and what was fetched, kept once
per item for every route and network that posts it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from botwarden.feeds.model import MediaRef
from botwarden.media.fit import Picture
from botwarden.media.images import Image
from botwarden.store.models import ItemMediaRow, ItemRow, QueueRow

PENDING, READY = "pending", "ready"
OPEN_STATES = ("pending", "ready", "held")


@dataclass(frozen=True, slots=True)
class PendingMedia:
    """An item whose images are still to be fetched."""

    item_id: int
    feed_id: str
    link: str
    refs: tuple[MediaRef, ...]


def refs_of(refs: Sequence[MediaRef]) -> list[dict[str, object]]:
    """Media references as the item row keeps them."""
    return [
        {
            "url": r.url,
            "type": r.type,
            "source": r.source,
            "description": r.description,
            "sensitive": r.sensitive,
        }
        for r in refs
    ]


def pending(session: Session, *, limit: int) -> list[PendingMedia]:
    """Items waiting for their images that a queue entry still means to post, oldest first."""
    wanted = select(QueueRow.item_id).where(QueueRow.state.in_(OPEN_STATES))
    rows = session.scalars(
        select(ItemRow)
        .where(ItemRow.media_state == PENDING, ItemRow.id.in_(wanted))
        .order_by(ItemRow.id)
        .limit(limit)
    )
    return [
        PendingMedia(row.id, row.feed_id, row.link, tuple(_ref(r) for r in row.media or [])) for row in rows
    ]


def is_pending(session: Session, item_id: int) -> bool:
    return session.get_one(ItemRow, item_id).media_state == PENDING


def save(session: Session, item_id: int, images: Sequence[Image]) -> None:
    """What was fetched for the item (replacing anything before); its images are ready."""
    row = session.get(ItemRow, item_id, with_for_update=True)
    if row is None or row.media_state == READY:
        return  # another worker saved them first
    session.execute(delete(ItemMediaRow).where(ItemMediaRow.item_id == item_id))
    for position, image in enumerate(images):
        picture = image.picture
        session.add(
            ItemMediaRow(
                item_id=item_id,
                position=position,
                source=image.source,
                url=image.url,
                mime_type=picture.mime_type if picture else "",
                data=picture.data if picture else None,
                width=picture.width if picture else 0,
                height=picture.height if picture else 0,
                alt=image.alt,
                sensitive=image.sensitive,
                error=image.error,
            )
        )
    row.media_state = READY


def give_up(session: Session, item_id: int) -> None:
    """The item's images were never fetched in time: its posts go without them."""
    row = session.get_one(ItemRow, item_id)
    if row.media_state == PENDING:
        row.media_state = READY


def images(session: Session, item_id: int) -> list[Image]:
    """The item's images as fetched, in order (failed ones too, with why)."""
    rows = session.scalars(
        select(ItemMediaRow).where(ItemMediaRow.item_id == item_id).order_by(ItemMediaRow.position)
    )
    return [
        Image(
            row.url,
            row.source,
            Picture(row.data, row.mime_type, row.width, row.height) if row.data is not None else None,
            row.alt,
            row.sensitive,
            row.error,
        )
        for row in rows
    ]


def first_seen(session: Session, item_id: int) -> datetime:
    return session.get_one(ItemRow, item_id).first_seen_at


def _ref(raw: dict[str, object]) -> MediaRef:
    return MediaRef(
        str(raw.get("url", "")),
        str(raw.get("type", "")),
        str(raw.get("source", "")),
        str(raw.get("description", "")),
        bool(raw.get("sensitive", False)),
    )
