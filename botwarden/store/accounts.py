"""Accounts in the store: what the rules and the pages know of them, the state the networks left them in
(stopped, probed, request budgets, where reading their mentions stopped), and putting a stopped one back."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, bindparam, func, select
from sqlalchemy.orm import Session

from botwarden.errors import InputError
from botwarden.rules.account import AccountInfo
from botwarden.rules.facts import Budget
from botwarden.store.db import Reader, one_of
from botwarden.store.events import record
from botwarden.store.models import AccountRow, QueueRow
from botwarden.store.queue import State, transition

_A = AccountRow.__table__.c
# The check endpoint reads an account on every request: one prebuilt statement, plain columns.
_INFO = select(_A.id, _A.network, _A.operator, _A.status, _A.status_since, _A.status_reason).where(
    _A.id == bindparam("id")
)


@dataclass(frozen=True, slots=True)
class StoredAccount:
    """An account as the store keeps it (read once; change it through this module's functions)."""

    id: str
    network: str
    operator: str
    status: str
    status_since: datetime | None
    status_reason: str
    next_probe_at: datetime | None


def account_info(
    account: AccountRow | StoredAccount | Row[*tuple[Any, ...]], *, spend_cap_usd: float | None = None
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
    reader: Reader, account_id: str, *, spend_cap_usd: float | None = None
) -> AccountInfo | None:
    """``account_info`` of the stored account ``account_id`` (None if there is none). Through a
    connection it is read without loading an ORM object; in a transaction that holds it already (the
    worker claimed it), it costs no query."""
    if isinstance(reader, Session):
        held = reader.get(AccountRow, account_id)
        return None if held is None else account_info(held, spend_cap_usd=spend_cap_usd)
    row = reader.execute(_INFO, {"id": account_id}).first()
    return None if row is None else account_info(row, spend_cap_usd=spend_cap_usd)


def get_account(session: Session, account_id: str) -> StoredAccount | None:
    row = session.get(AccountRow, account_id)
    return None if row is None else _stored(row)


def list_accounts(session: Session) -> list[StoredAccount]:
    """Every account, by id."""
    return [_stored(row) for row in session.scalars(select(AccountRow).order_by(AccountRow.id))]


def fleet(reader: Reader) -> list[tuple[str, str, str]]:
    """Every account's id, network and operator, by id: the fleets the cross-account rules compare."""
    rows = reader.execute(select(_A.id, _A.network, _A.operator).order_by(_A.id))
    return [(row.id, row.network, row.operator) for row in rows]


def accounts_version(reader: Reader) -> tuple[int, str]:
    """How many accounts there are and the greatest id: an account added changes it."""
    count, last = reader.execute(select(func.count(), func.max(_A.id))).one()
    return int(count), str(last or "")


def network_of(session: Session, account_id: str) -> str:
    return session.get_one(AccountRow, account_id).network


def create_account(session: Session, account_id: str, network: str, operator: str) -> StoredAccount:
    row = AccountRow(id=account_id, network=network, operator=operator, status="ok", status_reason="")
    session.add(row)
    return _stored(row)


def pause_account(session: Session, account_id: str, reason: str, now: datetime) -> bool:
    """Stop posting from an account that is ok until a person resumes it; False if it was not ok."""
    row = session.get_one(AccountRow, account_id)
    if row.status != "ok":
        return False
    row.status, row.status_since, row.status_reason = "paused", now, reason
    return True


# -- what the networks say ----------------------------------------------------------------------------


def set_budget(session: Session, account_id: str, budget: Budget) -> None:
    """What the network's rate-limit headers last said (shared by every worker; BW901 reads it)."""
    account = session.get_one(AccountRow, account_id)
    account.rate_remaining, account.rate_reset_at = budget.remaining, budget.reset


def known_budgets(reader: Reader, now: datetime) -> dict[str, Budget]:
    """Each account's request budget where the network's window has not reset yet."""
    known = reader.execute(
        select(_A.id, _A.rate_remaining, _A.rate_reset_at).where(_A.rate_reset_at > bindparam("now")),
        {"now": now},
    )
    return {
        account: Budget(remaining, reset)
        for account, remaining, reset in known
        if remaining is not None and reset is not None
    }


def stop_account(
    session: Session, account_id: str, status: str, reason: str, now: datetime, probe_at: datetime
) -> None:
    """The network stopped the account (locked, suspended, ...): held until a person restores it, probed
    once at ``probe_at``."""
    account = session.get_one(AccountRow, account_id)
    account.status, account.status_since = status, now
    account.status_reason = reason
    account.next_probe_at = probe_at


def due_probes(session: Session, now: datetime, accounts: Collection[str]) -> list[str]:
    """Those of ``accounts`` that are stopped and due for their probe."""
    return list(
        session.scalars(
            select(AccountRow.id).where(
                AccountRow.status != "ok",
                AccountRow.next_probe_at <= now,
                one_of(session, AccountRow.id, accounts),
            )
        )
    )


def take_probe(session: Session, account_id: str, now: datetime, next_at: datetime) -> str | None:
    """Take the account's probe for this worker (no other worker probes it too); its network, or None
    when another worker has it or it is not due."""
    account = session.get(
        AccountRow, account_id, with_for_update={"skip_locked": True}, populate_existing=True
    )
    if account is None or account.next_probe_at is None or account.next_probe_at > now:
        return None
    account.next_probe_at = next_at
    return account.network


def probe_answered(session: Session, account_id: str) -> StoredAccount:
    """The account answered its probe: no more probes. Returns it as it stands (still stopped)."""
    account = session.get_one(AccountRow, account_id)
    account.next_probe_at = None
    return _stored(account)


def due_inbound(session: Session, now: datetime, accounts: Collection[str]) -> list[str]:
    """Those of ``accounts`` that are ok and due for reading their mentions and messages."""
    return list(
        session.scalars(
            select(AccountRow.id).where(
                AccountRow.id.in_(list(accounts)),
                AccountRow.status == "ok",
                (AccountRow.next_inbound_at.is_(None)) | (AccountRow.next_inbound_at <= now),
            )
        )
    )


def take_inbound(
    session: Session, account_id: str, now: datetime, interval: timedelta
) -> tuple[str, str | None] | None:
    """Take this poll of the account's inbound messages (no other worker polls it too): its network and
    cursor, or None when another worker has it or it is not due."""
    account = session.get(
        AccountRow, account_id, with_for_update={"skip_locked": True}, populate_existing=True
    )
    if account is None or (account.next_inbound_at is not None and account.next_inbound_at > now):
        return None
    account.next_inbound_at = now + interval
    return account.network, account.inbound_cursor


def save_inbound_cursor(session: Session, account_id: str, cursor: str | None) -> None:
    session.get_one(AccountRow, account_id).inbound_cursor = cursor


# -- back to work -------------------------------------------------------------------------------------


def resume_account(session: Session, account_id: str, now: datetime, why: str) -> int:
    """Mark the account ok and send its held posts back to be checked again; how many there were."""
    account = session.get(AccountRow, account_id)
    if account is None:
        raise InputError(f"no account '{account_id}' in the store")
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


def _stored(row: AccountRow) -> StoredAccount:
    return StoredAccount(
        row.id, row.network, row.operator, row.status, row.status_since, row.status_reason, row.next_probe_at
    )
