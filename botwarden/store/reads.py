"""What happened to each queued post, read back from the store (for the demo, `queue` and `status`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from botwarden.rules import load_registry
from botwarden.store.models import HistoryRow, ItemRow, QueueRow, VerdictRow


@dataclass(frozen=True, slots=True)
class EntryReport:
    id: int
    account: str
    title: str
    state: str
    outcome: str  # posted, posted after delay, delayed, held, denied, failed, pending
    codes: tuple[str, ...]
    reason: str
    posted_at: datetime | None
    not_before: datetime
    text: str


def entry_reports(
    session: Session, *, account: str | None = None, states: list[str] | None = None, limit: int | None = None
) -> list[EntryReport]:
    query = select(QueueRow, ItemRow.title).join(ItemRow, ItemRow.id == QueueRow.item_id)
    if account:
        query = query.where(QueueRow.account_id == account)
    if states:
        query = query.where(QueueRow.state.in_(states))
    query = query.order_by(QueueRow.created_at, QueueRow.id)
    if limit:
        query = query.limit(limit)
    rows = session.execute(query).all()
    ids = [row.QueueRow.id for row in rows]
    posted = dict(
        session.execute(select(HistoryRow.queue_id, HistoryRow.at).where(HistoryRow.queue_id.in_(ids))).all()
    )
    verdicts = _notable_verdicts(session, ids)
    auto_codes = frozenset(rule.code for rule in load_registry() if rule.enforced == "auto")
    return [
        _report(
            row.QueueRow, row.title, posted.get(row.QueueRow.id), verdicts.get(row.QueueRow.id), auto_codes
        )
        for row in rows
    ]


def _notable_verdicts(session: Session, ids: list[int]) -> dict[int, VerdictRow]:
    """Per entry, the latest verdict with codes (what explains a delay, hold or denial), else the latest
    verdict at all (whose notes may say what composing changed, e.g. a trending hashtag left out)."""
    with_codes: dict[int, VerdictRow] = {}
    latest: dict[int, VerdictRow] = {}
    for verdict in session.scalars(
        select(VerdictRow).where(VerdictRow.queue_id.in_(ids)).order_by(VerdictRow.id)
    ):
        latest[verdict.queue_id] = verdict
        if verdict.codes:
            with_codes[verdict.queue_id] = verdict
    return {**latest, **with_codes}


def _action_notes(verdict: VerdictRow, auto_codes: frozenset[str]) -> list[dict[str, Any]]:
    """Info findings of rules checked on every action (not the account-setup reminders every post has)."""
    return [f for f in verdict.findings if f.get("code") in auto_codes]


def _report(
    entry: QueueRow,
    title: str,
    posted_at: datetime | None,
    verdict: VerdictRow | None,
    auto_codes: frozenset[str],
) -> EntryReport:
    outcome = {
        "sent": "posted after delay" if entry.was_delayed else "posted",
        "held": "held",
        "denied": "denied",
        "failed": "failed",
        "sending": "sending",
    }.get(entry.state, "")
    if not outcome:
        outcome = "delayed" if entry.was_delayed else "pending"
    reason = ""
    codes: tuple[str, ...] = ()
    if verdict is not None:
        codes = tuple(verdict.codes)
        notable = [f for f in verdict.findings if f.get("code") in codes] or _action_notes(
            verdict, auto_codes
        )
        reason = notable[0]["message"] if notable else ""
    if entry.state == "failed":
        reason = entry.last_error
    return EntryReport(
        entry.id,
        entry.account_id,
        title,
        entry.state,
        outcome,
        codes,
        reason,
        posted_at,
        entry.not_before,
        entry.text,
    )
