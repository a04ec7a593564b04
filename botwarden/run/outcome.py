"""Recording what the network answered to a post: sent, retried later with backoff, failed, or the
account stopped (locked, suspended, ...) and a person alerted."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from botwarden.config import Config
from botwarden.networks import RETRY_LATER, STOPS_ACCOUNT, Outcome
from botwarden.rules import PastPost
from botwarden.run.outbox import Alerts, PublishReport
from botwarden.store import QueueEntry, State, Transaction, accounts, threads
from botwarden.store.events import record


class OutcomeRecorder:
    def __init__(self, config: Config, alerts: Alerts, worker_id: str, rng: random.Random) -> None:
        self.config = config
        self.alerts = alerts
        self.worker_id = worker_id
        self.rng = rng
        self.probe_interval = timedelta(hours=config.settings["probe_interval_hours"])

    def record(
        self, session: Transaction, entry: QueueEntry, outcome: Outcome, now: datetime, report: PublishReport
    ) -> PastPost | None:
        """Record the answer on the entry; the post as history has it when it was sent."""
        if entry.state is not State.SENDING or entry.lease_owner != self.worker_id:
            # Our lease lapsed and someone reconciled it meanwhile; their record stands.
            record(
                session,
                now,
                "late_outcome",
                f"entry {entry.id}: outcome {outcome.kind} arrived after "
                "the lease was taken over; not recorded twice",
                queue_id=entry.id,
            )
            return None
        if outcome.budget is not None:
            accounts.set_budget(session, entry.account_id, outcome.budget)
        if outcome.published:
            report.posted += 1
            return entry.mark_sent(outcome.remote_id, now, outcome.cost_usd)
        error = f"{outcome.kind}: {outcome.message}".strip(": ")
        if outcome.kind in STOPS_ACCOUNT:
            self._stop_account(session, entry.account_id, outcome, now)
            report.stopped_accounts.append(entry.account_id)
            entry.unsend(error, now)  # not sent; the next check holds it under BW904
        elif outcome.kind in RETRY_LATER and entry.attempts < self.config.settings["max_attempts"]:
            entry.retry(error, outcome.retry_at or now + self._backoff(entry.attempts), now)
            record(
                session,
                now,
                "retry",
                f"{entry.account_id}: {error}; retrying at {entry.not_before.isoformat()}",
                account=entry.account_id,
                queue_id=entry.id,
            )
        else:
            entry.fail(error, now)
            report.failed += 1
            record(
                session,
                now,
                "publish_failed",
                f"{entry.account_id}: {error}",
                account=entry.account_id,
                queue_id=entry.id,
            )
        return None

    def record_part(
        self,
        session: Transaction,
        entry: QueueEntry,
        outcome: Outcome,
        position: int,
        *,
        last: bool,
        lease: datetime,
        now: datetime,
    ) -> PastPost | None:
        """The network has this part of the entry's thread: it is recorded at once, whoever holds the
        entry now (it must never be sent again); the entry is done with its last part, and otherwise keeps
        its lease for the next. The part as history has it, when it was recorded here."""
        if outcome.budget is not None:
            accounts.set_budget(session, entry.account_id, outcome.budget)
        remote_id = outcome.remote_id or ""
        past = threads.mark_part_sent(
            session, entry.id, entry.account_id, position, remote_id, now, outcome.cost_usd
        )
        if entry.state is not State.SENDING or entry.lease_owner != self.worker_id:
            record(
                session,
                now,
                "late_outcome",
                f"entry {entry.id}: part {position + 1} reached the network after the lease was taken over; "
                "recorded, and the thread goes on from there",
                queue_id=entry.id,
            )
            return past
        if last:
            entry.finish_thread(threads.parts(session, entry.id)[0].remote_id, now)
        else:
            entry.extend_lease(lease)
        return past

    def _backoff(self, attempts: int) -> timedelta:
        base = 60 * 2 ** max(attempts - 1, 0)
        return timedelta(seconds=min(base, 3600) * self.rng.uniform(0.8, 1.2))

    def _stop_account(self, session: Transaction, account_id: str, outcome: Outcome, now: datetime) -> None:
        reason = outcome.message or outcome.kind.value
        stop_and_alert(
            session,
            self.alerts,
            account_id,
            outcome.kind.value,
            reason,
            f"the network answered {outcome.kind.value} ({reason})",
            now,
            now + self.probe_interval,
        )


def stop_and_alert(
    session: Transaction,
    alerts: Alerts,
    account_id: str,
    status: str,
    reason: str,
    what: str,
    now: datetime,
    probe_at: datetime,
    **evidence: Any,
) -> None:
    """Stop the account (its queue is held under BW904, one probe at ``probe_at``) and tell a person:
    the same for a network's answer and for what the watch sees."""
    accounts.stop_account(session, account_id, status, reason, now, probe_at)
    message = f"{account_id} stopped: {what}; its queue is held until a person restores the account"
    record(session, now, "account_stopped", message, account=account_id, status=status, **evidence)
    alerts.add("account_stopped", account_id, message, now, status)
