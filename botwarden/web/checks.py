"""``POST /api/v1/check``: one action in the replay format, checked against the store's history."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from botwarden.checking import Fault, FleetChecks
from botwarden.config import Config
from botwarden.replay.lines import ActionLine
from botwarden.replay.run import to_action
from botwarden.rules import AccountInfo, Verdict
from botwarden.store import Reader, Sessions, StandingConnection
from botwarden.store.tokens import Principal
from botwarden.text import load_x_patterns


class Checker:
    """The checking seam's fleet state, kept between requests and caught up with the store (the consent
    ledger, the accounts) at most once a second.

    Checks read the store through one standing connection of their own, in autocommit (each statement
    sees what is committed). Checks run on the server's event loop, one at a time; the lock only guards
    against a caller from a thread."""

    def __init__(self, config: Config, sessions: Sessions) -> None:
        self.config = config
        self.checks = FleetChecks(config, refresh_every=1.0)
        self._db = StandingConnection(sessions)
        self._lock = threading.RLock()
        load_x_patterns()  # so that the first check does not wait a third of a second for them

    def check_line(self, caller: Principal, line: ActionLine) -> Verdict | None:
        """The verdict on ``line``, or None when its account is not the caller's (or not there at all).
        A connection the database dropped (a restart) is opened again and the check tried once more."""
        with self._lock:
            return self._db.run(lambda reader: self._check_line(reader, caller, line))

    def _check_line(self, reader: Reader, caller: Principal, line: ActionLine) -> Verdict | None:
        # An account whose state cannot be read is known by the fleet's facts, which also say whose it
        # is: the check holds it, and another operator still gets the answer for a missing account.
        faults: list[Fault] = []
        account = self.checks.account(reader, line.account, faults)
        if account is None or not caller.may_see(account.operator):
            return None
        return self.check(reader, account, line, faults)

    def check(
        self, reader: Reader, account: AccountInfo, line: ActionLine, faults: list[Fault] | None = None
    ) -> Verdict:
        now = datetime.now(UTC)
        self.checks.refresh(reader, now)
        action = to_action(line, account.network)
        history = self.checks.history(reader, now, at=action.at)
        return self.checks.check(action, account, history, faults=faults or ())
