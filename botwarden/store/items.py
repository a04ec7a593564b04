"""Finding the stored rows of a feed's items, including items stored before the feed moved."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from botwarden.feeds.identity import earlier_identities, is_web_address, same_place
from botwarden.feeds.model import Item
from botwarden.store.models import ItemRow

_CHUNK = 500  # values per IN (...), well under SQLite's limit on parameters


def stored_items(session: Session, feed_id: str, items: Sequence[Item], feed_url: str) -> dict[str, ItemRow]:
    """The stored row of each item already seen, by item id. An item is found by its identity; else by an
    earlier form of it (the other scheme, or an opaque guid as an earlier version resolved it); else, for
    an item named by a web address, by a row with the same title whose address has the same path and
    query, or the same date (the feed moved, and its relative links with it). A row found by another form
    takes the item's identity from now on."""
    found = {row.identity: row for row in _by_identity(session, feed_id, {item.id for item in items})}
    matched = {item.id: found[item.id] for item in items if item.id in found}
    missing = [item for item in items if item.id not in matched]
    if missing:
        _match_earlier_forms(session, feed_id, missing, feed_url, matched)
    for identity, row in matched.items():
        if row.identity != identity:
            row.identity = identity
    return matched


def _match_earlier_forms(
    session: Session, feed_id: str, missing: list[Item], feed_url: str, matched: dict[str, ItemRow]
) -> None:
    taken = {id(row) for row in matched.values()}
    forms = {item.id: earlier_identities(item.id, feed_url) for item in missing}
    wanted = {form for item_forms in forms.values() for form in item_forms}
    by_form = {row.identity: row for row in _by_identity(session, feed_id, wanted)}

    def take(item: Item, row: ItemRow) -> None:
        matched[item.id] = row
        taken.add(id(row))

    for item in missing:
        row = next((by_form[f] for f in forms[item.id] if f in by_form and id(by_form[f]) not in taken), None)
        if row is not None:
            take(item, row)
    placed = [item for item in missing if item.id not in matched]
    addresses = {
        item.id: tuple(a for a in (item.id, *forms[item.id]) if is_web_address(a)) for item in placed
    }
    by_title: dict[str, list[ItemRow]] = {}
    for row in _by_title(session, feed_id, {item.title for item in placed if addresses[item.id]}):
        by_title.setdefault(row.title, []).append(row)
    for item in placed:
        for row in by_title.get(item.title, []):
            if id(row) not in taken and _moved(row, item, addresses[item.id]):
                take(item, row)
                break


def _moved(row: ItemRow, item: Item, addresses: tuple[str, ...]) -> bool:
    """Whether ``row`` is ``item`` seen at the feed's earlier address: both have the same title (checked
    by the caller) and a web address, and the same page at another place, or the same date."""
    when = item.published or item.updated
    same_date = when is not None and row.published is not None and _utc(row.published) == _utc(when)
    return (
        bool(addresses)
        and is_web_address(row.identity)
        and (same_date or same_place(row.identity, addresses))
    )


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _web_addresses(*forms: str) -> tuple[str, ...]:
    return tuple(form for form in forms if is_web_address(form))


def _by_identity(session: Session, feed_id: str, identities: Iterable[str]) -> list[ItemRow]:
    return _chunked(session, feed_id, ItemRow.identity, identities)


def _by_title(session: Session, feed_id: str, titles: Iterable[str]) -> list[ItemRow]:
    return _chunked(session, feed_id, ItemRow.title, titles)


def _chunked(
    session: Session, feed_id: str, column: InstrumentedAttribute[str], values: Iterable[str]
) -> list[ItemRow]:
    ordered = sorted(set(values))
    rows: list[ItemRow] = []
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        rows += session.scalars(select(ItemRow).where(ItemRow.feed_id == feed_id, column.in_(chunk)))
    return rows
