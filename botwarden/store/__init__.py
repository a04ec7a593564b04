"""The store: the only place that speaks SQL. SQLAlchemy models and Alembic migrations, the queue state
machine and its operations, history, the read models the pages and commands show, and the handles that
cross into the rest of the code (:data:`Sessions`, :data:`Transaction`).

Each name is loaded when first asked for: the queue and the history bring the rule engine with them and
the database handles bring SQLAlchemy, which a command that reads through ``store.lean`` (``status``,
``queue``, ``spend``) does not wait for.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from botwarden.errors import InvalidTransition

if TYPE_CHECKING:
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
    from botwarden.store.history import StoreHistory
    from botwarden.store.queue import QueueEntry, State, transition

_DB = (
    "DatabaseError",
    "Reader",
    "Sessions",
    "StandingConnection",
    "Transaction",
    "make_engine",
    "migrate",
    "open_store",
    "rolled_back",
    "safe_url",
    "session_factory",
    "unreachable",
)
_LATER = {
    **dict.fromkeys(_DB, "botwarden.store.db"),
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
