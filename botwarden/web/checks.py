"""``POST /api/v1/check``: one action in the replay format, checked against the store's history."""

from __future__ import annotations

import threading
import time

from sqlalchemy.orm import Session

from botwarden.config import Config
from botwarden.pacing import settings_pacing
from botwarden.replay.lines import ActionLine
from botwarden.replay.run import to_action
from botwarden.rules import AccountInfo, CheckContext, Engine, Verdict
from botwarden.rules.facts import Facts
from botwarden.store.accounts import stored_account_info
from botwarden.store.consent import ledger_version, load_ledger
from botwarden.store.history import StoreHistory
from botwarden.worker import account_sources


class Checker:
    """The engine with the operator fleet's facts, kept between requests and refreshed when the consent
    ledger grows."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.engine = Engine(select=config.settings["select"], ignore=config.settings["ignore"])
        self.facts = Facts(
            accounts={a.id: AccountInfo(a.id, a.network, a.operator) for a in config.accounts.values()},
            sources=account_sources(config),
        )
        self.pacing = {route.account: config.pacing_for(route) for route in config.routes.values()}
        self._ledger_version = (-1, -1)
        self._asked = float("-inf")
        self._lock = threading.Lock()

    def account(self, session: Session, account_id: str) -> AccountInfo | None:
        """The stored account as the rules see it, with its configured spend cap; None if unknown."""
        configured = self.config.accounts.get(account_id)
        cap = configured.spend_cap_usd if configured else None
        return stored_account_info(session, account_id, spend_cap_usd=cap)

    def check(self, session: Session, account: AccountInfo, line: ActionLine) -> Verdict:
        self._refresh(session)
        action = to_action(line, account.network)
        ctx = CheckContext(
            account=account,
            history=StoreHistory(session),
            pacing=self.pacing.get(account.id) or settings_pacing(self.config.settings),
            settings=self.config.settings,
            facts=self.facts,
        )
        return self.engine.check(action, ctx)

    def _refresh(self, session: Session) -> None:
        """Read the ledger again when it has grown; asked at most once a second, not on every check."""
        now = time.monotonic()
        if now - self._asked < 1.0:
            return
        self._asked = now
        version = ledger_version(session)
        if version == self._ledger_version:
            return
        with self._lock:
            if version != self._ledger_version:
                self.facts.ledger = load_ledger(session, self.config.accounts)
                self._ledger_version = version
