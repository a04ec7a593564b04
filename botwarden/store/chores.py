"""Recurring chores shared by every worker: each is taken by one worker when it is due (a row lock that
others skip), and keeps what it last found for the commands and the next run."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from botwarden.store.db import one_of
from botwarden.store.models import ChoreRow


def take(session: Session, name: str, now: datetime, next_at: datetime) -> dict[str, Any] | None:
    """Take the chore ``name`` for this worker when it is due (a chore never run is due): what it last
    found, or None when it is not due or another worker has it. It is due again at ``next_at``."""
    _create(session, name, now)
    row = session.get(ChoreRow, name, with_for_update={"skip_locked": True}, populate_existing=True)
    if row is None or row.next_at > now:
        return None
    row.next_at = next_at
    return dict(row.data or {})


def due(session: Session, names: Collection[str], now: datetime) -> list[str]:
    """Those of ``names`` that are due at ``now`` (a chore never run is due), in the order given: one
    read, so that a pass with nothing due costs no write."""
    planned = dict(
        session.execute(
            select(ChoreRow.name, ChoreRow.next_at).where(one_of(session, ChoreRow.name, names))
        ).all()
    )
    return [name for name in names if name not in planned or planned[name] <= now]


def _create(session: Session, name: str, now: datetime) -> None:
    """The chore's row, due now, unless it exists (two workers may both create it: one row wins)."""
    values = {"name": name, "next_at": now, "data": {}}
    if session.get_bind().dialect.name == "postgresql":
        session.execute(pg_insert(ChoreRow).values(values).on_conflict_do_nothing())
    elif session.get(ChoreRow, name) is None:  # SQLite: one writer at a time, so looking first is safe
        session.execute(sqlite_insert(ChoreRow).values(values).on_conflict_do_nothing())


def finish(session: Session, name: str, data: dict[str, Any], *, next_at: datetime | None = None) -> None:
    """Keep what the chore found (and, when it must come back sooner, when it is due again)."""
    row = session.get_one(ChoreRow, name)
    row.data = data
    if next_at is not None:
        row.next_at = next_at


def found(session: Session, name: str) -> dict[str, Any]:
    """What the chore last found ({} when it never ran)."""
    row = session.get(ChoreRow, name)
    return dict(row.data or {}) if row is not None else {}
