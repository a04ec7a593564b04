"""The consent ledger in memory: what the 4xx, 5xx and 7xx rules consult before contacting anyone.

The replay fills it from its ledger lines; the worker from the store (``botwarden.store.consent``). Every
question is asked "as of" a time, so a replay sees the ledger as it stood when each action happened.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

#: Ways a user can ask to be contacted. A follow is recorded but never counts as asking (BW408).
OPT_IN_WAYS = ("reply", "mention", "dm", "campaign", "follow")
#: The opt-ins that make a direct message wanted: the user wrote to the account or took the campaign's action.
DM_OPT_IN_WAYS = frozenset({"dm", "campaign"})
PUBLIC_OPT_IN_WAYS = frozenset({"reply", "mention", "dm", "campaign"})


@dataclass(frozen=True, slots=True)
class OptIn:
    at: datetime
    via: str
    interaction: str | None = None
    sensitive: bool = False


@dataclass(frozen=True, slots=True)
class Contact:
    """An automated reply, mention or message the account sent to a user."""

    at: datetime
    kind: str
    interaction: str | None
    text: str = ""


@dataclass(frozen=True, slots=True)
class Consent:
    """An account owner's express consent to automated actions through their account."""

    owner: str
    at: datetime
    actions: frozenset[str]
    purpose_version: str
    delete_notice: bool = False


@dataclass(frozen=True, slots=True)
class Standing:
    """Where one user stands with one account at one moment."""

    opt_ins: tuple[OptIn, ...]  # since the last opt-out, oldest first
    opted_out_at: datetime | None  # set only while the opt-out is in force
    ended_at: datetime | None  # the last interaction that ended after the latest opt-in

    @property
    def asked(self) -> tuple[OptIn, ...]:
        """Opt-ins that are real requests to be contacted (a follow is not one)."""
        return tuple(o for o in self.opt_ins if o.via != "follow")

    @property
    def follow_only(self) -> bool:
        return bool(self.opt_ins) and not self.asked

    @property
    def sensitive_ok(self) -> bool:
        return any(o.sensitive for o in self.asked)

    def latest(self, ways: frozenset[str] = PUBLIC_OPT_IN_WAYS) -> OptIn | None:
        found = [o for o in self.opt_ins if o.via in ways]
        return found[-1] if found else None


@dataclass(slots=True)
class ConsentLedger:
    opt_ins: dict[tuple[str, str], list[OptIn]] = field(default_factory=lambda: defaultdict(list))
    opt_outs: dict[tuple[str, str], list[datetime]] = field(default_factory=lambda: defaultdict(list))
    ended: dict[tuple[str, str], list[datetime]] = field(default_factory=lambda: defaultdict(list))
    contacts: dict[tuple[str, str], list[Contact]] = field(default_factory=lambda: defaultdict(list))
    consents: dict[str, list[Consent]] = field(default_factory=lambda: defaultdict(list))
    owner_opt_outs: dict[str, list[datetime]] = field(default_factory=lambda: defaultdict(list))
    purposes: list[tuple[datetime, str]] = field(default_factory=list)

    # -- recording ------------------------------------------------------------------------------------

    def opt_in(self, account: str, user: str, entry: OptIn) -> None:
        self.opt_ins[(account, normalize_user(user))].append(entry)

    def opt_out(self, account: str, user: str, at: datetime) -> None:
        self.opt_outs[(account, normalize_user(user))].append(at)

    def interaction_ended(self, account: str, user: str, at: datetime) -> None:
        self.ended[(account, normalize_user(user))].append(at)

    def contacted(self, account: str, user: str, contact: Contact) -> None:
        self.contacts[(account, normalize_user(user))].append(contact)

    def consent(self, account: str, consent: Consent) -> None:
        self.consents[account].append(consent)

    def owner_opt_out(self, account: str, at: datetime) -> None:
        self.owner_opt_outs[account].append(at)

    def purpose(self, at: datetime, version: str) -> None:
        self.purposes.append((at, version))

    # -- asking ---------------------------------------------------------------------------------------

    def standing(self, account: str, user: str, at: datetime) -> Standing:
        key = (account, normalize_user(user))
        ins = sorted((o for o in self.opt_ins.get(key, ()) if o.at <= at), key=lambda o: o.at)
        last_out = max((t for t in self.opt_outs.get(key, ()) if t <= at), default=None)
        if last_out is not None:
            ins = [o for o in ins if o.at > last_out]
        opted_out = last_out if last_out is not None and not [o for o in ins if o.via != "follow"] else None
        latest_in = ins[-1].at if ins else None
        ended = max(
            (t for t in self.ended.get(key, ()) if t <= at and (latest_in is None or t >= latest_in)),
            default=None,
        )
        return Standing(tuple(ins), opted_out, ended)

    def contacts_with(self, account: str, user: str, before: datetime) -> list[Contact]:
        return [c for c in self.contacts.get((account, normalize_user(user)), ()) if c.at <= before]

    def consent_for(self, account: str, at: datetime) -> Consent | None:
        given = [c for c in self.consents.get(account, ()) if c.at <= at]
        return max(given, key=lambda c: c.at) if given else None

    def owner_opted_out(self, account: str, at: datetime) -> datetime | None:
        """When the owner opted out, if that opt-out is later than their latest consent."""
        out = max((t for t in self.owner_opt_outs.get(account, ()) if t <= at), default=None)
        consent = self.consent_for(account, at)
        if out is None or (consent is not None and consent.at > out):
            return None
        return out

    def purpose_version(self, at: datetime) -> str | None:
        current = [p for p in self.purposes if p[0] <= at]
        return max(current, key=lambda p: p[0])[1] if current else None


def normalize_user(user: str) -> str:
    """Handles compare case-insensitively and with or without the leading '@'."""
    return user.strip().lstrip("@").casefold()
