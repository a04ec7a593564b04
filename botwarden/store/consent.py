"""The consent ledger in the store: recording opt-ins, opt-outs and owners' consent, and reading it back
as the :class:`~botwarden.consent.ConsentLedger` the rules consult.

Records are appended, never changed: an opt-out is a new line, and so is a later opt-in. Each line keeps
who recorded it and when (the ``attest`` trail), beside the time the user or owner acted (``at``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from botwarden.consent import Consent, ConsentLedger, Contact, OptIn, is_opt_out_message
from botwarden.consent.ledger import OPT_IN_WAYS, normalize_user
from botwarden.errors import InputError
from botwarden.rules.model import ACTION_KINDS
from botwarden.store.models import ConsentRow

KINDS = ("opt_in", "opt_out", "interaction_ended", "contact", "consent", "owner_opt_out", "purpose")
#: Inbound channels: a user who replied to, mentioned or messaged the account asked to hear from it.
INBOUND_WAYS = ("reply", "mention", "dm")


@dataclass(frozen=True, slots=True)
class Recorded:
    """What one call recorded, in words a person reads back."""

    kind: str
    message: str


class ConsentStore:
    def __init__(self, session: Session, *, recorded_by: str, now: datetime) -> None:
        self._session = session
        self._by = recorded_by
        self._now = now

    def opt_in(
        self,
        account: str,
        user: str,
        at: datetime,
        via: str,
        *,
        interaction: str | None = None,
        sensitive: bool = False,
        note: str = "",
    ) -> Recorded:
        if via not in OPT_IN_WAYS:
            raise InputError(f"--via must be one of {', '.join(OPT_IN_WAYS)}, not {via!r}")
        self._add(
            "opt_in", at, account, user, via=via, interaction=interaction, sensitive=sensitive, note=note
        )
        suffix = " (a follow is recorded but is not a request to be contacted)" if via == "follow" else ""
        return Recorded("opt_in", f"{_who(user)} opted in to {account} by {via}{suffix}")

    def opt_out(self, account: str, user: str, at: datetime, *, note: str = "") -> Recorded:
        self._add("opt_out", at, account, user, note=note)
        return Recorded(
            "opt_out", f"{_who(user)} opted out of {account}: no automated reply, mention or message from now"
        )

    def interaction_ended(self, account: str, user: str, at: datetime) -> Recorded:
        self._add("interaction_ended", at, account, user)
        return Recorded("interaction_ended", f"the interaction of {_who(user)} with {account} ended")

    def contacted(self, account: str, user: str, contact: Contact) -> None:
        self._add(
            "contact",
            contact.at,
            account,
            user,
            via=contact.kind,
            interaction=contact.interaction,
            note=contact.text,
        )

    def consent(
        self,
        account: str,
        owner: str,
        at: datetime,
        actions: Iterable[str],
        purpose_version: str,
        *,
        delete_notice: bool = False,
    ) -> Recorded:
        kinds = sorted(set(actions))
        unknown = sorted(set(kinds) - ACTION_KINDS)
        if not kinds or unknown:
            raise InputError(
                f"--actions: {'unknown kind ' + repr(unknown[0]) if unknown else 'name at least one kind'}; "
                f"kinds are {', '.join(sorted(ACTION_KINDS))}"
            )
        if not purpose_version.strip():
            raise InputError("--purpose-version is empty; name the version of the purpose the owner read")
        self._add(
            "consent",
            at,
            account,
            owner=owner,
            actions=kinds,
            purpose_version=purpose_version,
            delete_notice=delete_notice,
        )
        return Recorded(
            "consent",
            f"{owner} consented to automated {', '.join(kinds)} through {account} "
            f"(purpose {purpose_version}{', told deletions are final' if delete_notice else ''})",
        )

    def owner_opt_out(self, account: str, at: datetime) -> Recorded:
        self._add("owner_opt_out", at, account)
        return Recorded("owner_opt_out", f"the owner of {account} opted out of automated actions")

    def purpose(self, version: str, at: datetime) -> Recorded:
        if not version.strip():
            raise InputError("the purpose version is empty")
        self._add("purpose", at, purpose_version=version)
        return Recorded(
            "purpose", f"the app's purpose is now version {version}; earlier consents must be renewed"
        )

    def inbound(
        self, account: str, user: str, text: str, at: datetime, via: str, *, interaction: str | None = None
    ) -> Recorded:
        """A message a user sent the account: an opt-out when it says so ("stop"), else an opt-in by
        that channel (the user wrote first, which is asking to hear back)."""
        if via not in INBOUND_WAYS:
            raise InputError(f"--via must be one of {', '.join(INBOUND_WAYS)}, not {via!r}")
        if is_opt_out_message(text):
            return self.opt_out(account, user, at, note=text)
        return self.opt_in(account, user, at, via, interaction=interaction, note=text)

    def _add(
        self,
        kind: str,
        at: datetime,
        account: str | None = None,
        user: str | None = None,
        **fields: object,
    ) -> None:
        self._session.add(
            ConsentRow(
                kind=kind,
                account_id=account,
                user=normalize_user(user) if user is not None else None,
                at=at,
                recorded_by=self._by,
                recorded_at=self._now,
                **{"sensitive": False, "delete_notice": False, "actions": [], "note": "", **fields},
            )
        )


def load_ledger(reader: Session | Connection, accounts: Iterable[str] | None = None) -> ConsentLedger:
    """The ledger as the rules see it, for these accounts (all when None); purposes are app-wide."""
    if isinstance(reader, Connection):
        with Session(bind=reader) as session:
            return load_ledger(session, accounts)
    query = select(ConsentRow).order_by(ConsentRow.at, ConsentRow.id)
    if accounts is not None:
        query = query.where((ConsentRow.account_id.in_(list(accounts))) | (ConsentRow.kind == "purpose"))
    ledger = ConsentLedger()
    for row in reader.scalars(query):
        _replay_row(ledger, row)
    return ledger


def ledger_version(session: Session | Connection) -> tuple[int, int]:
    """How many lines the ledger has and the last one's id: a new line changes it, even one whose
    transaction committed after a later-numbered line's."""
    count, last = session.execute(select(func.count(), func.max(ConsentRow.id))).one()
    return int(count), int(last or 0)


@dataclass(frozen=True, slots=True)
class LedgerLine:
    """One line of the ledger as it was recorded."""

    kind: str
    account_id: str | None
    user: str | None
    at: datetime
    via: str | None
    interaction: str | None
    sensitive: bool
    owner: str | None
    actions: list[str]
    purpose_version: str | None
    delete_notice: bool
    recorded_by: str
    recorded_at: datetime
    note: str


def ledger_rows(session: Session, account: str | None = None, kinds: Iterable[str] = ()) -> list[LedgerLine]:
    query = select(ConsentRow).order_by(ConsentRow.at, ConsentRow.id)
    if account is not None:
        query = query.where(ConsentRow.account_id == account)
    if kinds:
        query = query.where(ConsentRow.kind.in_(list(kinds)))
    return [
        LedgerLine(
            r.kind,
            r.account_id,
            r.user,
            r.at,
            r.via,
            r.interaction,
            r.sensitive,
            r.owner,
            list(r.actions),
            r.purpose_version,
            r.delete_notice,
            r.recorded_by,
            r.recorded_at,
            r.note,
        )
        for r in session.scalars(query)
    ]


def _replay_row(ledger: ConsentLedger, row: ConsentRow) -> None:
    account, user = row.account_id or "", row.user or ""
    if row.kind == "opt_in":
        ledger.opt_in(account, user, OptIn(row.at, row.via or "", row.interaction, row.sensitive))
    elif row.kind == "opt_out":
        ledger.opt_out(account, user, row.at)
    elif row.kind == "interaction_ended":
        ledger.interaction_ended(account, user, row.at)
    elif row.kind == "contact":
        ledger.contacted(account, user, Contact(row.at, row.via or "", row.interaction, row.note))
    elif row.kind == "consent":
        consent = Consent(
            row.owner or "", row.at, frozenset(row.actions), row.purpose_version or "", row.delete_notice
        )
        ledger.consent(account, consent)
    elif row.kind == "owner_opt_out":
        ledger.owner_opt_out(account, row.at)
    elif row.kind == "purpose":
        ledger.purpose(row.at, row.purpose_version or "")


def _who(user: str) -> str:
    return "@" + normalize_user(user)
