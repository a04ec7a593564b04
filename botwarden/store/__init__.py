"""The store: the only place that speaks SQL. SQLAlchemy models and Alembic migrations, the queue state
machine and its operations, history, the read models the pages and commands show, and the handles that
cross into the rest of the code (:data:`Sessions`, :data:`Transaction`).

The queue and the history are loaded when first asked for: they bring the rule engine with them, which
a command that only reads the store (``status``, ``queue``) does not need to wait for.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from botwarden.errors import InvalidTransition
from botwarden.store.db import (
    DatabaseError,
    Reader,
    Sessions,
    StandingConnection,
    Transaction,
    make_engine,
    migrate,
    open_store,
    rolled_back,
    safe_url,
    session_factory,
    unreachable,
)

if TYPE_CHECKING:
    from botwarden.store.history import StoreHistory
    from botwarden.store.queue import QueueEntry, State, transition

_LATER = {
    "StoreHistory": "botwarden.store.history",
    "QueueEntry": "botwarden.store.queue",
    "State": "botwarden.store.queue",
    "transition": "botwarden.store.queue",
}

__all__ = [
    "DatabaseError",
    "InvalidTransition",
    "QueueEntry",
    "Reader",
    "Sessions",
    "StandingConnection",
    "State",
    "StoreHistory",
    "Transaction",
    "make_engine",
    "migrate",
    "open_store",
    "rolled_back",
    "safe_url",
    "session_factory",
    "transition",
    "unreachable",
]


def __getattr__(name: str) -> Any:
    module = _LATER.get(name)
    if module is None:
        raise AttributeError(f"module 'botwarden.store' has no attribute {name!r}")
    found = getattr(importlib.import_module(module), name)
    globals()[name] = found
    return found
