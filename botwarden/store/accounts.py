"""Putting a stopped account back to work: its status, and its held posts back in the queue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from botwarden.rules.context import AccountInfo
from botwarden.store.events import record
from botwarden.store.models import AccountRow, QueueRow
from botwarden.store.queue import State, transition


def account_info(account: AccountRow, *, spend_cap_usd: float | None = None) -> AccountInfo:
    """What the rules know of a stored account: who it is and the state the network left it in."""
    return AccountInfo(
        account.id,
        account.network,
        account.operator,
        account.status,
        account.status_since,
        account.status_reason,
        spend_cap_usd=spend_cap_usd,
    )


def resume_account(session: Session, account: AccountRow, now: datetime, why: str) -> int:
    """Mark the account ok and send its held posts back to be checked again; how many there were."""
    was = account.status
    account.status, account.status_since, account.status_reason = "ok", now, ""
    account.next_probe_at = None
    held = list(
        session.scalars(
            select(QueueRow).where(QueueRow.account_id == account.id, QueueRow.state == State.HELD.value)
        )
    )
    for entry in held:
        transition(entry, State.READY, now)
        entry.not_before = now
    record(
        session,
        now,
        "account_resumed",
        f"{account.id}: marked ok (was {was}, {why}); {len(held)} held post(s) go back to the queue "
        "and are checked again",
        account=account.id,
    )
    return len(held)
