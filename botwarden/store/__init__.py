"""The store: the only place that speaks SQL. SQLAlchemy models and Alembic migrations, the queue state
machine and its operations, history, the read models the pages and commands show, and the handles that
cross into the rest of the code (:data:`Sessions`, :data:`Transaction`)."""

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
from botwarden.store.history import StoreHistory
from botwarden.store.queue import QueueEntry, State, transition

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
