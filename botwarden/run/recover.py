"""After a crash or a stop: entries left ``sending`` are reconciled against the network (never resent
blind), and stopped accounts are probed with one cheap read per probe interval (never retried in a loop).

The same daily round watches the accounts that work (``watch.py``: moderation labels, limits seen from
another server, server rules, deleted content) and reconciles X's usage report with the spend meter
(``usage.py``). An account the watch stopped is probed by asking the watch's question again."""

from __future__ import annotations

from datetime import datetime, timedelta

from botwarden.checking import Checks
from botwarden.config import Config
from botwarden.networks import Network, OutcomeKind
from botwarden.networks.base import Watched
from botwarden.rules import PastPost
from botwarden.run.outbox import Alerts, PublishReport, outgoing
from botwarden.run.usage import UsageReconciler
from botwarden.run.watch import WATCH_STATUSES, Watch
from botwarden.store import QueueEntry, Sessions, State, Transaction, accounts, queue, threads
from botwarden.store.accounts import resume_account
from botwarden.store.events import record


class Recovery:
    def __init__(
        self, config: Config, sessions: Sessions, networks: dict[str, Network], alerts: Alerts, checks: Checks
    ) -> None:
        self.config = config
        self.sessions = sessions
        self.networks = networks
        self.alerts = alerts
        self.checks = checks
        self.probe_interval = timedelta(hours=config.settings["probe_interval_hours"])
        self.watch = Watch(config, sessions, networks, alerts)
        self.usage = UsageReconciler(config.settings, sessions, networks, alerts)

    def watch_accounts(self, now: datetime) -> None:
        """The watch of each account that is due, and X's usage reconciliation when it is due."""
        self.watch.run(now)
        self.usage.run(now)

    # -- crash recovery -------------------------------------------------------------------------------

    def reconcile(self, now: datetime, report: PublishReport) -> None:
        """Settle each entry whose ``sending`` lease ran out: found on the network, it is sent; not
        found, it goes back to the queue; the network cannot tell, it waits for the next pass."""
        with self.sessions() as session:
            stale = queue.stale_sending(session, now)
        for entry_id in stale:
            with self.sessions.begin() as session:
                settled = self._reconcile(session, entry_id, now)
            if settled is not None:
                report.reconciled += 1
            if isinstance(settled, PastPost):
                self.checks.recorded(settled)

    def _reconcile(self, session: Transaction, entry_id: int, now: datetime) -> PastPost | bool | None:
        """Settle one entry: the post when it was found on the network, True when it goes back to the
        queue, None when another worker has it or the network cannot tell."""
        entry = queue.lock(session, entry_id, skip_locked=True)
        if entry is None or entry.state is not State.SENDING:
            return None  # another worker is reconciling it, or already has
        network = self.networks[accounts.network_of(session, entry.account_id)]
        sending = outgoing(session, entry, self.config)
        if not sending.posts:  # every part of its thread is on the network already
            entry.finish_thread(threads.parts(session, entry_id)[0].remote_id, now)
            return True
        position, post = sending.posts[0]
        try:
            remote_id = network.find_published(entry.account_id, post)
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
            return None
        settled: PastPost | bool = True
        if remote_id is not None and position is not None:
            settled = self._part_found(session, entry, position, remote_id, len(sending.posts) == 1, now)
            message = f"part {position + 1} of its thread found on the network: recorded, not sent again"
        elif remote_id is not None:
            settled = entry.mark_sent(remote_id, now)
            message = "found on the network: recorded as sent, not sent again"
        else:
            entry.defer(now, now)
            message = "not found on the network: back in the queue"
        record(
            session,
            now,
            "reconciled",
            f"entry {entry_id} was left 'sending': {message}",
            account=entry.account_id,
            queue_id=entry_id,
        )
        return settled

    def _part_found(
        self,
        session: Transaction,
        entry: QueueEntry,
        position: int,
        remote_id: str,
        last: bool,
        now: datetime,
    ) -> PastPost | bool:
        """A part of the entry's thread is on the network: recorded; the thread is done with its last
        part, else the entry goes back to the queue and the next pass sends the part after it."""
        past = threads.mark_part_sent(session, entry.id, entry.account_id, position, remote_id, now)
        if last:
            entry.finish_thread(threads.parts(session, entry.id)[0].remote_id, now)
        else:
            entry.defer(now, now)
        return past if past is not None else True

    # -- stopped accounts -----------------------------------------------------------------------------

    def probe_stopped(self, now: datetime) -> None:
        """One cheap read per stopped account and probe interval, never a retry loop."""
        with self.sessions() as session:
            due = accounts.due_probes(session, now, self.config.accounts)
        for account_id in due:
            with self.sessions.begin() as session:  # take the probe, so no other worker probes too
                network_name = accounts.take_probe(session, account_id, now, now + self.probe_interval)
                stored = accounts.get_account(session, account_id)
            if network_name is None or stored is None:
                continue
            still = self._probe(self.networks[network_name], account_id, stored.status)
            with self.sessions.begin() as session:
                self._record_probe(session, account_id, still, now)
            self.alerts.flush()

    @staticmethod
    def _probe(network: Network, account_id: str, status: str) -> str | None:
        """Why the account still does not work, or None: one cheap read, and for an account the watch
        stopped, the watch's question again (is the label still there, is it still limited)."""
        try:
            answer = network.probe(account_id)
            if answer is not None:
                return f"{answer.kind.value}: {answer.message}"
            if status in WATCH_STATUSES and isinstance(network, Watched):
                problems = network.standing(account_id)
                if problems:
                    return f"{problems[0].status}: {problems[0].message}"
        except Exception as exc:
            return f"{OutcomeKind.TRANSIENT.value}: {type(exc).__name__}: {exc}"
        return None

    def _record_probe(self, session: Transaction, account_id: str, still: str | None, now: datetime) -> None:
        if still is not None:
            account = accounts.get_account(session, account_id)
            next_at = account.next_probe_at if account else None
            record(
                session,
                now,
                "probe_failed",
                f"{account_id} still does not work ({still}); next probe at {next_at:%Y-%m-%d %H:%M} UTC",
                account=account_id,
            )
            return
        status = accounts.probe_answered(session, account_id).status
        if self.config.settings["resume_on_probe"]:
            resume_account(session, account_id, now, "a probe found it working; resume_on_probe is on")
            message = f"{account_id} answers again after being {status}; resumed (resume_on_probe is on)"
            status = "ok"
        else:
            message = (
                f"{account_id} answers again after being {status}; "
                f"resume it with `botwarden accounts resume {account_id}` once you have checked it"
            )
        record(session, now, "account_answers", message, account=account_id)
        self.alerts.add("account_answers", account_id, message, now, status)
