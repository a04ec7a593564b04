"""Items a route did not queue, each with its reason: what answers "why was this never posted?".

An item is skipped by a route's filters (``filter``), for its age (``too_old``), by the first run's
backlog rule (``first_run``), or because the route's account has no login yet (``no_login``). Each
(route, item) is recorded once, with the first reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from botwarden.store.models import AccountRow, ItemRow, SkippedRow

KINDS = ("filter", "too_old", "first_run", "no_login")


@dataclass(frozen=True, slots=True)
class SkippedView:
    id: int
    at: datetime
    route: str
    account: str
    feed: str
    item: int
    title: str
    link: str
    published: datetime | None
    kind: str
    reason: str


def skip(
    session: Session, route_id: str, account_id: str, item_id: int, kind: str, reason: str, now: datetime
) -> bool:
    """Record that the route skipped the item; False when it was recorded before."""
    known = select(SkippedRow.id).where(SkippedRow.route_id == route_id, SkippedRow.item_id == item_id)
    if session.scalar(known) is not None:
        return False
    row = SkippedRow(at=now, route_id=route_id, account_id=account_id, item_id=item_id, kind=kind)
    row.reason = reason
    session.add(row)
    return True


def skipped_views(
    session: Session,
    *,
    operator: str | None = None,
    account: str | None = None,
    route: str | None = None,
    kinds: list[str] | None = None,
    limit: int = 100,
) -> tuple[list[SkippedView], int]:
    """The skipped items (of ``operator``'s accounts, or all), newest first, and how many match in all."""
    where = _conditions(operator, account, route, kinds)
    rows = session.execute(
        select(SkippedRow, ItemRow)
        .join(ItemRow, ItemRow.id == SkippedRow.item_id)
        .join(AccountRow, AccountRow.id == SkippedRow.account_id)
        .where(*where)
        .order_by(SkippedRow.at.desc(), SkippedRow.id.desc())
        .limit(limit)
    ).all()
    total = session.scalar(
        select(func.count(SkippedRow.id))
        .join(AccountRow, AccountRow.id == SkippedRow.account_id)
        .where(*where)
    )
    return [_view(row.SkippedRow, row.ItemRow) for row in rows], int(total or 0)


def _conditions(
    operator: str | None, account: str | None, route: str | None, kinds: list[str] | None
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if operator is not None:
        where.append(AccountRow.operator == operator)
    if account:
        where.append(SkippedRow.account_id == account)
    if route:
        where.append(SkippedRow.route_id == route)
    if kinds:
        where.append(SkippedRow.kind.in_(kinds))
    return where


def _view(row: SkippedRow, item: ItemRow) -> SkippedView:
    return SkippedView(
        row.id,
        row.at,
        row.route_id,
        row.account_id,
        item.feed_id,
        row.item_id,
        item.title,
        item.link,
        item.published,
        row.kind,
        row.reason,
    )
