"""Reading what people send the accounts (mentions, replies, direct messages) into the consent ledger,
so the reply and message rules (BW4xx, BW5xx) work from real opt-ins and opt-outs.

Each account is polled every ``inbound_interval_minutes`` from where the last poll stopped (the network's
cursor is kept on the account). "stop", "unsubscribe" and the like opt the user out at once; anything
else a user writes to the account opts them in by that channel.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from botwarden.config import Config
from botwarden.networks import Network
from botwarden.store import Sessions, accounts
from botwarden.store.consent import ConsentStore
from botwarden.store.events import record


class InboundPoller:
    def __init__(
        self, config: Config, sessions: Sessions, networks: dict[str, Network], worker_id: str
    ) -> None:
        self.config = config
        self.sessions = sessions
        self.networks = networks
        self.worker_id = worker_id
        self.interval = timedelta(minutes=int(config.settings["inbound_interval_minutes"]))
        self.without_login: frozenset[str] = frozenset()  # not read until they have one

    def run(self, now: datetime) -> int:
        """Poll every due account; how many messages were recorded."""
        if self.interval <= timedelta(0):
            return 0
        remote = [
            a.id
            for a in self.config.accounts.values()
            if a.network != "local" and a.id not in self.without_login
        ]
        if not remote:
            return 0
        with self.sessions() as session:
            due = accounts.due_inbound(session, now, remote)
        return sum(self._poll(account_id, now) for account_id in due)

    def _poll(self, account_id: str, now: datetime) -> int:
        with self.sessions.begin() as session:  # take this poll, so no other worker polls it too
            taken = accounts.take_inbound(session, account_id, now, self.interval)
        if taken is None:
            return 0
        network, cursor = self.networks[taken[0]], taken[1]
        try:
            messages, new_cursor = network.inbound(account_id, cursor)
        except Exception as exc:  # a failed poll is retried at the next interval, never in a loop
            with self.sessions.begin() as session:
                record(
                    session,
                    now,
                    "inbound_failed",
                    f"{account_id}: could not read mentions ({exc})",
                    account=account_id,
                )
            return 0
        with self.sessions.begin() as session:
            ledger = ConsentStore(session, recorded_by=f"botwarden inbound ({self.worker_id})", now=now)
            said = [
                ledger.inbound(account_id, m.user, m.text, m.at, m.via, interaction=m.id) for m in messages
            ]
            accounts.save_inbound_cursor(session, account_id, new_cursor)
            if said:
                opt_outs = sum(1 for s in said if s.kind == "opt_out")
                record(
                    session,
                    now,
                    "inbound",
                    f"{account_id}: {len(said)} message(s) read; {opt_outs} opt-out(s), "
                    f"{len(said) - opt_outs} opt-in(s) recorded",
                    account=account_id,
                )
        return len(messages)
