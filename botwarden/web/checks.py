"""``POST /api/v1/check``: one action in the replay format, checked against the store's history."""

from __future__ import annotations

import threading
import time

from sqlalchemy import Connection
from sqlalchemy import Engine as SqlEngine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from botwarden.config import Config
from botwarden.pacing import settings_pacing
from botwarden.replay.lines import ActionLine
from botwarden.replay.run import to_action
from botwarden.rules import AccountInfo, CheckContext, Engine, Verdict
from botwarden.rules.facts import Facts
from botwarden.run.publish import account_sources
from botwarden.store.accounts import stored_account_info
from botwarden.store.consent import ledger_version, load_ledger
from botwarden.store.history import StoreHistory
from botwarden.store.tokens import Principal
from botwarden.text import load_x_patterns


class Checker:
    """The engine with the operator fleet's facts, kept between requests and refreshed when the consent
    ledger grows.

    Checks read the store through one connection of their own, in autocommit (each statement sees what is
    committed): opening a session and taking a pooled connection per check cost as much as the reads.
    Checks run on the server's event loop, one at a time; the lock only guards against a caller from a
    thread."""

    def __init__(self, config: Config, engine: SqlEngine) -> None:
        self.config = config
        self._db = engine
        self._connection: Connection | None = None
        self.engine = Engine(select=config.settings["select"], ignore=config.settings["ignore"])
        self.facts = Facts(
            accounts={a.id: AccountInfo(a.id, a.network, a.operator) for a in config.accounts.values()},
            sources=account_sources(config),
        )
        self.pacing = {route.account: config.pacing_for(route) for route in config.routes.values()}
        self._ledger_version = (-1, -1)
        self._asked = float("-inf")
        self._lock = threading.RLock()
        load_x_patterns()  # so that the first check does not wait a third of a second for them

    def check_line(self, caller: Principal, line: ActionLine) -> Verdict | None:
        """The verdict on ``line``, or None when its account is not the caller's (or not there at all).
        A connection the database dropped (a restart) is opened again and the check tried once more."""
        with self._lock:
            try:
                return self._check_line(caller, line)
            except DBAPIError as exc:
                self._drop_connection()
                if not exc.connection_invalidated:
                    raise
            return self._check_line(caller, line)

    def _check_line(self, caller: Principal, line: ActionLine) -> Verdict | None:
        if self._connection is None:
            self._connection = self._db.connect().execution_options(isolation_level="AUTOCOMMIT")
        account = self.account(self._connection, line.account)
        if account is None or not caller.may_see(account.operator):
            return None
        return self.check(self._connection, account, line)

    def _drop_connection(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def account(self, connection: Connection, account_id: str) -> AccountInfo | None:
        """The stored account as the rules see it, with its configured spend cap; None if unknown."""
        configured = self.config.accounts.get(account_id)
        cap = configured.spend_cap_usd if configured else None
        return stored_account_info(connection, account_id, spend_cap_usd=cap)

    def check(self, connection: Connection, account: AccountInfo, line: ActionLine) -> Verdict:
        self._refresh(connection)
        action = to_action(line, account.network)
        ctx = CheckContext(
            account=account,
            history=StoreHistory(connection),
            pacing=self.pacing.get(account.id) or settings_pacing(self.config.settings),
            settings=self.config.settings,
            facts=self.facts,
        )
        return self.engine.check(action, ctx)

    def _refresh(self, connection: Connection) -> None:
        """Read the ledger again when it has grown; asked at most once a second, not on every check."""
        now = time.monotonic()
        if now - self._asked < 1.0:
            return
        self._asked = now
        version = ledger_version(connection)
        if version == self._ledger_version:
            return
        with self._lock:
            if version != self._ledger_version:
                with Session(bind=connection) as reader:
                    self.facts.ledger = load_ledger(reader, self.config.accounts)
                self._ledger_version = version
