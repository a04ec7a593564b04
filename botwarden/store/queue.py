"""The queue as an explicit state machine.

    pending ──▶ ready ──▶ sending ──▶ sent
       │          │  ▲        │
       │          │  └────────┤ (retry later, or reconciled as not sent)
       ▼          ▼           ▼
     held ◀──── held        failed ──▶ ready (a person retries it)
     denied ◀── denied
     cancelled ◀ cancelled ◀ held    (its route was removed from the configuration)

``sending`` is written (and committed) before the network is called; only the network's answer, or a
reconciliation that finds the post on the network, moves it on. Nothing else may change a queue entry's
state: :func:`transition` refuses any move not drawn above.

The queue's operations live here too: which entries are due, claiming one (``FOR UPDATE SKIP LOCKED``), and
each move of a :class:`QueueEntry` from there to sent, retried, failed, held or denied.
"""

from __future__ import annotations

import enum
import functools
import zlib
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from botwarden.errors import InvalidTransition
from botwarden.rules import PastPost, Verdict, load_registry
from botwarden.similarity import text_hash
from botwarden.similarity.profile import profile
from botwarden.store.db import one_of, shared
from botwarden.store.models import AccountRow, HistoryRow, QueueRow, VerdictRow


class State(enum.StrEnum):
    PENDING = "pending"
    READY = "ready"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    HELD = "held"
    DENIED = "denied"
    CANCELLED = "cancelled"


ALLOWED: dict[State, frozenset[State]] = {
    State.PENDING: frozenset({State.READY, State.SENDING, State.HELD, State.DENIED, State.CANCELLED}),
    State.READY: frozenset({State.READY, State.SENDING, State.HELD, State.DENIED, State.CANCELLED}),
    State.SENDING: frozenset({State.SENT, State.FAILED, State.READY}),
    State.HELD: frozenset({State.READY, State.DENIED, State.CANCELLED}),
    State.FAILED: frozenset({State.READY}),
    State.SENT: frozenset(),
    State.DENIED: frozenset(),
    State.CANCELLED: frozenset(),
}
#: Entries still waiting to be sent: what a route's removal cancels.
WAITING_STATES = (State.PENDING.value, State.READY.value, State.HELD.value)
DUE_STATES = (State.PENDING.value, State.READY.value)


def transition(row: QueueRow, to: State, now: datetime) -> None:
    current = State(row.state)
    if to not in ALLOWED[current]:
        raise InvalidTransition(f"queue entry {row.id}: cannot go from {current} to {to}")
    row.state = to.value
    row.updated_at = now
    if to is not State.SENDING:
        row.lease_owner = None
        row.lease_expires_at = None


class QueueEntry:
    """A queue entry held in one transaction. Its fields read through to the stored row; it moves only by
    the methods below, each one of the moves the table above allows."""

    __slots__ = ("_row", "_session")

    def __init__(self, session: Session, row: QueueRow) -> None:
        self._session, self._row = session, row

    @property
    def id(self) -> int:
        return self._row.id

    @property
    def route_id(self) -> str:
        return self._row.route_id

    @property
    def item_id(self) -> int:
        return self._row.item_id

    @property
    def account_id(self) -> str:
        return self._row.account_id

    @property
    def state(self) -> State:
        return State(self._row.state)

    @property
    def text(self) -> str:
        return self._row.text

    @property
    def idempotency_key(self) -> str:
        return self._row.idempotency_key

    @property
    def attempts(self) -> int:
        return self._row.attempts

    @property
    def lease_owner(self) -> str | None:
        return self._row.lease_owner

    @property
    def not_before(self) -> datetime:
        return self._row.not_before

    @property
    def approved_codes(self) -> list[str]:
        return list(self._row.approved_codes or [])

    def set_text(self, text: str, length: int) -> None:
        """The text composed for this entry, as checked and as it will be sent."""
        self._row.text, self._row.length = text, length

    def record_verdict(self, verdict: Verdict, now: datetime) -> None:
        findings = [f.to_json() for f in verdict.findings]
        self._session.add(
            VerdictRow(
                queue_id=self._row.id,
                at=now,
                decision=verdict.decision.value,
                codes=verdict.codes,
                findings=findings,
                not_before=verdict.not_before,
                reason=verdict_reason(verdict.codes, findings, auto_codes()),
            )
        )

    def defer(self, until: datetime, now: datetime) -> None:
        """Back to ``ready``, not to be taken before ``until``."""
        transition(self._row, State.READY, now)
        self._row.not_before = until

    def delay(self, until: datetime, now: datetime) -> bool:
        """A delay verdict: ready again at ``until``. True the first time this entry is delayed."""
        self.defer(until, now)
        first = not self._row.was_delayed
        self._row.was_delayed = 1
        return first

    def hold(self, now: datetime) -> None:
        transition(self._row, State.HELD, now)

    def deny(self, now: datetime) -> None:
        transition(self._row, State.DENIED, now)

    def mark_sending(self, owner: str, lease_expires_at: datetime, now: datetime) -> None:
        """Taken for sending under ``owner``'s lease; committed before the network is called."""
        transition(self._row, State.SENDING, now)
        self._row.lease_owner, self._row.lease_expires_at = owner, lease_expires_at
        self._row.attempts += 1

    def mark_sent(self, remote_id: str | None, now: datetime, cost_usd: float = 0.0) -> PastPost:
        """Sent: the entry is done and its post enters the history (returned as the rules see it)."""
        transition(self._row, State.SENT, now)
        self._row.remote_id = remote_id
        link = first_link(self._row.text)
        row = HistoryRow(
            account_id=self._row.account_id,
            at=now,
            text=self._row.text,
            text_hash=text_hash(self._row.text),
            queue_id=self._row.id,
            remote_id=remote_id,
            link=link,
            cost_usd=cost_usd,
            profile=profile(self._row.text).to_bytes(),
        )
        self._session.add(row)
        self._session.flush()
        return PastPost(str(row.id), row.account_id, now, row.text, row.text_hash, (link,) if link else ())

    def finish_thread(self, remote_id: str | None, now: datetime) -> None:
        """Every part of the entry's thread is on the network (each entered the history as it was sent):
        the entry is done, under the thread's first post."""
        transition(self._row, State.SENT, now)
        self._row.remote_id = remote_id

    def extend_lease(self, until: datetime) -> None:
        """A thread takes one call per part: each part sent renews the lease of the one sending them."""
        self._row.lease_expires_at = until

    def unsend(self, error: str, now: datetime) -> None:
        """Not sent, and the attempt does not count: the account stopped, and the next check holds it."""
        self._row.last_error = error
        transition(self._row, State.READY, now)
        self._row.attempts -= 1

    def retry(self, error: str, at: datetime, now: datetime) -> None:
        self._row.last_error = error
        self.defer(at, now)

    def fail(self, error: str, now: datetime) -> None:
        self._row.last_error = error
        transition(self._row, State.FAILED, now)


def due(session: Session, now: datetime, routes: Collection[str], *, limit: int, spread_by: str) -> list[int]:
    """The due entries of these routes, oldest first within each account. Where workers share the queue
    (PostgreSQL) each takes the accounts in its own order (by ``spread_by``, its id), so that they do not
    all reach for the same entry in turn."""
    rows = list(
        session.execute(
            select(QueueRow.id, QueueRow.account_id)
            .where(
                QueueRow.state.in_(DUE_STATES),
                QueueRow.not_before <= now,
                one_of(session, QueueRow.route_id, routes),
            )
            .order_by(QueueRow.not_before, QueueRow.id)
            .limit(limit)
        )
    )
    if shared(session):  # a stable sort: each account's entries keep their order
        rows.sort(key=lambda row: zlib.crc32(f"{spread_by}/{row.account_id}".encode()))
    return [row.id for row in rows]


def claim(session: Session, entry_id: int, now: datetime) -> QueueEntry | None:
    """Lock the entry and its account for this transaction, or None when it is not ours to work on.

    On PostgreSQL several workers share the queue: ``FOR UPDATE SKIP LOCKED`` lets each take rows no other
    worker holds, without waiting. Locking the account too, and passing over an account with a post still
    ``sending``, means one account's posts are never checked or sent concurrently, so its pacing holds
    across workers. (SQLite has one writer at a time and ignores the row locks.)
    """
    row = session.get(QueueRow, entry_id, with_for_update={"skip_locked": True}, populate_existing=True)
    if row is None or row.state not in DUE_STATES or row.not_before > now:
        return None
    account = session.get(
        AccountRow, row.account_id, with_for_update={"skip_locked": True}, populate_existing=True
    )
    if account is None:
        return None
    sending = select(QueueRow.id).where(
        QueueRow.account_id == row.account_id, QueueRow.state == State.SENDING.value
    )
    return QueueEntry(session, row) if session.scalar(sending.limit(1)) is None else None


def lock(session: Session, entry_id: int, *, skip_locked: bool = False) -> QueueEntry | None:
    """The entry locked for this transaction and read afresh (None: gone, or another worker holds it and
    ``skip_locked`` says not to wait)."""
    locking: bool | dict[str, bool] = {"skip_locked": True} if skip_locked else True
    row = session.get(QueueRow, entry_id, with_for_update=locking, populate_existing=True)
    return None if row is None else QueueEntry(session, row)


def count_ahead(session: Session, entry: QueueEntry) -> int:
    """How many of the account's due entries are older than this one."""
    ahead = session.scalar(
        select(func.count()).where(
            QueueRow.account_id == entry.account_id,
            QueueRow.state.in_(DUE_STATES),
            QueueRow.id < entry.id,
        )
    )
    return ahead or 0


def stale_sending(session: Session, now: datetime) -> list[int]:
    """Entries left ``sending`` whose lease has run out: their worker died, or lost the answer."""
    return list(
        session.scalars(
            select(QueueRow.id).where(QueueRow.state == State.SENDING.value, QueueRow.lease_expires_at < now)
        )
    )


def next_not_before(session: Session) -> datetime | None:
    """When the earliest due entry may be taken."""
    return session.scalar(select(func.min(QueueRow.not_before)).where(QueueRow.state.in_(DUE_STATES)))


def enqueue(session: Session, route_id: str, account_id: str, item_id: int, key: str, now: datetime) -> bool:
    """A new pending entry for this route's item; False when one with this idempotency key exists."""
    if session.scalar(select(QueueRow.id).where(QueueRow.idempotency_key == key)) is not None:
        return False
    session.add(
        QueueRow(
            route_id=route_id,
            item_id=item_id,
            account_id=account_id,
            state=State.PENDING.value,
            not_before=now,
            created_at=now,
            updated_at=now,
            idempotency_key=key,
            attempts=0,
            was_delayed=0,
            last_error="",
        )
    )
    return True


def cancel_route(session: Session, route_id: str, note: str, now: datetime) -> int:
    """Cancel the route's entries still waiting to be sent (``note`` says why); how many there were."""
    rows = session.scalars(
        select(QueueRow).where(QueueRow.route_id == route_id, QueueRow.state.in_(WAITING_STATES))
    ).all()
    for row in rows:
        transition(row, State.CANCELLED, now)
        row.last_error = note
    return len(rows)


@functools.cache
def auto_codes() -> frozenset[str]:
    """The codes of the installed rules checked on every action (not setup reminders or attestations)."""
    return frozenset(rule.code for rule in load_registry() if rule.enforced == "auto")


def verdict_reason(codes: Collection[str], findings: list[dict[str, Any]], auto: frozenset[str]) -> str:
    """One line that explains a verdict: the message of its first finding with a code (warn or above),
    else the first note of a rule checked on every action (``auto``), not an account-setup reminder."""
    notable = [f for f in findings if f.get("code") in codes]
    notable = notable or [f for f in findings if f.get("code") in auto]
    return str(notable[0]["message"]) if notable else ""


def first_link(text: str) -> str:
    return next((word for word in text.split() if word.startswith(("http://", "https://"))), "")
