"""The one way a check is built: the engine, the facts it judges by, the settings, and pacing.

Every caller of the engine goes through here: the worker before it publishes, the HTTP check, setup checks,
replays and ``diagnose``. :class:`Checks` holds what a check needs and builds its :class:`CheckContext`;
:class:`FleetChecks` is the long-lived check state of the accounts a configuration runs, which the worker
and the HTTP service keep between checks. It is built once from the configuration, caught up with the
store by :meth:`FleetChecks.refresh` (the consent ledger and the accounts when they change, request
budgets, trends), and told by :meth:`Checks.recorded` of each post the worker records as sent: state that
follows the store (a near-duplicate index of the fleet's history, say) is kept here and nowhere else.

Pacing is resolved by one rule everywhere (:class:`Pacing`): a post that comes from a route is paced by
that route; an action that names no route (the HTTP check, a setup check) by the strictest of its
account's routes; an account with no route by the settings, with the account's own daily cap.

A check fails closed. An error while its facts are gathered (the consent ledger, the accounts, request
budgets, trends, a link's chain, the account's state) or while the rules run never allows the action and
never escapes as a traceback: it becomes a :class:`Fault`, and the check holds the action with a
``BW999 facts-unavailable`` finding that names the error (:func:`gather`). Only a database error passes
through, so that the caller's transaction is undone and the pass tried again once the database answers.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from botwarden.errors import ConfigError
from botwarden.limits import Limits, builtin_limits
from botwarden.links.judge import LinkJudge
from botwarden.pacing import PacingPolicy, QuietHours, daily_caps
from botwarden.rules import AccountInfo, Action, CheckContext, Decision, Engine, History, PastPost, Verdict
from botwarden.rules.engine import combine
from botwarden.rules.facts import Facts
from botwarden.rules.model import Finding, Severity
from botwarden.typed_settings import Settings

__all__ = [
    "Checks",
    "Fault",
    "FleetChecks",
    "Pacing",
    "configured_account",
    "gather",
    "strictest",
    "with_approvals",
]

log = logging.getLogger("botwarden.checking")
T = TypeVar("T")

#: The finding of a check whose facts could not all be gathered. It is the seam's, not a rule's: no
#: ``select``, ``ignore`` or override can turn it off, since a check that could not see is never an allow.
FACTS_UNAVAILABLE = ("BW999", "facts-unavailable")

if TYPE_CHECKING:  # a replay or a diagnosis checks without the store: they do not wait for it to load
    from botwarden.config import Config
    from botwarden.rules.overrides import Override
    from botwarden.similarity.recent import RecentPosts
    from botwarden.store import Reader
    from botwarden.store.history import StoreHistory
    from botwarden.trends import TrendsProvider


@dataclass(frozen=True, slots=True)
class Fault:
    """A fact a check needed that could not be gathered: where it comes from and the error, named."""

    source: str  # "the consent ledger", "trends", "the link chain of https://…", "the rules", ...
    error: str  # "UnicodeError: label too long", or the resolver's own words

    @classmethod
    def of(cls, source: str, exc: BaseException) -> Fault:
        return cls(source, f"{type(exc).__name__}: {exc}".rstrip(": "))

    def finding(self) -> Finding:
        code, slug = FACTS_UNAVAILABLE
        return Finding(
            code,
            slug,
            Severity.HOLD,
            f"could not gather {self.source} ({self.error}); held for a person to look, since a check "
            "that cannot see its facts never allows",
            {"source": self.source, "error": self.error},
        )


def gather(source: str, get: Callable[[], T], fallback: T, faults: list[Fault]) -> T:
    """``get()``, or ``fallback`` with a :class:`Fault` added to ``faults`` when it raises. A database
    error is not a fault: it passes through, so the caller's transaction is undone and tried again."""
    try:
        return get()
    except Exception as exc:
        if _database_error(exc):
            raise
        faults.append(Fault.of(source, exc))
        log.debug("could not gather %s", source, exc_info=True)
        return fallback


def _database_error(exc: Exception) -> bool:
    from botwarden.store.db import database_failure  # only ever asked once something went wrong

    return database_failure(exc)


def held_for(action_id: str, faults: Sequence[Fault], findings: Iterable[Finding] = ()) -> Verdict:
    """The verdict on an action whose facts were not all there: the rules' findings, and a hold for each
    fault."""
    return combine(action_id, [*findings, *(fault.finding() for fault in faults)])


class Pacing:
    """Which pacing policy judges an action, resolved the same way for every check.

    - A post from a route (the worker's queue entries) is paced by that route's policy: its
      ``[routes.pacing]``, over the account's ``daily_cap``, over the settings.
    - An action that names no route is paced by its account's routes. Where they pace differently, the
      strictest of them: the smallest daily cap, then the fewest posts a burst window allows (per second
      of the window), then the longest minimum interval; where even those tie, the first route in the
      configuration. What the check allows, each of the account's routes would allow as well.
    - An account no route posts for (one created through the API, a replay's, an export's) is paced by
      the settings, with the account's own daily cap where it has one.

    A daily cap nobody set (on the route, the account or as the ``daily_cap`` setting) is the network's
    own, from the limits data: on X 50 original posts and 200 replies a day for an unverified account.
    """

    def __init__(
        self,
        settings: Settings,
        config: Config | None = None,
        *,
        source: str = "",
        limits: Limits | None = None,
    ) -> None:
        self._settings = settings
        self._source = source or (str(config.source) if config is not None else "settings")
        self._limits = limits or (config.limits if config is not None else builtin_limits())
        self._routes = (
            {rid: config.pacing_for(route) for rid, route in config.routes.items()} if config else {}
        )
        self._configured = dict(config.accounts) if config else {}
        by_account: dict[str, list[PacingPolicy]] = {}
        for route_id, route in config.routes.items() if config else ():
            by_account.setdefault(route.account, []).append(self._routes[route_id])
        self._accounts = {account: strictest(policies) for account, policies in by_account.items()}
        self._plain: dict[tuple[int, int | None], PacingPolicy] = {}

    def route(self, route_id: str) -> PacingPolicy:
        return self._routes[route_id]

    def account(self, account: AccountInfo) -> PacingPolicy:
        found = self._accounts.get(account.id)
        if found is not None:
            return found
        caps = self._caps(account)
        plain = self._plain.get(caps)
        if plain is None:
            plain = self._plain[caps] = self._from_settings(*caps)
        return plain

    def _caps(self, account: AccountInfo) -> tuple[int, int | None]:
        """The account's daily cap (and reply cap): its own, the configuration's, the setting's, else the
        network's own from the limits data."""
        configured = self._configured.get(account.id)
        for explicit in (account.daily_cap, configured.daily_cap if configured else None):
            if explicit is not None:
                return explicit, None
        if self._settings["daily_cap"] is not None:
            return int(self._settings["daily_cap"]), None
        verified = account.verified or bool(configured and configured.verified)
        return daily_caps(self._limits, account.network, verified=verified)

    def _from_settings(self, daily_cap: int, reply_cap: int | None) -> PacingPolicy:
        s = self._settings
        return PacingPolicy(
            min_interval=timedelta(minutes=s["min_interval_minutes"]),
            jitter=timedelta(0),  # checks judge a given time; only scheduling spreads posts out
            burst_max=s["burst_max"],
            burst_window=timedelta(minutes=s["burst_window_minutes"]),
            daily_cap=daily_cap,
            quiet_hours=self._quiet_hours(),
            reply_cap=reply_cap,
        )

    def _quiet_hours(self) -> QuietHours | None:
        span, zone = self._settings["quiet_hours"], self._settings["quiet_hours_timezone"]
        if not span:
            return None
        try:
            return QuietHours.parse(span, zone)
        except ValueError as exc:
            raise ConfigError(f"{self._source}: quiet_hours: {exc}") from None


def strictest(policies: Sequence[PacingPolicy]) -> PacingPolicy:
    """Of several routes' policies, the one that lets the fewest posts through (see :class:`Pacing`)."""

    def leniency(policy: PacingPolicy) -> tuple[int, float, float]:
        per_second = policy.burst_max / max(policy.burst_window.total_seconds(), 1.0)
        return policy.daily_cap, per_second, -policy.min_interval.total_seconds()

    return min(policies, key=leniency)  # min keeps the first of equals: configuration order


class Checks:
    """What a check needs, built into its context the same way for every caller."""

    def __init__(
        self,
        settings: Settings,
        facts: Facts | None = None,
        *,
        engine: Engine | None = None,
        pacing: Pacing | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.settings = settings
        self.facts = facts if facts is not None else Facts()
        self.engine = engine or Engine(select=settings["select"], ignore=settings["ignore"])
        self.limits = limits or builtin_limits()
        self.pacing = pacing or Pacing(settings, limits=self.limits)

    @property
    def faults(self) -> list[Fault]:
        """Facts of the whole fleet that the last refresh could not read: every check holds meanwhile."""
        return []

    def context(self, account: AccountInfo, history: History, *, route: str | None = None) -> CheckContext:
        pacing = self.pacing.route(route) if route is not None else self.pacing.account(account)
        overrides = self.overrides(account.id, route)
        return CheckContext(
            account, history, pacing, self.settings, self.facts, overrides=overrides, limits=self.limits
        )

    def overrides(self, account: str, route: str | None) -> Mapping[str, Override]:
        """The operator's own severities for this account's actions (through ``route``): none here."""
        return {}

    def check(
        self,
        action: Action,
        account: AccountInfo,
        history: History,
        *,
        route: str | None = None,
        approved: Iterable[str] = (),
        faults: Sequence[Fault] = (),
    ) -> Verdict:
        """The verdict on ``action``; holds by the ``approved`` codes (a person's) no longer hold it.

        ``faults`` are the facts of this check that could not be gathered; with the fleet's own (see
        :attr:`faults`) and an error of any rule, each holds the action with a finding that names it."""
        missing = [*self.faults, *faults]
        try:
            verdict = self.engine.check(action, self.context(account, history, route=route))
        except Exception as exc:
            if _database_error(exc):
                raise
            log.warning("the rules failed on action %s: %s: %s", action.id, type(exc).__name__, exc)
            log.debug("the rules failed on action %s", action.id, exc_info=True)
            verdict = held_for(action.id, [*missing, Fault.of("the rules' findings", exc)])
        else:
            if missing:
                verdict = held_for(action.id, missing, verdict.findings)
        approved = list(approved)
        return with_approvals(verdict, approved) if approved else verdict

    def recorded(self, post: PastPost) -> None:
        """A post was recorded as sent: state that follows the fleet's history is updated here."""


class FleetChecks(Checks):
    """The check state of the accounts a configuration runs, kept between checks (by the worker, for
    its passes; by the HTTP service, for its requests) and caught up with the store by :meth:`refresh`."""

    #: How far back each refresh looks for posts another process committed after a later one was read.
    SWEEP = timedelta(minutes=10)
    #: How far before ``now`` an action may be dated and still be answered from the posts held in memory
    #: (an HTTP caller's clock, a request that waited): they are held this much longer than the window.
    LATE = timedelta(hours=1)

    def __init__(
        self,
        config: Config,
        *,
        engine: Engine | None = None,
        trends: TrendsProvider | None = None,
        links: LinkJudge | None = None,
        refresh_every: float = 0.0,
    ) -> None:
        # The operator's accounts, so cross-account rules (BW103, BW104, BW955, BW957) and the app's
        # budget (BW901) see the whole fleet.
        facts = Facts(accounts={a.id: configured_account(config, a.id) for a in config.accounts.values()})
        pacing = Pacing(config.settings, config)
        super().__init__(config.settings, facts, engine=engine, pacing=pacing, limits=config.limits)
        self.config = config
        self.trends = trends
        self.links = links or LinkJudge()
        self.refresh_every = refresh_every
        self._refreshed = float("-inf")
        self._ledger_version = (-1, -1)  # of the consent ledger last read into the facts
        self._accounts_version: tuple[int, str] | None = None
        self._overrides: dict[tuple[str, str | None], Mapping[str, Override]] = {}
        self._faults: dict[str, Fault] = {}  # by source, until that source is read again
        self._recent: RecentPosts | None = None  # built on the first check that needs history

    @property
    def faults(self) -> list[Fault]:
        return list(self._faults.values())

    def history(self, reader: Reader, now: datetime, *, at: datetime | None = None) -> StoreHistory:
        """The store's history for a check at ``now``, its near-duplicate and link questions answered from
        the fleet's recent posts held in memory, caught up with the store first (posts other processes
        recorded since the last check). An action dated before what is held (``at``: a caller of the HTTP
        check may ask about any moment) is answered from the store alone."""
        from botwarden.store.history import StoreHistory, catch_up

        window = self._window_start(now) - self.LATE
        if at is not None and self._window_start(at) < window:
            return StoreHistory(reader)
        if self._recent is None:
            from botwarden.similarity.recent import RecentPosts

            self._recent = RecentPosts()
        catch_up(reader, self._recent, window)
        return StoreHistory(reader, recent=self._recent)

    def recorded(self, post: PastPost) -> None:
        """A post this process recorded as sent is held at once (before the store is read again)."""
        if self._recent is not None:
            self._recent.add(int(post.id), post.account, post.at, post.text, post.links)

    def _window_start(self, now: datetime) -> datetime:
        """How far back the fleet's recent posts are held: the near-duplicate window and BW104's."""
        days = self.settings["near_duplicate_window_days"]
        return now - max(timedelta(days=days), timedelta(hours=self.settings["repeated_link_hours"]))

    def _keep_recent_current(self, reader: Reader, now: datetime) -> None:
        """Posts committed late with a lower id than one already read are picked up, and posts older than
        the window let go."""
        from botwarden.store.history import sweep

        if self._recent is not None:
            sweep(reader, self._recent, now - self.SWEEP)
            self._recent.forget_before(self._window_start(now) - self.LATE)

    def overrides(self, account: str, route: str | None) -> Mapping[str, Override]:
        """The configuration's rule overrides for the account and the route (``rules = {...}``)."""
        key = (account, route)
        found = self._overrides.get(key)
        if found is None:
            found = self._overrides[key] = self.config.overrides_for(account, route)
        return found

    def refresh(self, reader: Reader, now: datetime) -> None:
        """Catch up with what other processes changed in the store: the consent ledger and the accounts
        (read again only when they grew), the request budgets the networks announced, and the trends.
        Asked at most once every ``refresh_every`` seconds, or at once while a source is at fault.

        A source that cannot be read keeps what it last gave, and is a fault that holds every check
        until it reads again (:attr:`faults`)."""
        from botwarden.store.accounts import known_budgets
        from botwarden.store.queue import waiting

        started = time.monotonic()
        if started - self._refreshed < self.refresh_every and not self._faults:
            return
        self._refreshed = started
        self._read("the consent ledger", lambda: self._refresh_ledger(reader))
        self._read("the operator's accounts", lambda: self._refresh_accounts(reader))
        self._read("the fleet's recent posts", lambda: self._keep_recent_current(reader, now))
        self._read("the fleet's queues", lambda: self.facts.set_waiting(waiting(reader)))
        self._read("the request budgets", lambda: setattr(self.facts, "budgets", known_budgets(reader, now)))
        if self.trends is not None:
            trends = self.trends
            self._read("the trends", lambda: setattr(self.facts, "trends", trends.current(now)))

    def _read(self, source: str, work: Callable[[], None]) -> None:
        faults: list[Fault] = []
        gather(source, work, None, faults)
        before = self._faults.pop(source, None)
        if faults:
            self._faults[source] = faults[0]
            if before != faults[0]:
                log.warning("could not gather %s (%s): every check holds until it reads again", source,
                            faults[0].error)  # fmt: skip
        elif before is not None:
            log.warning("%s reads again", source)

    def _refresh_ledger(self, reader: Reader) -> None:
        from botwarden.store.consent import ledger_version, load_ledger

        version = ledger_version(reader)
        if version != self._ledger_version:
            self.facts.ledger = load_ledger(reader, self.config.accounts)
            self._ledger_version = version

    def _refresh_accounts(self, reader: Reader) -> None:
        """Accounts the store has beyond the configuration's (created through the API) join their
        operator's fleet."""
        from botwarden.store.accounts import accounts_version, fleet

        version = accounts_version(reader)
        if version == self._accounts_version:
            return
        for account_id, network, operator in fleet(reader):
            if account_id not in self.facts.accounts:
                self.facts.add_account(AccountInfo(account_id, network, operator))
        self._accounts_version = version  # only once read whole: a failed read is tried again

    def account(
        self, reader: Reader, account_id: str, faults: list[Fault] | None = None
    ) -> AccountInfo | None:
        """The stored account as the rules see it, with what its configuration declares (spend cap,
        X access and app, verification, age, the labels declared on, sensitive media); None if unknown.

        Given ``faults``, an account whose state cannot be read is a fault there, and the account as the
        fleet knows it stands in for it (None if the fleet does not know it either)."""
        configured = self.config.accounts.get(account_id)
        cap = configured.spend_cap_usd if configured else None
        if faults is None:
            return self._stored_account(reader, account_id, cap)
        known = self.facts.accounts.get(account_id)
        return gather(
            f"the state of account {account_id}",
            lambda: self._stored_account(reader, account_id, cap),
            known,
            faults,
        )

    def _stored_account(self, reader: Reader, account_id: str, cap: float | None) -> AccountInfo | None:
        from botwarden.store.accounts import stored_account_info

        stored = stored_account_info(reader, account_id, spend_cap_usd=cap)
        if stored is None or account_id not in self.config.accounts:
            return stored
        declared = configured_account(self.config, account_id)
        return replace(declared, status=stored.status, status_since=stored.status_since,
                       status_reason=stored.status_reason)  # fmt: skip

    def learn_link(self, link: str, chain: tuple[str, ...] | None, faults: list[Fault] | None = None) -> None:
        """What the resolver found about ``link`` goes into the facts, judged by today's host lists (a
        judgement that fails is a fault in ``faults``, when given)."""
        if chain is None:
            return
        if faults is None:
            self.facts.add_link(self.links.facts(link, chain))
            return
        judged = gather(f"the link chain of {link}", lambda: self.links.facts(link, chain), None, faults)
        if judged is not None:
            self.facts.add_link(judged)


def configured_account(config: Config, account_id: str) -> AccountInfo:
    """An account of the configuration as the rules see it, before the store adds its state: what the
    operator declared of it. Its use case, where not declared, is the feeds its routes post from (two
    apps whose accounts post the same feeds serve one use case: BW957)."""
    account = config.accounts[account_id]
    feeds = sorted({config.feeds[r.feed].url for r in config.routes.values() if r.account == account_id})
    return AccountInfo(
        account.id,
        account.network,
        account.operator,
        verified=account.verified,
        automated_label=bool(account.automated_label_declared_by),
        daily_cap=account.daily_cap,
        spend_cap_usd=account.spend_cap_usd,
        created_at=account.created,
        access=account.access,
        app=account.app,
        use_case=account.use_case or (f"feeds: {', '.join(feeds)}" if feeds else ""),
        ai_replies_approved=bool(account.ai_replies_approved_by),
        sensitive_media=account.sensitive_media,
    )


def with_approvals(verdict: Verdict, approved: list[str]) -> Verdict:
    """A person approved this entry despite holds by these codes: those holds no longer count (their
    findings stay, as information); a hold by any other code still holds it."""
    if verdict.decision is not Decision.HOLD or not approved:
        return verdict
    findings = [
        Finding(
            f.code, f.slug, Severity.INFO, f"{f.message} (approved by a person)", f.evidence, f.not_before
        )
        if f.severity is Severity.HOLD and f.code in approved
        else f
        for f in verdict.findings
    ]
    return combine(verdict.action_id, findings)
