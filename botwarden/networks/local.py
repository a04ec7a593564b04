"""The ``local`` network: posts land in the store's local timeline, as on a remote server.

It keeps its own transaction, apart from the queue's, so the at-most-once protocol is exercised exactly as
with a real network. An optional fault plan lets demos and tests make it answer like a network that locks
an account or fails.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from botwarden.networks.base import InboundMessage, Outcome, OutcomeKind, Post, Profile
from botwarden.store.models import LocalPostRow

FaultPlan = Callable[[str, str, datetime], Outcome | None]


class LocalNetwork:
    name = "local"

    def __init__(self, sessions: sessionmaker[Session], faults: FaultPlan | None = None) -> None:
        self._sessions = sessions
        self._faults = faults

    def publish(self, account: str, post: Post, *, at: datetime) -> Outcome:
        text, idempotency_key = post.text, post.idempotency_key
        if self._faults is not None:
            fault = self._faults(account, text, at)
            if fault is not None:
                return fault
        with self._sessions.begin() as session:
            existing = self._by_key(session, idempotency_key)
            if existing is not None:  # like Mastodon's Idempotency-Key: the same key returns the same post
                return Outcome(OutcomeKind.DUPLICATE, str(existing.id), "already posted with this key")
            row = LocalPostRow(account_id=account, at=at, text=text, idempotency_key=idempotency_key)
            session.add(row)
            session.flush()
            return Outcome(OutcomeKind.POSTED, str(row.id))

    def find_published(self, account: str, post: Post) -> str | None:
        with self._sessions() as session:
            row = self._by_key(session, post.idempotency_key)
            return str(row.id) if row is not None and row.account_id == account else None

    def probe(self, account: str) -> Outcome | None:
        if self._faults is not None:
            return self._faults(account, "", datetime.now(UTC))
        return None

    def profile(self, account: str) -> Profile:
        return Profile(handle=account)

    def inbound(self, account: str, cursor: str | None) -> tuple[list[InboundMessage], str | None]:
        return [], cursor  # nobody writes to the local network

    @staticmethod
    def _by_key(session: Session, key: str) -> LocalPostRow | None:
        return session.scalars(select(LocalPostRow).where(LocalPostRow.idempotency_key == key)).first()
