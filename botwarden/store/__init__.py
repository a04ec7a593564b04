"""The store: SQLAlchemy models, Alembic migrations, the queue state machine and history."""

from botwarden.store.db import make_engine, migrate, safe_url, session_factory
from botwarden.store.history import StoreHistory
from botwarden.store.queue import InvalidTransition, State, transition

__all__ = [
    "InvalidTransition",
    "State",
    "StoreHistory",
    "make_engine",
    "migrate",
    "safe_url",
    "session_factory",
    "transition",
]
