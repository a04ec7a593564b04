"""A person's decision on a held queue entry: approve it (it goes back to be checked, and the holds they
saw no longer stop it) or reject it (it is never sent)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from botwarden.errors import InputError
from botwarden.store.events import record
from botwarden.store.models import QueueRow
from botwarden.store.queue import State, transition
from botwarden.store.reads import latest_verdict


def approve(session: Session, entry_id: int, by: str, now: datetime) -> list[str]:
    """Approve a held entry; returns the hold codes the person approved."""
    entry = session.get_one(QueueRow, entry_id)
    _must_be_held(entry)
    verdict = latest_verdict(session, entry.id)
    findings = verdict.findings if verdict else []
    # A stopped account (BW904) is restored with `accounts resume`, never approved past.
    codes = sorted({f["code"] for f in findings if f.get("severity") == "hold" and f["code"] != "BW904"})
    transition(entry, State.READY, now)
    entry.not_before, entry.approved_by = now, by
    entry.approved_codes = sorted({*(entry.approved_codes or []), *codes})
    record(
        session,
        now,
        "approved",
        f"{entry.account_id}: entry {entry.id} approved by {by} despite {', '.join(codes) or 'no hold'}; "
        "it is checked again and scheduled",
        account=entry.account_id,
        queue_id=entry.id,
        codes=codes,
    )
    return codes


def reject(session: Session, entry_id: int, by: str, now: datetime) -> None:
    entry = session.get_one(QueueRow, entry_id)
    _must_be_held(entry)
    transition(entry, State.DENIED, now)
    record(
        session,
        now,
        "rejected",
        f"{entry.account_id}: entry {entry.id} rejected by {by}; it will not be sent",
        account=entry.account_id,
        queue_id=entry.id,
    )


def _must_be_held(entry: QueueRow) -> None:
    if entry.state != State.HELD.value:
        raise InputError(f"entry {entry.id} is {entry.state}, not held: only held entries are reviewed")
