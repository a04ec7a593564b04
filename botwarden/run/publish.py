"""The publishing pass: claim due queue entries, check them against the rules, pace them, publish once.

Publishing follows DESIGN.md's protocol. The entry is marked ``sending`` under this worker's lease and
committed *before* the network is called; the outcome is recorded after. An entry still ``sending`` once
its lease has expired (the worker died mid-call) is never resent blindly: the network is asked whether it
has the post (by idempotency key or on the account's own timeline) and only a clear "no" sends it again
(``recover.py``). Checking goes through the one checking seam (``botwarden.checking``); what the network
answers is recorded by ``outcome.py``.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from botwarden.checking import Fault, FleetChecks, gather, held_for
from botwarden.compose import Draft
from botwarden.config import Config
from botwarden.errors import ConfigError
from botwarden.links.judge import LinkJudge
from botwarden.networks import Network, Outcome, OutcomeKind, Post
from botwarden.rules import Decision, Engine, Verdict
from botwarden.rules.facts import Facts
from botwarden.run.alerts import Alerter
from botwarden.run.ingest import chain_key
from botwarden.run.outbox import Alerts, PublishReport, item_fields, outgoing
from botwarden.run.plan import FeedOrigin, PostPlan, actions, combined, plan_post

__all__ = ["PublishReport", "Publisher"]
from botwarden.run.outcome import OutcomeRecorder
from botwarden.run.recover import Recovery
from botwarden.store import (
    QueueEntry,
    Sessions,
    State,
    StoreHistory,
    Transaction,
    accounts,
    feeds,
    queue,
    threads,
)
from botwarden.store import media as stored_media
from botwarden.store.events import record
from botwarden.store.feeds import StoredItem
from botwarden.store.links import CachedLink, cached_link
from botwarden.store.threads import ThreadPart
from botwarden.text import measure
from botwarden.trends import TrendsProvider

Clock = Callable[[], datetime]

# Where a verdict that is not an allow moves a queue entry, and the audit event it leaves.
_VERDICT_EVENTS = {Decision.DELAY: "delayed", Decision.HOLD: "held", Decision.DENY: "denied"}


class Publisher:
    def __init__(
        self,
        config: Config,
        sessions: Sessions,
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
        missing = sorted({a.network for a in config.accounts.values()} - set(networks))
        if missing:
            raise ConfigError(f"{config.source}: no publishing adapter for network(s) {', '.join(missing)}")
        self.config = config
        self.sessions = sessions
        self.networks = networks
        self.rng = rng or random.Random()
        self.worker_id = worker_id or f"worker-{uuid.uuid4().hex[:8]}"
        self.lease = timedelta(seconds=config.settings["lease_seconds"])
        self.batch = batch
        self.checks = FleetChecks(config, engine=engine, trends=trends, links=links)
        self.alerts = Alerts(alerter or Alerter(config.settings["alert_webhook_url"]))
        self.outcomes = OutcomeRecorder(config, self.alerts, self.worker_id, self.rng)
        self.recovery = Recovery(config, sessions, networks, self.alerts, self.checks)
        self.without_login: frozenset[str] = frozenset()  # their routes wait (see Runtime.check_logins)

    @property
    def facts(self) -> Facts:
        return self.checks.facts

    # -- one pass -------------------------------------------------------------------------------------

    def run(self, now: datetime, clock: Clock | None = None) -> PublishReport:
        """One pass at ``now``. Given a ``clock``, each entry is checked, paced and sent at the clock's time
        when its turn comes; without one, at ``now`` (a simulated day, a test). Leases run from the moment
        an entry is marked 'sending', so a send always has its whole lease."""
        report = PublishReport()
        running = clock or _running_from(now)
        with self.sessions() as session:
            self.checks.refresh(session, now)
        self.recovery.reconcile(now, report)
        self.recovery.probe_stopped(now)
        # A pass stops taking entries after a quarter of a lease, so that feeds are fetched and lapsed
        # leases reconciled between passes, and a pass on a fixed ``now`` does not drift far from it.
        budget = self.lease / 4
        with self.sessions() as session:
            routes = [r.id for r in self.config.routes.values() if r.account not in self.without_login]
            due = queue.due(session, now, routes, limit=self.batch, spread_by=self.worker_id)
        for entry_id in due:
            if running() - now > budget:
                break
            self._process(entry_id, clock() if clock else now, running, report)
        return report

    def _process(self, entry_id: int, now: datetime, clock: Clock, report: PublishReport) -> None:
        with self.sessions.begin() as session:
            entry = queue.claim(session, entry_id, now)
            if entry is None:
                return  # another worker has it, or its account is busy: a later pass takes it
            if self._waits_for_media(session, entry, now):
                return
            # A thread the network has part of goes on at once: its parts follow each other, unpaced.
            started = threads.started(session, entry.id)
            slot = self.checks.pacing.route(entry.route_id).next_slot(
                StoreHistory(session).last_post_at(entry.account_id), now, self.rng
            )
            if started:
                slot = now
            # A new entry is checked at once, so a held or refused post reaches a person early. One
            # already checked and waiting for the account's interval is checked again only when its
            # slot comes: an account's backlog would otherwise be checked at every slot, once per entry.
            if entry.state is State.READY and slot > now:
                entry.defer(self._turn(session, entry, slot), now)
                return
            verdict = self._check(session, entry, now)
            if verdict is None:
                return  # its link is still being followed: checked in a later round, never without it
            if not self._apply_verdict(session, entry, verdict, now, report):
                return
            if slot > now:  # allowed, but inside the account's minimum interval: come back then
                entry.defer(self._turn(session, entry, slot), now)
                return
            entry.mark_sending(self.worker_id, clock() + self.lease, now)
            account = entry.account_id
            network = self.networks[accounts.network_of(session, account)]
            sending = outgoing(session, entry, self.config)
        # Committed as 'sending' before the call: a crash from here on is reconciled, never resent blind.
        previous, root = sending.previous, sending.root
        for index, (position, post) in enumerate(sending.posts):
            if position is not None:
                post = replace(post, reply_to=previous, thread_root=root)
            last = index == len(sending.posts) - 1
            sent = self._send(entry_id, account, network, post, position, last, now, clock, report)
            if sent is None:
                return  # not sent, or the network cannot tell yet: the entry says what happens next
            previous, root = sent or None, root or sent or None

    def _send(
        self,
        entry_id: int,
        account: str,
        network: Network,
        post: Post,
        position: int | None,
        last: bool,
        now: datetime,
        clock: Clock,
        report: PublishReport,
    ) -> str | None:
        """Send one post (an entry's, or a part of its thread) and record what the network answered. The
        remote id of a part the network has (so the next part answers it), else None."""
        outcome = _publish(network, account, post, now)
        lost = outcome.uncertain
        if lost:
            settled = _settle(network, account, post, outcome)
            if settled is None:
                return None  # the network cannot tell yet: the entry stays 'sending', reconciled later
            outcome = settled
        if outcome.published and outcome.remote_id is None and position is not None:
            outcome = _with_remote_id(network, account, post, outcome)
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
            locked = queue.lock(session, entry_id)
            if locked is None:
                raise LookupError(f"queue entry {entry_id} is gone")
            if position is None or not outcome.published:
                past = self.outcomes.record(session, locked, outcome, now, report)
                part = None
            else:
                past = self.outcomes.record_part(
                    session, locked, outcome, position, last=last, lease=clock() + self.lease, now=now
                )
                part = outcome.remote_id or ""
                if locked.state is State.SENT:
                    report.posted += 1
                elif locked.state is not State.SENDING or locked.lease_owner != self.worker_id:
                    part = None  # another worker took the entry over: it goes on from what is recorded
        if outcome.budget is not None:
            # What the answer said of the budget holds for the rest of this pass too: after a rate limit
            # or a usage cap, the account's next post waits (BW901) instead of meeting the same wall.
            self.checks.facts.budgets[account] = outcome.budget
        if past is not None:
            self.checks.recorded(past)
            self.checks.facts.settled(account, str(entry_id))
        self.alerts.flush()
        return part

    def _waits_for_media(self, session: Transaction, entry: QueueEntry, now: datetime) -> bool:
        """An entry whose item's images are still being fetched waits for them a little (a minute at a
        time, ``media_wait_minutes`` in all), then goes without them."""
        if not stored_media.is_pending(session, entry.item_id):
            return False
        waited = now - stored_media.first_seen(session, entry.item_id)
        if waited < timedelta(minutes=self.config.settings["media_wait_minutes"]):
            entry.defer(now + timedelta(minutes=1), now)
            return True
        stored_media.give_up(session, entry.item_id)
        record(
            session,
            now,
            "media_missing",
            f"{entry.account_id}: the item's images were not fetched within "
            f"{self.config.settings['media_wait_minutes']} minutes; posting without them",
            account=entry.account_id,
            queue_id=entry.id,
        )
        return False

    # -- pace -----------------------------------------------------------------------------------------

    def _turn(self, session: Transaction, entry: QueueEntry, slot: datetime) -> datetime:
        """When a post waiting for its account's interval should come back: at the next slot if it is
        first in the account's line, one interval later for each entry ahead of it, so that an account's
        backlog is not claimed all at once at every slot."""
        ahead = queue.count_ahead(session, entry)
        return slot + ahead * self.checks.pacing.route(entry.route_id).min_interval

    # -- check ----------------------------------------------------------------------------------------

    def _check(self, session: Transaction, entry: QueueEntry, now: datetime) -> Verdict | None:
        """The verdict on what the entry would post now: its post, or every part of its thread (only the
        parts still to send, once the network has the first). None while its link's redirect chain is
        still to be learnt.

        A fact that cannot be gathered (the account's state, the post's text, the link's chain) is a
        fault, and the entry is held with a finding that names it (``checking.gather``)."""
        faults: list[Fault] = []
        account = self.checks.account(session, entry.account_id, faults)
        if account is None:
            raise LookupError(f"account {entry.account_id} is not in the store")
        item = feeds.item(session, entry.item_id)
        plan = gather("the post's text", lambda: self._plan(session, entry, item, now), None, faults)
        if plan is None:
            verdict = held_for(str(entry.id), faults)
            entry.record_verdict(verdict, now)
            return verdict
        if threads.started(session, entry.id):
            plan = _rest_of(plan, threads.parts(session, entry.id))
        else:
            entry.set_text(plan.draft.text, plan.draft.measure.length)
            threads.set_parts(session, entry.id, [(p.text, p.measure.length) for p in plan.parts])
        if not self._learn_link(session, item.link, plan.draft.link, faults):
            return None
        route = self.config.routes[entry.route_id]
        account_cfg = self.config.accounts[entry.account_id]
        feed = self.config.feeds[route.feed]
        origin = FeedOrigin(
            route, bool(feed.republish_declared_by), published=item.published or item.first_seen_at
        )
        history = self.checks.history(session, now)
        checked = [
            self.checks.check(
                action, account, history, route=entry.route_id, approved=entry.approved_codes, faults=faults
            )
            for action in actions(
                plan,
                action_id=str(entry.id),
                account=account.id,
                at=now,
                limit=account_cfg.char_limit,
                origin=origin,
            )
        ]
        verdict = combined(str(entry.id), checked)
        entry.record_verdict(verdict, now)
        return verdict

    def _plan(self, session: Transaction, entry: QueueEntry, item: StoredItem, now: datetime) -> PostPlan:
        account_cfg = self.config.accounts[entry.account_id]
        return plan_post(
            item_fields(item, feeds.feed_title(session, item.feed_id)),
            stored_media.images(session, entry.item_id),
            self.config.routes[entry.route_id],
            account_cfg,
            trending=self.checks.facts.trending(account_cfg.network, now),
            tracking=self.config.tracking_parameters,
        )

    def _learn_link(self, session: Transaction, item_link: str, link: str, faults: list[Fault]) -> bool:
        """Put what the resolver learnt of the post's link into the facts. False while it has learnt
        nothing yet (resolve_links on): the post waits for it. A link it could not follow to any
        destination, or a chain that cannot be read or judged, is a fault: the post is held."""
        if not link:
            return True
        source = f"the link chain of {link}"
        before = len(faults)
        known: CachedLink | None = gather(
            source,
            lambda: cached_link(session, chain_key(item_link, self.config.tracking_parameters)),
            None,
            faults,
        )
        if len(faults) > before:
            return True
        if known is None:
            return not self.config.settings["resolve_links"]
        if not known.chain:
            faults.append(Fault(source, known.error or "where it leads is unknown"))
            return True
        self.checks.learn_link(link, known.chain, faults)
        return True

    def _apply_verdict(
        self, session: Transaction, entry: QueueEntry, verdict: Verdict, now: datetime, report: PublishReport
    ) -> bool:
        """Move the entry as the verdict says; True when it may be published now."""
        if verdict.decision is Decision.ALLOW:
            return True
        if verdict.decision is Decision.DELAY:
            if entry.delay(verdict.not_before or now + timedelta(minutes=1), now):
                report.delayed += 1
        else:  # held or refused: it waits no more, and keeps no story from another account (BW103)
            self.checks.facts.settled(entry.account_id, str(entry.id))
        if verdict.decision is Decision.HOLD:
            entry.hold(now)
            report.held += 1
        elif verdict.decision is Decision.DENY:
            entry.deny(now)
            report.denied += 1
        record(
            session,
            now,
            _VERDICT_EVENTS[verdict.decision],
            f"{entry.account_id}: {verdict.reason()}",
            account=entry.account_id,
            queue_id=entry.id,
            codes=verdict.codes,
        )
        return False


# -- send ---------------------------------------------------------------------------------------------


def _publish(network: Network, account: str, post: Post, now: datetime) -> Outcome:
    try:
        return network.publish(account, post, at=now)
    except ConfigError as exc:  # no credentials: nothing was sent, and a person must act
        return Outcome(OutcomeKind.AUTH_REVOKED, message=str(exc))
    except Exception as exc:  # an adapter bug must not leave the post in limbo: look for it first
        return Outcome(OutcomeKind.TRANSIENT, message=f"{type(exc).__name__}: {exc}", uncertain=True)


def _settle(network: Network, account: str, post: Post, outcome: Outcome) -> Outcome | None:
    """The answer was lost after the request went out: look for the post before deciding anything."""
    try:
        remote_id = network.find_published(account, post)
    except Exception:
        return None
    if remote_id is not None:
        return Outcome(OutcomeKind.POSTED, remote_id, "the answer was lost; the post is on the network")
    return Outcome(OutcomeKind.TRANSIENT, message=f"{outcome.message}; the post is not on the network")


def _running_from(start: datetime) -> Clock:
    """A clock that starts at ``start`` and runs in real time."""
    began = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - began)


def _with_remote_id(network: Network, account: str, post: Post, outcome: Outcome) -> Outcome:
    """A part the network already had (a duplicate answer) names no id; the next part needs one to
    answer, so it is looked up (the part goes on unanswered if the network cannot say)."""
    try:
        found = network.find_published(account, post)
    except Exception:
        found = None
    return replace(outcome, remote_id=found or "")


def _rest_of(plan: PostPlan, parts: list[ThreadPart]) -> PostPlan:
    """A started thread's plan: only the parts still to send, as they were fixed when it started."""
    rest = tuple(
        Draft(plan.network, part.text, "", measure(part.text, plan.network))
        for part in parts
        if not part.sent
    )
    return replace(plan, parts=rest or plan.parts[:1], attachments=(), card=None)
