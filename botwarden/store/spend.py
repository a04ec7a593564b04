"""What the networks billed: every metered call, priced, and the days reconciled with the network's own
usage report.

A read is billed per resource, and a resource read again on the same UTC day is billed once (X's pricing
page): ``billed_resources`` remembers, for today and yesterday, which resources were billed already, so
every worker counts each one once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from botwarden.networks.metering import PER_REQUEST, Billable, Prices, Use
from botwarden.store.models import BilledResourceRow, MeteredRow, UsageDayRow

#: The reads that count toward X's Post usage (what ``GET /2/usage/tweets`` reports).
POST_RESOURCE = "post"
_KEPT_DAYS = 2  # billed resources remembered: today's, and yesterday's for calls that cross midnight


def record_uses(session: Session, uses: Iterable[Use], prices: Prices) -> float:
    """Write each use with what it cost; the total, in USD."""
    total = 0.0
    oldest_kept: str | None = None
    for use in uses:
        day = utc_day(use.at)
        per_request = use.kind in PER_REQUEST
        units = 1 if per_request else _bill_once(session, day, use.network, use.resource, use.ids)
        cost = units * prices.of(use.kind)
        total += cost
        session.add(
            MeteredRow(
                at=use.at,
                day=day,
                network=use.network,
                account_id=use.account,
                kind=use.kind.value,
                resource=use.resource,
                purpose=use.purpose,
                endpoint=use.endpoint,
                returned=len(use.ids) if use.kind not in PER_REQUEST else 1,
                units=units,
                cost_usd=cost,
            )
        )
        oldest_kept = utc_day(use.at - timedelta(days=_KEPT_DAYS - 1))
    if oldest_kept is not None:
        session.execute(delete(BilledResourceRow).where(BilledResourceRow.day < oldest_kept))
    return total


def utc_day(at: datetime) -> str:
    """The UTC day of ``at``, as X's billing and usage report count days (YYYY-MM-DD)."""
    return at.astimezone(UTC).date().isoformat()


def _bill_once(session: Session, day: str, network: str, resource: str, ids: Iterable[str]) -> int:
    """How many of ``ids`` are billed for the first time on ``day`` (and remember them)."""
    dialect = session.get_bind().dialect.name
    insert_new = pg_insert if dialect == "postgresql" else sqlite_insert
    new = 0
    for resource_id in dict.fromkeys(ids):
        values = {"day": day, "network": network, "resource": resource, "resource_id": resource_id[:200]}
        # RETURNING names the row only when this insert made it: another worker's earlier one wins.
        statement = (
            insert_new(BilledResourceRow)
            .values(values)
            .on_conflict_do_nothing()
            .returning(BilledResourceRow.resource_id)
        )
        new += len(session.execute(statement).all())
    return new


# -- reading it back ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SpendLine:
    """What one account (or the app, ``account`` None) spent on one kind of call on one UTC day."""

    day: str
    network: str
    account: str | None
    kind: str
    purpose: str
    calls: int
    returned: int
    units: int
    cost_usd: float

    @property
    def write(self) -> bool:
        return self.kind in {k.value for k in PER_REQUEST}


def spend_lines(session: Session, since_day: str) -> list[SpendLine]:
    """Every account's metered calls since ``since_day`` (a UTC day, inclusive), summed by day, kind and
    purpose; by day, account and kind."""
    m = MeteredRow
    rows = session.execute(
        select(
            m.day,
            m.network,
            m.account_id,
            m.kind,
            m.purpose,
            func.count(),
            func.sum(m.returned),
            func.sum(m.units),
            func.sum(m.cost_usd),
        )
        .where(m.day >= since_day)
        .group_by(m.day, m.network, m.account_id, m.kind, m.purpose)
        .order_by(m.day, m.account_id, m.kind, m.purpose)
    )
    return [
        SpendLine(
            day, network, account, kind, purpose, int(calls), int(ret or 0), int(units or 0), float(cost or 0)
        )
        for day, network, account, kind, purpose, calls, ret, units, cost in rows
    ]


def metered_posts(session: Session, network: str, day: str) -> int:
    """How many posts botwarden read (and was billed for) on ``day``: what the usage report counts."""
    m = MeteredRow
    total = session.scalar(
        select(func.sum(m.units)).where(
            m.network == network,
            m.day == day,
            m.resource == POST_RESOURCE,
            m.kind.in_((Billable.POST_READ.value, Billable.OWNED_READ.value)),
        )
    )
    return int(total or 0)


def first_metered_day(session: Session, network: str) -> str | None:
    """The first UTC day anything was metered on ``network``: days before it cannot be reconciled."""
    found = session.scalar(select(func.min(MeteredRow.day)).where(MeteredRow.network == network))
    return str(found) if found else None


@dataclass(frozen=True, slots=True)
class UsageDay:
    day: str
    network: str
    reported: int
    metered: int
    scope: str
    drift: bool
    checked_at: datetime


def save_usage_day(session: Session, day: UsageDay) -> None:
    row = session.get(UsageDayRow, (day.day, day.network))
    if row is None:
        row = UsageDayRow(day=day.day, network=day.network)
        session.add(row)
    row.reported, row.metered, row.scope = day.reported, day.metered, day.scope
    row.drift, row.checked_at = day.drift, day.checked_at


def usage_days(session: Session, since_day: str) -> list[UsageDay]:
    rows = session.scalars(
        select(UsageDayRow).where(UsageDayRow.day >= since_day).order_by(UsageDayRow.day, UsageDayRow.network)
    )
    return [UsageDay(r.day, r.network, r.reported, r.metered, r.scope, r.drift, r.checked_at) for r in rows]
