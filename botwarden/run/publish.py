"""The loop: claim due queue entries, check them against the rules, pace them, publish at most once.

Publishing follows DESIGN.md's protocol. The entry is marked ``sending`` under this worker's lease and
committed *before* the network is called; the outcome is recorded after. An entry still ``sending`` once
its lease has expired (the worker died mid-call) is never resent blindly: the network is asked whether it
has the post (by idempotency key or on the account's own timeline) and only a clear "no" sends it again.
"""

from __future__ import annotations

import random
import time
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from botwarden.compose import ItemFields, compose
from botwarden.compose.links import canonical_link
from botwarden.config import Config
from botwarden.errors import ConfigError
from botwarden.links.judge import LinkJudge
from botwarden.networks import RETRY_LATER, STOPS_ACCOUNT, LinkCard, Network, Outcome, OutcomeKind, Post
from botwarden.rules import AccountInfo, Action, CheckContext, Decision, Engine, Verdict
from botwarden.rules.engine import combine
from botwarden.rules.facts import Budget, Facts
from botwarden.rules.model import Finding, Severity
from botwarden.run.alerts import Alerter
from botwarden.similarity import text_hash
from botwarden.store.accounts import account_info, resume_account
from botwarden.store.consent import ledger_version, load_ledger
from botwarden.store.db import one_of
from botwarden.store.events import record
from botwarden.store.history import StoreHistory
from botwarden.store.links import cached_chain
from botwarden.store.models import AccountRow, FeedRow, HistoryRow, ItemRow, QueueRow, VerdictRow
from botwarden.store.queue import DUE_STATES, State, transition
from botwarden.trends import TrendsProvider

Clock = Callable[[], datetime]

# Where a verdict that is not an allow moves a queue entry, and the audit event it leaves.
_VERDICT_MOVES = {
    Decision.DELAY: (State.READY, "delayed"),
    Decision.HOLD: (State.HELD, "held"),
    Decision.DENY: (State.DENIED, "denied"),
}


@dataclass(slots=True)
class PublishReport:
    posted: int = 0
    delayed: int = 0
    held: int = 0
    denied: int = 0
    failed: int = 0
    reconciled: int = 0
    stopped_accounts: list[str] = field(default_factory=list)


class Publisher:
    def __init__(
        self,
        config: Config,
        sessions: sessionmaker[Session],
        networks: dict[str, Network],
        *,
        engine: Engine | None = None,
        rng: random.Random | None = None,
        worker_id: str | None = None,
        batch: int = 200,
        trends: TrendsProvider | None = None,
        links: LinkJudge | None = None,
        alerter: Alerter | None = None,
    ) -> None:
        self.config = config
        self.sessions = sessions
        self.networks = networks
        self.engine = engine or Engine(select=config.settings["select"], ignore=config.settings["ignore"])
        self.rng = rng or random.Random()
        self.worker_id = worker_id or f"worker-{uuid.uuid4().hex[:8]}"
        self.lease = timedelta(seconds=config.settings["lease_seconds"])
        self.batch = batch
        self.pacing = {route_id: config.pacing_for(route) for route_id, route in config.routes.items()}
        self.trends = trends
        self._ledger_version = (-1, -1)  # of the consent ledger last read into self.facts
        self.links = links or LinkJudge()
        self.alerter = alerter or Alerter(config.settings["alert_webhook_url"])
        self.probe_interval = timedelta(hours=config.settings["probe_interval_hours"])
        self._alerts: list[tuple[str, str, str, datetime, str]] = []  # sent once their change is committed
        # The operator's accounts, so cross-account rules (BW103, BW104) see the whole fleet, and the
        # feeds behind each account, so BW955 sees accounts fed by the same sources.
        self.facts = Facts(
            accounts={a.id: AccountInfo(a.id, a.network, a.operator) for a in config.accounts.values()},
            sources=account_sources(config),
        )
        missing = sorted({a.network for a in config.accounts.values()} - set(networks))
        if missing:
            raise ConfigError(f"{config.source}: no publishing adapter for network(s) {', '.join(missing)}")

    # -- one pass -------------------------------------------------------------------------------------

    def run(self, now: datetime, clock: Clock | None = None) -> PublishReport:
        """One pass at ``now``. Given a ``clock``, each entry is checked, paced and sent at the clock's time
        when its turn comes; without one, at ``now`` (a simulated day, a test). Leases run from the moment
        an entry is marked 'sending', so a send always has its whole lease."""
        report = PublishReport()
        running = clock or _running_from(now)
        self._refresh_facts(now)
        self.reconcile(now, report)
        self.probe_stopped(now)
        # A pass stops taking entries after a quarter of a lease, so that feeds are fetched and lapsed
        # leases reconciled between passes, and a pass on a fixed ``now`` does not drift far from it.
        budget = self.lease / 4
        for entry_id in self._due_ids(now):
            if running() - now > budget:
                break
            self._process(entry_id, clock() if clock else now, running, report)
        return report

    def _refresh_facts(self, now: datetime) -> None:
        """What may have changed since the last pass: the consent ledger and the trends."""
        with self.sessions() as session:
            version = ledger_version(session)
            if version != self._ledger_version:  # read again only when a line was added
                self.facts.ledger = load_ledger(session, self.config.accounts)
                self._ledger_version = version
            known = session.execute(
                select(AccountRow.id, AccountRow.rate_remaining, AccountRow.rate_reset_at).where(
                    AccountRow.rate_reset_at > now
                )
            )
            self.facts.budgets = {
                account: Budget(remaining, reset)
                for account, remaining, reset in known
                if remaining is not None and reset is not None
            }
        self.facts.trends = self.trends.current(now) if self.trends is not None else []

    def _due_ids(self, now: datetime) -> list[int]:
        """The due entries, oldest first within each account. On PostgreSQL each worker takes the accounts
        in its own order, so workers sharing the queue do not all reach for the same entry in turn."""
        with self.sessions() as session:
            due = list(
                session.execute(
                    select(QueueRow.id, QueueRow.account_id)
                    .where(
                        QueueRow.state.in_(DUE_STATES),
                        QueueRow.not_before <= now,
                        one_of(session, QueueRow.route_id, self.config.routes),
                    )
                    .order_by(QueueRow.not_before, QueueRow.id)
                    .limit(self.batch)
                )
            )
            shared = session.get_bind().dialect.name == "postgresql"  # SQLite: one process, queue order
        if shared:  # a stable sort: each account's entries keep their order
            due.sort(key=lambda row: zlib.crc32(f"{self.worker_id}/{row.account_id}".encode()))
        return [row.id for row in due]

    # -- check, then publish --------------------------------------------------------------------------

    def _process(self, entry_id: int, now: datetime, clock: Clock, report: PublishReport) -> None:
        with self.sessions.begin() as session:
            entry = self._claim(session, entry_id, now)
            if entry is None:
                return  # another worker has it, or its account is busy: a later pass takes it
            slot = self.pacing[entry.route_id].next_slot(
                StoreHistory(session).last_post_at(entry.account_id), now, self.rng
            )
            # A new entry is checked at once, so a held or refused post reaches a person early. One
            # already checked and waiting for the account's interval is checked again only when its
            # slot comes: an account's backlog would otherwise be checked at every slot, once per entry.
            if entry.state == State.READY.value and slot > now:
                transition(entry, State.READY, now)
                entry.not_before = self._turn(session, entry, slot)
                return
            verdict = self._check(session, entry, now)
            if not self._apply_verdict(session, entry, verdict, now, report):
                return
            if slot > now:  # allowed, but inside the account's minimum interval: come back then
                transition(entry, State.READY, now)
                entry.not_before = self._turn(session, entry, slot)
                return
            transition(entry, State.SENDING, now)
            entry.lease_owner, entry.lease_expires_at = self.worker_id, clock() + self.lease
            entry.attempts += 1
            account = entry.account_id
            network = self.networks[session.get_one(AccountRow, account).network]
            post = self._post(session, entry)
        # Committed as 'sending' before the call: a crash from here on is reconciled, never resent blind.
        outcome = self._publish(network, account, post, now)
        lost = outcome.uncertain
        if lost:
            settled = self._settle(network, account, post, outcome)
            if settled is None:
                return  # the network cannot tell yet: the entry stays 'sending' and is reconciled later
            outcome = settled
        with self.sessions.begin() as session:
            if lost:
                record(
                    session,
                    now,
                    "answer_lost",
                    f"{account}: the network's answer was lost; {outcome.message}",
                    account=account,
                    queue_id=entry_id,
                )
            # Locked, and read afresh: a worker reconciling this entry meanwhile either finished first
            # (then the state says so) or skips it while this transaction holds it.
            entry = session.get_one(QueueRow, entry_id, with_for_update=True, populate_existing=True)
            self._record_outcome(session, entry, outcome, now, report)
        self._flush_alerts()

    def _turn(self, session: Session, entry: QueueRow, slot: datetime) -> datetime:
        """When a post waiting for its account's interval should come back: at the next slot if it is
        first in the account's line, one interval later for each entry ahead of it, so that an account's
        backlog is not claimed all at once at every slot."""
        ahead = session.scalar(
            select(func.count()).where(
                QueueRow.account_id == entry.account_id,
                QueueRow.state.in_(DUE_STATES),
                QueueRow.id < entry.id,
            )
        )
        return slot + (ahead or 0) * self.pacing[entry.route_id].min_interval

    def _post(self, session: Session, entry: QueueRow) -> Post:
        """The entry as its network adapter sends it, with the route's post options."""
        options = self.config.routes[entry.route_id].post
        link = _first_link(entry.text)
        card = None
        if link and options.link_card:
            item = session.get_one(ItemRow, entry.item_id)
            card = LinkCard(link, item.title, item.summary[:300])
        return Post(
            text=entry.text,
            idempotency_key=entry.idempotency_key,
            language=options.language,
            visibility=options.visibility or self.config.settings["mastodon_visibility"],
            content_warning=options.content_warning,
            reply_settings=options.reply_settings,
            card=card,
            links=(link,) if link else (),
        )

    @staticmethod
    def _settle(network: Network, account: str, post: Post, outcome: Outcome) -> Outcome | None:
        """The answer was lost after the request went out: look for the post before deciding anything."""
        try:
            remote_id = network.find_published(account, post)
        except Exception:
            return None
        if remote_id is not None:
            return Outcome(OutcomeKind.POSTED, remote_id, "the answer was lost; the post is on the network")
        return Outcome(OutcomeKind.TRANSIENT, message=f"{outcome.message}; the post is not on the network")

    @staticmethod
    def _claim(session: Session, entry_id: int, now: datetime) -> QueueRow | None:
        """Lock the entry and its account for this transaction, or None when it is not ours to work on.

        On PostgreSQL several workers share the queue: ``FOR UPDATE SKIP LOCKED`` lets each take rows no
        other worker holds, without waiting. Locking the account too, and passing over an account with a
        post still ``sending``, means one account's posts are never checked or sent concurrently, so its
        pacing holds across workers. (SQLite has one writer at a time and ignores the row locks.)
        """
        entry = session.get(QueueRow, entry_id, with_for_update={"skip_locked": True}, populate_existing=True)
        if entry is None or entry.state not in DUE_STATES or entry.not_before > now:
            return None
        account = session.get(
            AccountRow, entry.account_id, with_for_update={"skip_locked": True}, populate_existing=True
        )
        if account is None:
            return None
        sending = select(QueueRow.id).where(
            QueueRow.account_id == entry.account_id, QueueRow.state == State.SENDING.value
        )
        return entry if session.scalar(sending.limit(1)) is None else None

    def _check(self, session: Session, entry: QueueRow, now: datetime) -> Verdict:
        route = self.config.routes[entry.route_id]
        account_cfg = self.config.accounts[entry.account_id]
        account = session.get_one(AccountRow, entry.account_id)
        item = session.get_one(ItemRow, entry.item_id)
        feed_title = session.get_one(FeedRow, item.feed_id).title
        draft = compose(
            _fields(item, feed_title),
            route.template_for(account_cfg.required_hashtags),
            account.network,
            limit=account_cfg.char_limit,
            hashtags=route.hashtag_policy(account_cfg.required_hashtags),
            trending=self.facts.trending(account.network, now),
        )
        entry.text, entry.length = draft.text, draft.measure.length
        self._learn_link(session, draft.link)
        feed = self.config.feeds[route.feed]
        action = Action(
            id=str(entry.id),
            kind="post",
            account=account.id,
            at=now,
            text=draft.text,
            links=(draft.link,),
            network=account.network,
            limit=account_cfg.char_limit,
            extra={
                "trigger": "feed",
                "source_declared": bool(feed.republish_declared_by),
                "dropped_hashtags": list(draft.dropped_hashtags),
            },
        )
        ctx = CheckContext(
            account=account_info(account, spend_cap_usd=account_cfg.spend_cap_usd),
            history=StoreHistory(session),
            pacing=self.pacing[entry.route_id],
            settings=self.config.settings,
            facts=self.facts,
        )
        verdict = _with_approvals(self.engine.check(action, ctx), entry.approved_codes or [])
        session.add(
            VerdictRow(
                queue_id=entry.id,
                at=now,
                decision=verdict.decision.value,
                codes=verdict.codes,
                findings=[f.to_json() for f in verdict.findings],
                not_before=verdict.not_before,
            )
        )
        return verdict

    def _learn_link(self, session: Session, link: str) -> None:
        """Put what the resolver found about ``link`` into the facts, judged by today's host lists."""
        chain = cached_chain(session, canonical_link(link))
        if chain is None:
            return
        self.facts.add_link(self.links.facts(link, chain))

    def _apply_verdict(
        self, session: Session, entry: QueueRow, verdict: Verdict, now: datetime, report: PublishReport
    ) -> bool:
        """Move the entry as the verdict says; True when it may be published now."""
        if verdict.decision is Decision.ALLOW:
            return True
        state, event = _VERDICT_MOVES[verdict.decision]
        transition(entry, state, now)
        if verdict.decision is Decision.DELAY:
            entry.not_before = verdict.not_before or now + timedelta(minutes=1)
            if not entry.was_delayed:
                report.delayed += 1
            entry.was_delayed = 1
        elif verdict.decision is Decision.HOLD:
            report.held += 1
        else:
            report.denied += 1
        record(
            session,
            now,
            event,
            f"{entry.account_id}: {verdict.reason()}",
            account=entry.account_id,
            queue_id=entry.id,
            codes=verdict.codes,
        )
        return False

    @staticmethod
    def _publish(network: Network, account: str, post: Post, now: datetime) -> Outcome:
        try:
            return network.publish(account, post, at=now)
        except ConfigError as exc:  # no credentials: nothing was sent, and a person must act
            return Outcome(OutcomeKind.AUTH_REVOKED, message=str(exc))
        except Exception as exc:  # an adapter bug must not leave the post in limbo: look for it first
            return Outcome(OutcomeKind.TRANSIENT, message=f"{type(exc).__name__}: {exc}", uncertain=True)

    # -- outcomes -------------------------------------------------------------------------------------

    def _record_outcome(
        self, session: Session, entry: QueueRow, outcome: Outcome, now: datetime, report: PublishReport
    ) -> None:
        if entry.state != State.SENDING or entry.lease_owner != self.worker_id:
            # Our lease lapsed and someone reconciled it meanwhile; their record stands.
            record(
                session,
                now,
                "late_outcome",
                f"entry {entry.id}: outcome {outcome.kind} arrived after "
                "the lease was taken over; not recorded twice",
                queue_id=entry.id,
            )
            return
        if outcome.budget is not None:
            account = session.get_one(AccountRow, entry.account_id)
            account.rate_remaining, account.rate_reset_at = outcome.budget.remaining, outcome.budget.reset
        if outcome.published:
            self._mark_sent(session, entry, outcome.remote_id, now, outcome.cost_usd)
            report.posted += 1
            return
        entry.last_error = f"{outcome.kind}: {outcome.message}".strip(": ")
        if outcome.kind in STOPS_ACCOUNT:
            self._stop_account(session, entry.account_id, outcome, now)
            report.stopped_accounts.append(entry.account_id)
            transition(entry, State.READY, now)  # not sent; the next check holds it under BW904
            entry.attempts -= 1
        elif outcome.kind in RETRY_LATER and entry.attempts < self.config.settings["max_attempts"]:
            transition(entry, State.READY, now)
            entry.not_before = outcome.retry_at or now + self._backoff(entry.attempts)
            record(
                session,
                now,
                "retry",
                f"{entry.account_id}: {entry.last_error}; retrying at {entry.not_before.isoformat()}",
                account=entry.account_id,
                queue_id=entry.id,
            )
        else:
            transition(entry, State.FAILED, now)
            report.failed += 1
            record(
                session,
                now,
                "publish_failed",
                f"{entry.account_id}: {entry.last_error}",
                account=entry.account_id,
                queue_id=entry.id,
            )

    def _backoff(self, attempts: int) -> timedelta:
        base = 60 * 2 ** max(attempts - 1, 0)
        return timedelta(seconds=min(base, 3600) * self.rng.uniform(0.8, 1.2))

    def _mark_sent(
        self, session: Session, entry: QueueRow, remote_id: str | None, now: datetime, cost_usd: float = 0.0
    ) -> None:
        transition(entry, State.SENT, now)
        entry.remote_id = remote_id
        session.add(
            HistoryRow(
                account_id=entry.account_id,
                at=now,
                text=entry.text,
                text_hash=text_hash(entry.text),
                queue_id=entry.id,
                remote_id=remote_id,
                link=_first_link(entry.text),
                cost_usd=cost_usd,
            )
        )

    def _stop_account(self, session: Session, account_id: str, outcome: Outcome, now: datetime) -> None:
        account = session.get_one(AccountRow, account_id)
        account.status, account.status_since = outcome.kind.value, now
        account.status_reason = outcome.message or outcome.kind.value
        account.next_probe_at = now + self.probe_interval
        message = (
            f"{account_id} stopped: the network answered {outcome.kind.value} ({account.status_reason}); "
            "its queue is held until a person restores the account"
        )
        record(session, now, "account_stopped", message, account=account_id)
        self._alerts.append(("account_stopped", account_id, message, now, outcome.kind.value))

    def _flush_alerts(self) -> None:
        """Send the alerts of what was just committed (never while holding the database)."""
        alerts, self._alerts = self._alerts, []
        for kind, account, message, at, status in alerts:
            self.alerter.send(kind, account, message, at, status=status)

    # -- stopped accounts -----------------------------------------------------------------------------

    def probe_stopped(self, now: datetime) -> None:
        """One cheap read per stopped account and probe interval, never a retry loop."""
        with self.sessions() as session:
            due = list(
                session.scalars(
                    select(AccountRow.id).where(
                        AccountRow.status != "ok",
                        AccountRow.next_probe_at <= now,
                        one_of(session, AccountRow.id, self.config.accounts),
                    )
                )
            )
        for account_id in due:
            with self.sessions.begin() as session:  # take the probe, so no other worker probes too
                account = session.get(
                    AccountRow, account_id, with_for_update={"skip_locked": True}, populate_existing=True
                )
                if account is None or account.next_probe_at is None or account.next_probe_at > now:
                    continue
                account.next_probe_at = now + self.probe_interval
                network = self.networks[account.network]
            try:
                answer = network.probe(account_id)
            except Exception as exc:
                answer = Outcome(OutcomeKind.TRANSIENT, message=f"{type(exc).__name__}: {exc}")
            with self.sessions.begin() as session:
                self._record_probe(session, session.get_one(AccountRow, account_id), answer, now)
            self._flush_alerts()

    def _record_probe(
        self, session: Session, account: AccountRow, answer: Outcome | None, now: datetime
    ) -> None:
        if answer is not None:
            record(
                session,
                now,
                "probe_failed",
                f"{account.id} still does not work ({answer.kind.value}: {answer.message}); "
                f"next probe at {account.next_probe_at:%Y-%m-%d %H:%M} UTC",
                account=account.id,
            )
            return
        account.next_probe_at = None
        if self.config.settings["resume_on_probe"]:
            was = account.status
            resume_account(session, account, now, "a probe found it working; resume_on_probe is on")
            message = f"{account.id} answers again after being {was}; resumed (resume_on_probe is on)"
        else:
            message = (
                f"{account.id} answers again after being {account.status}; "
                f"resume it with `botwarden accounts resume {account.id}` once you have checked it"
            )
        record(session, now, "account_answers", message, account=account.id)
        self._alerts.append(("account_answers", account.id, message, now, account.status))

    # -- crash recovery -------------------------------------------------------------------------------

    def reconcile(self, now: datetime, report: PublishReport) -> None:
        with self.sessions() as session:
            stale = list(
                session.scalars(
                    select(QueueRow.id).where(
                        QueueRow.state == State.SENDING.value, QueueRow.lease_expires_at < now
                    )
                )
            )
        for entry_id in stale:
            with self.sessions.begin() as session:
                entry = session.get(
                    QueueRow, entry_id, with_for_update={"skip_locked": True}, populate_existing=True
                )
                if entry is None or entry.state != State.SENDING.value:
                    continue  # another worker is reconciling it, or already has
                network = self.networks[session.get_one(AccountRow, entry.account_id).network]
                try:
                    remote_id = network.find_published(entry.account_id, self._post(session, entry))
                except Exception as exc:
                    record(
                        session,
                        now,
                        "reconcile_deferred",
                        f"entry {entry_id} was left 'sending'; the network cannot tell whether it has "
                        f"the post ({type(exc).__name__}: {exc}); asking again next pass",
                        account=entry.account_id,
                        queue_id=entry_id,
                    )
                    continue
                if remote_id is not None:
                    self._mark_sent(session, entry, remote_id, now)
                    message = "found on the network: recorded as sent, not sent again"
                else:
                    transition(entry, State.READY, now)
                    entry.not_before = now
                    message = "not found on the network: back in the queue"
                report.reconciled += 1
                record(
                    session,
                    now,
                    "reconciled",
                    f"entry {entry_id} was left 'sending': {message}",
                    account=entry.account_id,
                    queue_id=entry_id,
                )


def _running_from(start: datetime) -> Clock:
    """A clock that starts at ``start`` and runs in real time."""
    began = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - began)


def _with_approvals(verdict: Verdict, approved: list[str]) -> Verdict:
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


def _fields(item: ItemRow, feed_title: str) -> ItemFields:
    return ItemFields(
        title=item.title,
        link=item.link,
        summary=item.summary,
        categories=tuple(item.categories or ()),
        author=item.author,
        feed_title=feed_title,
        published=item.published.isoformat() if item.published else "",
    )


def account_sources(config: Config) -> dict[str, frozenset[str]]:
    """The feeds behind each account, by canonical URL."""
    sources: dict[str, set[str]] = {}
    for route in config.routes.values():
        sources.setdefault(route.account, set()).add(canonical_link(config.feeds[route.feed].url))
    return {account: frozenset(feeds) for account, feeds in sources.items()}


def _first_link(text: str) -> str:
    return next((word for word in text.split() if word.startswith(("http://", "https://"))), "")
