"""The watch: every ``watch_interval_hours``, each account is looked at for what the networks do not say
by refusing a request.

- Bluesky: moderation labels on the account and its latest posts (from the labelers asked for);
- Mastodon: the account as another server sees it (``limited`` or ``suspended``), and the rules its own
  server publishes (kept, and applied where they are machine-readable, ``server_rules.py``);
- X: the ids of people's posts and messages the consent ledger keeps, redacted when deleted on X.

A label, or a limit or suspension seen elsewhere, stops the account exactly like a lock (BW904): its
queue is held, a person is alerted with the label or state as evidence, and it is probed daily, the probe
asking the same question again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from botwarden.config import Config
from botwarden.networks import Network
from botwarden.networks.base import PublishesRules, Retention, StandingProblem, Watched
from botwarden.run.outbox import Alerts
from botwarden.run.outcome import stop_and_alert
from botwarden.run.retention import redact_deleted
from botwarden.server_rules import read_rules
from botwarden.store import Sessions, accounts, chores, server_rules
from botwarden.store.events import record

#: The statuses the watch stops an account with: its probe asks the watch's question again.
WATCH_STATUSES = frozenset({"labelled", "limited", "suspended_elsewhere"})
RETRY = timedelta(hours=1)  # a watch that could not ask the network asks again this soon


class Watch:
    def __init__(
        self, config: Config, sessions: Sessions, networks: dict[str, Network], alerts: Alerts
    ) -> None:
        self.config = config
        self.sessions = sessions
        self.networks = networks
        self.alerts = alerts
        self.interval = timedelta(hours=config.settings["watch_interval_hours"])
        self.probe_interval = timedelta(hours=config.settings["probe_interval_hours"])
        self.keep_ids = timedelta(days=config.settings["inbound_id_days"])

    def run(self, now: datetime) -> None:
        watched = {
            f"watch:{a.id}": a
            for a in self.config.accounts.values()
            if a.network in self.networks and a.network != "local"
        }
        if not watched:
            return
        with self.sessions() as session:
            due = chores.due(session, list(watched), now)
        for name in due:
            self._watch(watched[name].id, watched[name].network, now)
        self.alerts.flush()

    def _watch(self, account_id: str, network_name: str, now: datetime) -> None:
        name = f"watch:{account_id}"
        with self.sessions.begin() as session:
            taken = chores.take(session, name, now, now + self.interval)
            stored = accounts.get_account(session, account_id)
        if taken is None or stored is None:
            return
        network = self.networks[network_name]
        failures: list[str] = []
        if stored.status == "ok" and isinstance(network, Watched):
            self._attempt(failures, "standing", lambda: self._standing(network, account_id, now))
        if isinstance(network, PublishesRules):
            self._attempt(failures, "server rules", lambda: self._rules(network, account_id, now))
        if isinstance(network, Retention):
            self._attempt(
                failures,
                "retention",
                lambda: redact_deleted(self.sessions, network, network_name, account_id, now, self.keep_ids),
            )
        with self.sessions.begin() as session:
            found: dict[str, Any] = {"at": now.isoformat(), "failed": failures}
            chores.finish(session, name, found, next_at=now + RETRY if failures else None)
            for failure in failures:
                record(
                    session,
                    now,
                    "watch_failed",
                    f"{account_id}: {failure}; asking again in an hour",
                    account=account_id,
                )

    @staticmethod
    def _attempt(failures: list[str], what: str, work: Any) -> None:
        try:
            work()
        except Exception as exc:  # one part that cannot be asked never stops the others
            failures.append(f"{what}: {exc or type(exc).__name__}")

    def _standing(self, network: Watched, account_id: str, now: datetime) -> None:
        problems = network.standing(account_id)
        if problems:
            with self.sessions.begin() as session:
                stop_for(session, self.alerts, account_id, problems[0], now, now + self.probe_interval)

    def _rules(self, network: PublishesRules, account_id: str, now: datetime) -> None:
        rules = network.server_rules(account_id)
        with self.sessions.begin() as session:
            if not server_rules.save(session, account_id, rules, now):
                return
            reading = read_rules(rules)
            understood = "; ".join(reading.understood.values()) or "nothing botwarden applies by itself"
            record(
                session,
                now,
                "server_rules",
                f"{account_id}: the server publishes {len(rules)} rule(s); read: {understood}",
                account=account_id,
                rules=[r.text for r in rules],
            )


def stop_for(
    session: Any, alerts: Alerts, account_id: str, problem: StandingProblem, now: datetime, probe_at: datetime
) -> None:
    """Stop the account for what the watch saw, like a lock, with it as evidence."""
    stop_and_alert(
        session,
        alerts,
        account_id,
        problem.status,
        problem.message,
        problem.message,
        now,
        probe_at,
        evidence=problem.evidence,
    )
