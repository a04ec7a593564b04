"""Facts beyond an account's own history that rules consult: the operator's other accounts, trends and
what is known about links. The replay builds them from its context lines; the worker from its store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botwarden.compose.links import canonical_link
from botwarden.consent.ledger import ConsentLedger
from botwarden.rules.account import AccountInfo


@dataclass(frozen=True, slots=True)
class Trend:
    network: str
    at: datetime
    terms: frozenset[str]  # case-folded


@dataclass(frozen=True, slots=True)
class LinkFacts:
    """A link's redirect chain (first = the posted URL, last = where it lands) and what each hop is."""

    url: str
    chain: tuple[str, ...]
    kinds: tuple[str, ...] = ()
    blocked: bool = False


@dataclass(frozen=True, slots=True)
class ActionRecord:
    """An engagement action an account took (like, repost, follow...), for pace and coordination rules."""

    account: str
    kind: str
    at: datetime
    target: str
    count: int = 1


@dataclass(frozen=True, slots=True)
class Budget:
    """What the network last said about an account's request budget (its rate-limit headers)."""

    remaining: int
    reset: datetime


@dataclass(frozen=True, slots=True)
class Waiting:
    """A post waiting in an account's queue: when it was queued and is due, its text (as composed, or
    the item's title and link before it was), and when its feed published the item (BW103's first
    publisher, BW910's backlog)."""

    id: str
    account: str
    queued_at: datetime
    due: datetime
    text: str
    published: datetime


@dataclass(slots=True)
class Facts:
    accounts: dict[str, AccountInfo] = field(default_factory=dict)
    trends: list[Trend] = field(default_factory=list)
    links: dict[str, LinkFacts] = field(default_factory=dict)  # by canonical link: use add_link/link
    actions: list[ActionRecord] = field(default_factory=list)
    ledger: ConsentLedger = field(default_factory=ConsentLedger)
    budgets: dict[str, Budget] = field(default_factory=dict)  # by account
    # The posts waiting in each account's queue (pending or ready), oldest queued first: set_waiting.
    waiting: dict[str, list[Waiting]] = field(default_factory=dict)
    # What rules work out once a day for an account (BW955's stories in common), by the rule's key.
    daily: dict[Any, Any] = field(default_factory=dict, repr=False)
    # Accounts by operator and by (operator, network), built on first use; add_account (or a change in the
    # number of accounts) starts it again. Cross-account rules ask for it on every check.
    _fleets: dict[tuple[str, str | None], tuple[str, ...]] = field(default_factory=dict, repr=False)
    _members: dict[tuple[str, str | None], frozenset[str]] = field(default_factory=dict, repr=False)
    _fleets_size: int = field(default=-1, repr=False)
    _others: dict[tuple[str, str | None, str], tuple[str, ...]] = field(default_factory=dict, repr=False)
    _apps: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict, repr=False)

    def remember_daily(self, key: Any, value: Any) -> None:
        """Keep a once-a-day answer; the oldest are forgotten once there are many."""
        if len(self.daily) >= 10_000:
            self.daily.clear()
        self.daily[key] = value

    def set_waiting(self, entries: list[Waiting]) -> None:
        """The queue as it stands: what every account has waiting."""
        by_account: dict[str, list[Waiting]] = {}
        for entry in sorted(entries, key=lambda e: (e.queued_at, e.id)):
            by_account.setdefault(entry.account, []).append(entry)
        self.waiting = by_account

    def add_waiting(self, entry: Waiting) -> None:
        self.waiting.setdefault(entry.account, []).append(entry)

    def settled(self, account: str, entry_id: str) -> None:
        """The entry no longer waits (sent, held, refused): it stops counting at once, before the queue
        is read again."""
        found = self.waiting.get(account)
        if found:
            self.waiting[account] = [e for e in found if e.id != entry_id]

    def add_account(self, info: AccountInfo) -> None:
        self.accounts[info.id] = info
        self._fleets_size = -1

    def actions_between(
        self, account: str | None, kinds: frozenset[str], start: datetime, end: datetime
    ) -> list[ActionRecord]:
        """Recorded actions of these kinds with start < at <= end (of one account, or of all when None)."""
        return [
            a
            for a in self.actions
            if a.kind in kinds and start < a.at <= end and (account is None or a.account == account)
        ]

    def trending(self, network: str, at: datetime) -> frozenset[str]:
        """What was trending on ``network`` at ``at``: the latest trend line not after it."""
        current: frozenset[str] = frozenset()
        latest: datetime | None = None
        for trend in self.trends:
            if trend.network == network and trend.at <= at and (latest is None or trend.at >= latest):
                current, latest = trend.terms, trend.at
        return current

    def add_link(self, facts: LinkFacts) -> None:
        self.links[canonical_link(facts.url)] = facts

    def link(self, url: str) -> LinkFacts | None:
        """What is known about ``url``, found by its canonical form (tracking parameters and case folded)."""
        return self.links.get(canonical_link(url))

    def operator_accounts(
        self, operator: str, *, besides: str, network: str | None = None
    ) -> tuple[str, ...]:
        """The operator's other accounts (on ``network`` only, when given), sorted."""
        self._refresh_fleets()
        others = self._others.get((operator, network, besides))
        if others is None:
            others = self._others[operator, network, besides] = tuple(
                a for a in self._fleets.get((operator, network), ()) if a != besides
            )
        return others

    def operator_fleet(self, operator: str, *, including: str, network: str | None = None) -> tuple[str, ...]:
        """All the operator's accounts (on ``network`` only, when given), sorted, with ``including`` (the
        account being checked) among them. The same tuple each time, so a search by fleet can remember what
        it worked out for it."""
        self._refresh_fleets()
        fleet = self._fleets.get((operator, network), ())
        if including in self._members.get((operator, network), ()):
            return fleet
        return tuple(sorted((*fleet, including)))  # an account the facts do not list: rare, not kept

    def app_fleet(self, network: str, app: str, *, including: str) -> tuple[str, ...]:
        """Every account on ``network`` that posts through the developer app ``app`` (of any operator:
        a platform posts for its customers through its one app), ``including`` the one checked, sorted."""
        self._refresh_fleets()
        fleet = self._apps.get((network, app), ())
        return fleet if including in fleet else tuple(sorted((*fleet, including)))

    def _refresh_fleets(self) -> None:
        if self._fleets_size == len(self.accounts):
            return
        fleets: dict[tuple[str, str | None], list[str]] = {}
        apps: dict[tuple[str, str], list[str]] = {}
        for account in self.accounts.values():
            fleets.setdefault((account.operator, None), []).append(account.id)
            fleets.setdefault((account.operator, account.network), []).append(account.id)
            apps.setdefault((account.network, account.app), []).append(account.id)
        self._fleets = {key: tuple(sorted(ids)) for key, ids in fleets.items()}
        self._members = {key: frozenset(ids) for key, ids in fleets.items()}
        self._apps = {key: tuple(sorted(ids)) for key, ids in apps.items()}
        self._fleets_size = len(self.accounts)
        self._others.clear()
