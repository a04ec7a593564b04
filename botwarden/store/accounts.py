"""Putting a stopped account back to work: its status, and its held posts back in the queue."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, select
from sqlalchemy.orm import Session

from botwarden.rules.context import AccountInfo
from botwarden.store.events import record
from botwarden.store.models import AccountRow, QueueRow
from botwarden.store.queue import State, transition

_A = AccountRow.__table__.c
# The check endpoint reads an account on every request: one prebuilt statement, plain columns.
_INFO = select(_A.id, _A.network, _A.operator, _A.status, _A.status_since, _A.status_reason).where(
    _A.id == bindparam("id")
)


def account_info(
    account: AccountRow | Row[*tuple[Any, ...]], *, spend_cap_usd: float | None = None
) -> AccountInfo:
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


def stored_account_info(
    connection: Connection, account_id: str, *, spend_cap_usd: float | None = None
) -> AccountInfo | None:
    """``account_info`` of the stored account ``account_id`` (None if there is none), read without
    loading an ORM object."""
    row = connection.execute(_INFO, {"id": account_id}).first()
    return None if row is None else account_info(row, spend_cap_usd=spend_cap_usd)


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
