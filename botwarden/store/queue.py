"""The queue as an explicit state machine.

    pending ──▶ ready ──▶ sending ──▶ sent
       │          │  ▲        │
       │          │  └────────┤ (retry later, or reconciled as not sent)
       ▼          ▼           ▼
     held ◀──── held        failed
     denied ◀── denied

``sending`` is written (and committed) before the network is called; only the network's answer, or a
reconciliation that finds the post on the network, moves it on. Nothing else may change a queue entry's
state: :func:`transition` refuses any move not drawn above.
"""

from __future__ import annotations

import enum
from datetime import datetime

from botwarden.errors import StoreError
from botwarden.store.models import QueueRow


class State(enum.StrEnum):
    PENDING = "pending"
    READY = "ready"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    HELD = "held"
    DENIED = "denied"


ALLOWED: dict[State, frozenset[State]] = {
    State.PENDING: frozenset({State.READY, State.SENDING, State.HELD, State.DENIED}),
    State.READY: frozenset({State.READY, State.SENDING, State.HELD, State.DENIED}),
    State.SENDING: frozenset({State.SENT, State.FAILED, State.READY}),
    State.HELD: frozenset({State.READY, State.DENIED}),
    State.FAILED: frozenset({State.READY}),
    State.SENT: frozenset(),
    State.DENIED: frozenset(),
}
DUE_STATES = (State.PENDING.value, State.READY.value)


class InvalidTransition(StoreError):
    pass


def transition(row: QueueRow, to: State, now: datetime) -> None:
    current = State(row.state)
    if to not in ALLOWED[current]:
        raise InvalidTransition(f"queue entry {row.id}: cannot go from {current} to {to}")
    row.state = to.value
    row.updated_at = now
    if to is not State.SENDING:
        row.lease_owner = None
        row.lease_expires_at = None
