"""The consent ledger in the store: recording opt-ins, opt-outs and owners' consent, and reading it back
as the :class:`~botwarden.consent.ConsentLedger` the rules consult.

Records are appended, never changed in meaning: an opt-out is a new line, and so is a later opt-in. Each
line keeps who recorded it and when (the ``attest`` trail), beside the time the user or owner acted (``at``).

What users write to an account is not kept: an inbound line keeps who wrote, when, by which channel, the
id of their post or message, and what it meant (an opt-in or an opt-out), never the words. When that post
or message is deleted on the network, its id leaves the ledger too (X's Developer Policy asks for deleted
content to be removed within 24 hours): the line's id becomes ``redacted:N`` and a ``redaction`` line,
pointing at line N, records when and why. What the line meant still stands, so a "stop" that was deleted
afterwards still stops the account.
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

KINDS = (
    "opt_in",
    "opt_out",
    "interaction_ended",
    "contact",
    "consent",
    "owner_opt_out",
    "purpose",
    "redaction",
)
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

    def opt_out(
        self,
        account: str,
        user: str,
        at: datetime,
        *,
        via: str | None = None,
        interaction: str | None = None,
        note: str = "",
    ) -> Recorded:
        self._add("opt_out", at, account, user, via=via, interaction=interaction, note=note)
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
        that channel (the user wrote first, which is asking to hear back). What it meant is recorded,
        never the text itself."""
        if via not in INBOUND_WAYS:
            raise InputError(f"--via must be one of {', '.join(INBOUND_WAYS)}, not {via!r}")
        if is_opt_out_message(text):
            note = f"{_CHANNELS[via]} asking the account to stop (text not kept)"
            return self.opt_out(account, user, at, via=via, interaction=interaction, note=note)
        note = f"{_CHANNELS[via]}: asked to hear back (text not kept)"
        return self.opt_in(account, user, at, via, interaction=interaction, note=note)

    def redact(self, line: RetainedLine, at: datetime, why: str) -> Recorded:
        """The post or message ``line`` recorded is gone from the network: its id leaves the ledger
        (the line, and the account's own contacts that answered it, keep ``redacted:N`` instead), and a
        redaction line records when and why. What the line meant stands."""
        placeholder = f"{REDACTED}{line.id}"
        rows = self._session.scalars(
            select(ConsentRow).where(
                ConsentRow.account_id == line.account_id,
                (ConsentRow.id == line.id)
                | ((ConsentRow.kind == "contact") & (ConsentRow.interaction == line.interaction)),
            )
        )
        for row in rows:
            row.interaction = placeholder
        self._add("redaction", at, line.account_id, line.user, refers_to=line.id, note=why)
        return Recorded("redaction", f"line {line.id} of {line.account_id}: {why}")

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


#: What an inbound line says its message was, by channel.
_CHANNELS = {"reply": "a reply", "mention": "a mention", "dm": "a direct message"}
#: The prefix of an id that was removed because its post or message was deleted on the network.
REDACTED = "redacted:"


@dataclass(frozen=True, slots=True)
class RetainedLine:
    """An inbound line that still holds a network's id of someone's post or message."""

    id: int
    account_id: str
    user: str
    via: str
    interaction: str
    at: datetime


def retained_lines(session: Session, accounts: Iterable[str]) -> list[RetainedLine]:
    """The inbound lines of ``accounts`` that still hold the id of a user's post or message, oldest
    first: what must leave the ledger when it is deleted on the network."""
    query = (
        select(ConsentRow)
        .where(
            ConsentRow.account_id.in_(list(accounts)),
            ConsentRow.kind.in_(("opt_in", "opt_out")),
            ConsentRow.via.in_(INBOUND_WAYS),
            ConsentRow.interaction.is_not(None),
            ConsentRow.interaction.not_like(f"{REDACTED}%"),
        )
        .order_by(ConsentRow.id)
    )
    return [
        RetainedLine(r.id, r.account_id or "", r.user or "", r.via or "", r.interaction or "", r.at)
        for r in session.scalars(query)
    ]


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

    id: int
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
    refers_to: int | None = None


def ledger_rows(session: Session, account: str | None = None, kinds: Iterable[str] = ()) -> list[LedgerLine]:
    query = select(ConsentRow).order_by(ConsentRow.at, ConsentRow.id)
    if account is not None:
        query = query.where(ConsentRow.account_id == account)
    if kinds:
        query = query.where(ConsentRow.kind.in_(list(kinds)))
    return [
        LedgerLine(
            r.id,
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
            r.refers_to,
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
