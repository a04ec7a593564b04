"""A person's decision on a queue entry: approve a held one (it goes back to be checked, and the holds they
saw no longer stop it), reject it (it is never sent), or retry one that failed.

An approval cannot lift a stop: an entry held because its account is locked, suspended or paused (BW904)
stays held, with the approval kept, until the account is restored (``botwarden accounts resume``), and the
answer says so rather than report an approval that the next check would undo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from botwarden.errors import InputError
from botwarden.store.events import record
from botwarden.store.models import AccountRow, QueueRow
from botwarden.store.queue import State, transition
from botwarden.store.reads import latest_verdict

STOPPED = "BW904"


@dataclass(frozen=True, slots=True)
class Approval:
    entry: int
    account: str
    approved_codes: list[str]  # the holds a person let pass
    released: bool  # back in the queue, to be checked again; False: still held by its account's stop
    still_held_by: str = ""  # why it stays held, when it does

    def describe(self) -> str:
        codes = ", ".join(self.approved_codes) or "no rule's hold"
        if self.released:
            return (
                f"entry {self.entry} approved despite {codes}; it is checked again and scheduled "
                "(a hold by any other rule would still stop it)"
            )
        return f"entry {self.entry}: approval of {codes} kept, but it is still held: {self.still_held_by}"


def approve(session: Session, entry_id: int, by: str, now: datetime) -> Approval:
    """Approve a held entry: the holds it shows no longer stop it, and it goes back to be checked, unless
    its account is stopped (then it stays held, with the approval kept for when the account resumes)."""
    entry = _entry(session, entry_id)
    _must_be(entry, State.HELD, "only held entries are approved")
    verdict = latest_verdict(session, entry.id)
    findings = verdict.findings if verdict else []
    # A stopped account (BW904) is restored with `accounts resume`, never approved past.
    codes = sorted({f["code"] for f in findings if f.get("severity") == "hold" and f["code"] != STOPPED})
    entry.approved_by = by
    entry.approved_codes = sorted({*(entry.approved_codes or []), *codes})
    account = session.get_one(AccountRow, entry.account_id)
    if account.status != "ok":
        answer = Approval(entry.id, entry.account_id, codes, False, _stopped(account))
    else:
        transition(entry, State.READY, now)
        entry.not_before = now
        answer = Approval(entry.id, entry.account_id, codes, True)
    record(
        session,
        now,
        "approved",
        f"{entry.account_id}: {answer.describe()} (by {by})",
        account=entry.account_id,
        queue_id=entry.id,
        codes=codes,
    )
    return answer


def reject(session: Session, entry_id: int, by: str, now: datetime) -> None:
    entry = _entry(session, entry_id)
    _must_be(entry, State.HELD, "only held entries are rejected")
    transition(entry, State.DENIED, now)
    record(
        session,
        now,
        "rejected",
        f"{entry.account_id}: entry {entry.id} rejected by {by}; it will not be sent",
        account=entry.account_id,
        queue_id=entry.id,
    )


def retry(session: Session, entry_id: int, by: str, now: datetime) -> str:
    """Send a failed entry back to the queue with its attempts counted afresh; what happens next."""
    entry = _entry(session, entry_id)
    _must_be(entry, State.FAILED, "only failed entries are retried")
    error = entry.last_error
    transition(entry, State.READY, now)
    entry.not_before, entry.attempts, entry.last_error = now, 0, ""
    account = session.get_one(AccountRow, entry.account_id)
    after = (
        f"but {_stopped(account)}, so the next check holds it (BW904)"
        if account.status != "ok"
        else "it is checked again and sent when its turn comes"
    )
    message = f"entry {entry.id} goes back to the queue (it had failed: {error or 'no error kept'}); {after}"
    record(
        session,
        now,
        "retried",
        f"{entry.account_id}: {message} (by {by})",
        account=entry.account_id,
        queue_id=entry.id,
    )
    return message


def _stopped(account: AccountRow) -> str:
    status = account.status.replace("_", " ")
    return (
        f"account {account.id} is {status} (BW904); once a person has restored it, "
        f"`botwarden accounts resume {account.id}` releases its held posts"
    )


def _entry(session: Session, entry_id: int) -> QueueRow:
    entry = session.get(QueueRow, entry_id)
    if entry is None:
        raise InputError(f"no queue entry {entry_id}; `botwarden queue` lists them")
    return entry


def _must_be(entry: QueueRow, state: State, rule: str) -> None:
    if entry.state != state.value:
        raise InputError(f"entry {entry.id} is {entry.state}, not {state.value}: {rule}")
