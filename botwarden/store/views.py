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
from typing import Protocol, TypeVar

#: The newest migration in ``migrations/versions`` (a test checks it is Alembic's head).
HEAD_REVISION = "0009"


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
