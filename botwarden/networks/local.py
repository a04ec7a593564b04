"""The ``local`` network: posts land in the store's local timeline, as on a remote server.

It keeps its own transaction, apart from the queue's, so the at-most-once protocol is exercised exactly as
with a real network. An optional fault plan lets demos and tests make it answer like a network that locks
an account or fails.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from botwarden.networks.base import InboundMessage, Outcome, OutcomeKind, Post, Profile
from botwarden.store import Sessions, timeline

FaultPlan = Callable[[str, str, datetime], Outcome | None]


class LocalNetwork:
    name = "local"

    def __init__(self, sessions: Sessions, faults: FaultPlan | None = None) -> None:
        self._sessions = sessions
        self._faults = faults

    def publish(self, account: str, post: Post, *, at: datetime) -> Outcome:
        text, idempotency_key = post.text, post.idempotency_key
        if self._faults is not None:
            fault = self._faults(account, text, at)
            if fault is not None:
                return fault
        with self._sessions.begin() as session:
            post_id, new = timeline.post(session, account, at, text, idempotency_key)
        if not new:  # like Mastodon's Idempotency-Key: the same key returns the same post
            return Outcome(OutcomeKind.DUPLICATE, str(post_id), "already posted with this key")
        return Outcome(OutcomeKind.POSTED, str(post_id))

    def find_published(self, account: str, post: Post) -> str | None:
        with self._sessions() as session:
            post_id = timeline.find(session, account, post.idempotency_key)
        return str(post_id) if post_id is not None else None

    def probe(self, account: str) -> Outcome | None:
        if self._faults is not None:
            return self._faults(account, "", datetime.now(UTC))
        return None

    def profile(self, account: str) -> Profile:
        return Profile(handle=account)

    def inbound(self, account: str, cursor: str | None) -> tuple[list[InboundMessage], str | None]:
        return [], cursor  # nobody writes to the local network
