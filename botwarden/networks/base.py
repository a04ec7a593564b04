"""What every network adapter provides, and the one outcome taxonomy all network answers map into."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class OutcomeKind(enum.StrEnum):
    POSTED = "posted"
    DUPLICATE = "duplicate"
    RATE_LIMITED = "rate_limited"
    USAGE_CAPPED = "usage_capped"
    LOCKED = "locked"
    SPAM_FLAGGED = "spam_flagged"
    SUSPENDED = "suspended"
    WRITE_RESTRICTED = "write_restricted"
    AUTH_REVOKED = "auth_revoked"
    REJECTED = "rejected"
    TRANSIENT = "transient"


# Answers that mean a person must act: the account stops and is never retried in a loop.
STOPS_ACCOUNT = frozenset(
    {
        OutcomeKind.LOCKED,
        OutcomeKind.SPAM_FLAGGED,
        OutcomeKind.SUSPENDED,
        OutcomeKind.WRITE_RESTRICTED,
        OutcomeKind.AUTH_REVOKED,
    }
)
# Answers that mean "try again later": the post goes back to the queue with a later not_before.
RETRY_LATER = frozenset({OutcomeKind.RATE_LIMITED, OutcomeKind.USAGE_CAPPED, OutcomeKind.TRANSIENT})


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: OutcomeKind
    remote_id: str | None = None
    message: str = ""
    retry_at: datetime | None = None

    @property
    def published(self) -> bool:
        """The network has the post (now or from before): it must never be sent again."""
        return self.kind in (OutcomeKind.POSTED, OutcomeKind.DUPLICATE)


class Network(Protocol):
    """A network adapter. ``publish`` must not raise for a network's answer: it maps it to an Outcome."""

    name: str

    def publish(self, account: str, text: str, *, idempotency_key: str, at: datetime) -> Outcome: ...

    def find_published(self, account: str, *, idempotency_key: str, text: str) -> str | None:
        """The remote id of a post made with this key (or this text) recently, if the network has it."""
        ...
