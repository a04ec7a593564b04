"""The read models that pages, the API and commands show, read back from the store once and shared.

Each is a plain frozen dataclass (no ORM row leaves ``store/``): what happened to each queued post (the
demo, ``queue``), an account's summary (``status``, the API's accounts, the dashboard), feeds and
routes, queue entries with their latest verdict, the history of posts, verdicts, an account's events.
Lists that a caller scopes to one operator take ``operator`` (None: every operator, for an admin).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from botwarden.store.models import (
    AccountRow,
    CredentialRow,
    EventRow,
    FeedRow,
    HistoryRow,
    ItemRow,
    QueueRow,
    RouteRow,
    VerdictRow,
)
from botwarden.store.views import (
    DUE_STATES,
    AccountSummary,
    BacklogView,
    EntryReport,
    FeedView,
    entry_report,
    explaining,
)
from botwarden.store.views import backlogs as views_backlogs


def entry_reports(
    session: Session,
    *,
    account: str | None = None,
    states: Collection[str] | None = None,
    delayed: bool = False,
    newest_first: bool = False,
    limit: int | None = None,
    operator: str | None = None,
) -> list[EntryReport]:
    """Queue entries with what happened to each and why: of ``account``, in ``states``, only those once
    delayed (``delayed``); oldest first unless ``newest_first``."""
    query = (
        select(QueueRow, ItemRow.title)
        .join(ItemRow, ItemRow.id == QueueRow.item_id)
        .join(AccountRow, AccountRow.id == QueueRow.account_id)
        .where(*_entries_where(account, states, delayed, operator))
    )
    if newest_first:
        query = query.order_by(QueueRow.created_at.desc(), QueueRow.id.desc())
    else:
        query = query.order_by(QueueRow.created_at, QueueRow.id)
    if limit:
        query = query.limit(limit)
    rows = session.execute(query).all()
    ids = [row.QueueRow.id for row in rows]
    posted = dict(
        session.execute(select(HistoryRow.queue_id, HistoryRow.at).where(HistoryRow.queue_id.in_(ids))).all()
    )
    verdicts = _explaining_verdicts(
        session, {row.QueueRow.id: bool(row.QueueRow.was_delayed) for row in rows}
    )
    return [
        _report(row.QueueRow, row.title, posted.get(row.QueueRow.id), verdicts.get(row.QueueRow.id))
        for row in rows
    ]


def count_entries(
    session: Session,
    *,
    account: str | None = None,
    states: Collection[str] | None = None,
    delayed: bool = False,
    operator: str | None = None,
) -> int:
    """How many queue entries ``entry_reports`` would list without a limit."""
    query = (
        select(func.count(QueueRow.id))
        .join(AccountRow, AccountRow.id == QueueRow.account_id)
        .where(*_entries_where(account, states, delayed, operator))
    )
    return int(session.scalar(query) or 0)


def _entries_where(
    account: str | None, states: Collection[str] | None, delayed: bool, operator: str | None
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if operator is not None:
        where.append(AccountRow.operator == operator)
    if account:
        where.append(QueueRow.account_id == account)
    if states:
        where.append(QueueRow.state.in_(list(states)))
    if delayed:
        where.append(QueueRow.was_delayed == 1)
    return where


def _explaining_verdicts(session: Session, entries: dict[int, bool]) -> dict[int, VerdictRow]:
    rows = session.scalars(
        select(VerdictRow).where(VerdictRow.queue_id.in_(list(entries))).order_by(VerdictRow.id)
    )
    return explaining(rows, entries)


def _report(
    entry: QueueRow, title: str, posted_at: datetime | None, verdict: VerdictRow | None
) -> EntryReport:
    reason = ""
    if verdict is not None:
        reason = verdict.reason if verdict.reason is not None else _older_reason(verdict)
    return entry_report(
        id=entry.id,
        account=entry.account_id,
        title=title,
        state=entry.state,
        was_delayed=bool(entry.was_delayed),
        codes=tuple(verdict.codes) if verdict is not None else (),
        reason=reason,
        last_error=entry.last_error,
        posted_at=posted_at,
        not_before=entry.not_before,
        text=entry.text,
        route=entry.route_id,
        created_at=entry.created_at,
    )


def _older_reason(verdict: VerdictRow) -> str:
    """The reason of a verdict stored before verdicts kept one, worked out from its findings."""
    from botwarden.store.queue import auto_codes, verdict_reason

    return verdict_reason(verdict.codes, list(verdict.findings), auto_codes())


# -- accounts -----------------------------------------------------------------------------------------


def account_summaries(
    session: Session, now: datetime, *, operator: str | None = None, ids: Collection[str] | None = None
) -> list[AccountSummary]:
    """The accounts (of ``operator``, or all; only ``ids`` when given), by id, each summarised."""
    query = select(AccountRow).order_by(AccountRow.id)
    if operator is not None:
        query = query.where(AccountRow.operator == operator)
    if ids is not None:
        query = query.where(AccountRow.id.in_(list(ids)))
    rows = list(session.scalars(query))
    wanted = [row.id for row in rows]
    counts: dict[str, dict[str, int]] = {}
    for account, state, count in session.execute(
        select(QueueRow.account_id, QueueRow.state, func.count())
        .where(QueueRow.account_id.in_(wanted))
        .group_by(QueueRow.account_id, QueueRow.state)
    ):
        counts.setdefault(account, {})[str(state)] = int(count)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    spent = dict(
        session.execute(
            select(HistoryRow.account_id, func.coalesce(func.sum(HistoryRow.cost_usd), 0.0))
            .where(HistoryRow.account_id.in_(wanted), HistoryRow.at >= today)
            .group_by(HistoryRow.account_id)
        ).all()
    )
    logged_in = set(
        session.scalars(select(CredentialRow.account_id).where(CredentialRow.account_id.in_(wanted)))
    )
    return [
        AccountSummary(
            row.id,
            row.network,
            row.operator,
            row.status,
            row.status_since,
            row.status_reason,
            counts.get(row.id, {}),
            float(spent.get(row.id) or 0),
            row.id in logged_in,
        )
        for row in rows
    ]


def backlogs(session: Session) -> list[BacklogView]:
    """The accounts whose latest check found their queue drains too slowly (BW910) and that still have
    posts waiting, by account."""
    last = (
        select(func.max(VerdictRow.id))
        .join(QueueRow, QueueRow.id == VerdictRow.queue_id)
        .group_by(QueueRow.account_id)
    )
    latest = session.execute(
        select(QueueRow.account_id, VerdictRow.at, VerdictRow.codes, VerdictRow.findings)
        .join(QueueRow, QueueRow.id == VerdictRow.queue_id)
        .where(VerdictRow.id.in_(last))
    )
    waiting = set(
        session.scalars(select(QueueRow.account_id).where(QueueRow.state.in_(DUE_STATES)).distinct())
    )
    return views_backlogs(((a, at, list(c or []), list(f or [])) for a, at, c, f in latest), waiting)


def account_ids(session: Session) -> list[str]:
    """Every account's id, in order."""
    return list(session.scalars(select(AccountRow.id).order_by(AccountRow.id)))


@dataclass(frozen=True, slots=True)
class EventView:
    at: datetime
    kind: str
    message: str


def account_events(session: Session, account: str, kinds: Iterable[str], *, limit: int) -> list[EventView]:
    """The account's audit events of these kinds, newest first."""
    rows = session.scalars(
        select(EventRow)
        .where(EventRow.account_id == account, EventRow.kind.in_(list(kinds)))
        .order_by(EventRow.id.desc())
        .limit(limit)
    )
    return [EventView(row.at, row.kind, row.message) for row in rows]


# -- feeds and routes ---------------------------------------------------------------------------------


def feed_views(session: Session, ids: Collection[str] | None = None) -> list[FeedView]:
    """The feeds (only ``ids`` when given), by id."""
    query = select(FeedRow).order_by(FeedRow.id)
    if ids is not None:
        query = query.where(FeedRow.id.in_(list(ids)))
    return [
        FeedView(
            f.id,
            f.url,
            f.title,
            f.last_status,
            f.last_fetched_at,
            f.next_fetch_at,
            f.error_streak,
            f.last_error,
        )
        for f in session.scalars(query)
    ]


@dataclass(frozen=True, slots=True)
class RouteView:
    id: str
    feed_id: str
    account_id: str


def route_views(session: Session, *, operator: str | None = None) -> list[RouteView]:
    """The routes to the accounts of ``operator`` (or all), by id."""
    query = select(RouteRow).join(AccountRow, AccountRow.id == RouteRow.account_id)
    query = _of(query, operator)
    return [RouteView(r.id, r.feed_id, r.account_id) for r in session.scalars(query.order_by(RouteRow.id))]


# -- the queue, its verdicts, the history ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VerdictView:
    """A stored verdict on a queue entry (``queue_id``)."""

    queue_id: int
    at: datetime
    decision: str
    codes: list[str]
    findings: list[dict[str, Any]]
    not_before: datetime | None


@dataclass(frozen=True, slots=True)
class EntryView:
    """A queue entry with its latest verdict."""

    id: int
    account_id: str
    route_id: str
    state: str
    text: str
    not_before: datetime
    attempts: int
    last_error: str
    approved_by: str | None
    verdict: VerdictView | None


def entry_view(session: Session, entry_id: int) -> EntryView | None:
    row = session.get(QueueRow, entry_id)
    return None if row is None else _entry(session, row)


def entry_views(
    session: Session,
    *,
    operator: str | None = None,
    state: str | None = None,
    account: str | None = None,
    limit: int = 100,
) -> list[EntryView]:
    """Queue entries, soonest due first."""
    query = _of(select(QueueRow).join(AccountRow, AccountRow.id == QueueRow.account_id), operator)
    if state:
        query = query.where(QueueRow.state == state)
    if account:
        query = query.where(QueueRow.account_id == account)
    rows = session.scalars(query.order_by(QueueRow.not_before, QueueRow.id).limit(limit)).all()
    return [_entry(session, row) for row in rows]


def latest_verdict(session: Session, entry_id: int) -> VerdictView | None:
    row = session.scalar(
        select(VerdictRow).where(VerdictRow.queue_id == entry_id).order_by(VerdictRow.id.desc()).limit(1)
    )
    return None if row is None else _verdict(row)


def verdict_views(
    session: Session,
    *,
    operator: str | None = None,
    account: str | None = None,
    decision: str | None = None,
    limit: int = 100,
) -> list[VerdictView]:
    """The worker's verdicts on queue entries, newest first."""
    query = _of(
        select(VerdictRow)
        .join(QueueRow, QueueRow.id == VerdictRow.queue_id)
        .join(AccountRow, AccountRow.id == QueueRow.account_id),
        operator,
    )
    if account:
        query = query.where(QueueRow.account_id == account)
    if decision:
        query = query.where(VerdictRow.decision == decision)
    return [_verdict(v) for v in session.scalars(query.order_by(VerdictRow.id.desc()).limit(limit))]


def recent_denials(
    session: Session, accounts: Collection[str], *, limit: int = 10
) -> list[tuple[VerdictView, EntryView]]:
    """The latest denials of these accounts' entries, each with its entry."""
    rows = session.execute(
        select(VerdictRow, QueueRow)
        .join(QueueRow, QueueRow.id == VerdictRow.queue_id)
        .where(VerdictRow.decision == "deny", QueueRow.account_id.in_(list(accounts)))
        .order_by(VerdictRow.id.desc())
        .limit(limit)
    ).all()
    return [(_verdict(v), _entry(session, q, with_verdict=False)) for v, q in rows]


@dataclass(frozen=True, slots=True)
class PostView:
    """A post in the history."""

    id: int
    account_id: str
    at: datetime
    text: str
    remote_id: str | None
    cost_usd: float
    link: str | None


def history_views(
    session: Session, *, operator: str | None = None, account: str | None = None, limit: int = 100
) -> list[PostView]:
    """What was posted, newest first."""
    query = _of(select(HistoryRow).join(AccountRow, AccountRow.id == HistoryRow.account_id), operator)
    if account:
        query = query.where(HistoryRow.account_id == account)
    rows = session.scalars(query.order_by(HistoryRow.at.desc(), HistoryRow.id.desc()).limit(limit))
    return [_post(h) for h in rows]


def posted(session: Session) -> list[tuple[PostView, str]]:
    """Every post in the history, oldest first, with its account's network."""
    networks = {row.id: row.network for row in session.execute(select(AccountRow.id, AccountRow.network))}
    rows = session.scalars(select(HistoryRow).order_by(HistoryRow.at, HistoryRow.id))
    return [(_post(h), networks.get(h.account_id, "local")) for h in rows]


def events_of_kind(session: Session, kind: str) -> list[tuple[datetime, str | None, str]]:
    """Every audit event of this kind: when, for which account, and its message."""
    rows = session.scalars(select(EventRow).where(EventRow.kind == kind))
    return [(event.at, event.account_id, event.message) for event in rows]


def _of(query: Select[Any], operator: str | None) -> Select[Any]:
    """The query narrowed to one operator's accounts (it joins AccountRow); all for None."""
    return query if operator is None else query.where(AccountRow.operator == operator)


def _entry(session: Session, row: QueueRow, *, with_verdict: bool = True) -> EntryView:
    found = latest_verdict(session, row.id) if with_verdict else None
    return EntryView(
        row.id,
        row.account_id,
        row.route_id,
        row.state,
        row.text,
        row.not_before,
        row.attempts,
        row.last_error,
        row.approved_by,
        found,
    )


def _verdict(row: VerdictRow) -> VerdictView:
    return VerdictView(
        row.queue_id, row.at, row.decision, list(row.codes), list(row.findings), row.not_before
    )


def _post(row: HistoryRow) -> PostView:
    return PostView(row.id, row.account_id, row.at, row.text, row.remote_id, row.cost_usd, row.link)


class SessionReads:
    """The reads ``lean.LeanStore`` offers, made through a session: where the store cannot be read the
    lean way (it must be migrated first, or its URL names another database)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def account_ids(self) -> list[str]:
        return account_ids(self._session)

    def account_summaries(self, now: datetime) -> list[AccountSummary]:
        return account_summaries(self._session, now)

    def backlogs(self) -> list[BacklogView]:
        return backlogs(self._session)

    def feed_views(self) -> list[FeedView]:
        return feed_views(self._session)

    def count_entries(
        self, *, account: str | None = None, states: Collection[str] | None = None, delayed: bool = False
    ) -> int:
        return count_entries(self._session, account=account, states=states, delayed=delayed)

    def entry_reports(
        self,
        *,
        account: str | None = None,
        states: Collection[str] | None = None,
        delayed: bool = False,
        newest_first: bool = False,
        limit: int | None = None,
    ) -> list[EntryReport]:
        return entry_reports(
            self._session,
            account=account,
            states=states,
            delayed=delayed,
            newest_first=newest_first,
            limit=limit,
        )
