"""The store's read models as plain data, and the rules that make them: what happened to a queued post and
what explains it, an account's summary and health, a feed's state.

Nothing here speaks SQL or imports SQLAlchemy: ``reads`` builds these from the store through the ORM (the
API, the dashboard), ``lean`` through the database driver alone (the commands people run all day, which
should not wait a third of a second for SQLAlchemy to load). Both apply the same rules, from here.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

#: The newest migration in ``migrations/versions`` (a test checks it is Alembic's head).
HEAD_REVISION = "0010"


@dataclass(frozen=True, slots=True)
class EntryReport:
    id: int
    account: str
    title: str
    state: str
    outcome: str  # posted, posted after delay, delayed, held, denied, failed, cancelled, pending, sending
    codes: tuple[str, ...]
    reason: str
    posted_at: datetime | None
    not_before: datetime
    text: str
    route: str = ""
    created_at: datetime | None = None


class VerdictLike(Protocol):
    """What choosing the verdict that explains an entry reads of each of its verdicts."""

    @property
    def queue_id(self) -> int: ...
    @property
    def decision(self) -> str: ...
    @property
    def codes(self) -> list[str]: ...


V = TypeVar("V", bound=VerdictLike)


def explaining(verdicts: Iterable[V], delayed_ever: Mapping[int, bool]) -> dict[int, V]:
    """Per entry, from its verdicts in the order they were made, the one that explains where it stands:
    the latest, so that an earlier hold's codes do not stay with an entry a person approved or an
    account's resumption released; but where the latest says nothing and the entry was delayed, the
    latest delay (what "posted after delay" means)."""
    latest: dict[int, V] = {}
    delays: dict[int, V] = {}
    for verdict in verdicts:
        latest[verdict.queue_id] = verdict
        if verdict.decision == "delay":
            delays[verdict.queue_id] = verdict
    chosen = {}
    for entry_id, verdict in latest.items():
        quiet = not verdict.codes and verdict.decision == "allow"
        chosen[entry_id] = delays.get(entry_id, verdict) if quiet and delayed_ever.get(entry_id) else verdict
    return chosen


_OUTCOMES = {
    "held": "held",
    "denied": "denied",
    "failed": "failed",
    "sending": "sending",
    "cancelled": "cancelled",
}


def outcome_of(state: str, was_delayed: bool) -> str:
    """What happened to an entry, in the words the demo, ``queue`` and the dashboard show."""
    if state == "sent":
        return "posted after delay" if was_delayed else "posted"
    return _OUTCOMES.get(state) or ("delayed" if was_delayed else "pending")


def entry_report(
    *,
    id: int,
    account: str,
    title: str,
    state: str,
    was_delayed: bool,
    codes: tuple[str, ...],
    reason: str,
    last_error: str,
    posted_at: datetime | None,
    not_before: datetime,
    text: str,
    route: str,
    created_at: datetime | None,
) -> EntryReport:
    """An entry as the queue reports it: a failed or cancelled one is explained by its own note."""
    return EntryReport(
        id,
        account,
        title,
        state,
        outcome_of(state, was_delayed),
        codes,
        last_error if state in ("failed", "cancelled") else reason,
        posted_at,
        not_before,
        text,
        route,
        created_at,
    )


@dataclass(frozen=True, slots=True)
class AccountSummary:
    """An account with its queue counted by state and what its posts cost today."""

    id: str
    network: str
    operator: str
    status: str
    status_since: datetime | None
    status_reason: str
    queue: dict[str, int]
    spent_today_usd: float
    has_login: bool = False  # tokens are stored for it (a local account needs none)

    def health(self, configured: Collection[str] = ()) -> str:
        """What ``status`` and the dashboard both show: its stop (locked, paused, ...), "no login" for an
        account of the configuration on a real network with no tokens stored, else ok."""
        if self.status != "ok":
            return self.status.replace("_", " ")
        if self.network != "local" and self.id in configured and not self.has_login:
            return "no login"
        return "ok"


#: The queue states of a post still waiting to be sent.
DUE_STATES = ("pending", "ready")
#: The rule whose finding says an account's queue drains too slowly (a ``status`` line, the dashboard's).
BACKLOG_CODE = "BW910"


@dataclass(frozen=True, slots=True)
class BacklogView:
    """An account whose queue would take too long to drain, as its latest check worked it out (BW910)."""

    account: str
    checked_at: datetime
    waiting: int
    oldest_queued_at: datetime
    drains_at: datetime | None  # None: never, at a daily cap of 0
    drain_hours: float | None
    message: str

    def line(self) -> str:
        """What ``status`` and the dashboard say of it."""
        drains = (
            f"drains about {self.drains_at:%Y-%m-%d %H:%M} UTC ({self.drain_hours:g} h)"
            if self.drains_at is not None
            else "never drains (daily cap 0)"
        )
        return (
            f"{self.account}: {self.waiting} posts wait, the oldest since "
            f"{self.oldest_queued_at:%Y-%m-%d %H:%M} UTC; at its pace the queue {drains} "
            f"(BW910, checked {self.checked_at:%H:%M}): raise the daily cap, thin the feed with filters, "
            "or move part of it to another account"
        )


def backlogs(
    latest: Iterable[tuple[str, datetime, list[str], list[dict[str, Any]]]], waiting: Collection[str]
) -> list[BacklogView]:
    """From each account's latest verdict (account, when, codes, findings): those that found a backlog,
    of the accounts that still have posts ``waiting``, by account."""
    found = []
    for account, at, codes, findings in sorted(latest, key=lambda row: row[0]):
        if account not in waiting or BACKLOG_CODE not in codes:
            continue
        finding = next(f for f in findings if f.get("code") == BACKLOG_CODE)
        evidence = finding.get("evidence", {})
        drains = evidence.get("drains_at")
        found.append(
            BacklogView(
                account,
                at,
                int(evidence["waiting"]),
                datetime.fromisoformat(evidence["oldest_queued_at"]),
                datetime.fromisoformat(drains) if drains else None,
                evidence.get("drain_hours"),
                str(finding.get("message", "")),
            )
        )
    return found


@dataclass(frozen=True, slots=True)
class FeedView:
    id: str
    url: str
    title: str
    last_status: str
    last_fetched_at: datetime | None
    next_fetch_at: datetime | None
    error_streak: int
    last_error: str
