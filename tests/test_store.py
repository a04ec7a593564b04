"""The store: migrations equal the models, times stay zone-aware, the queue refuses illegal moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from botwarden.store import InvalidTransition, State, make_engine, migrate, session_factory, transition
from botwarden.store.db import safe_url
from botwarden.store.models import AccountRow, Base, QueueRow
from botwarden.store.queue import ALLOWED


def test_migrations_create_exactly_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []
    assert set(inspect(engine).get_table_names()) >= set(Base.metadata.tables)


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_times_come_back_zone_aware_in_utc(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    sessions = session_factory(engine)
    berlin = timezone(timedelta(hours=1))
    with sessions.begin() as session:
        session.add(
            AccountRow(
                id="a",
                network="local",
                operator="o",
                status="locked",
                status_since=datetime(2026, 1, 1, 13, 0, tzinfo=berlin),
                status_reason="",
            )
        )
    with sessions() as session:
        since = session.get_one(AccountRow, "a").status_since
    assert since == datetime(2026, 1, 1, 12, 0, tzinfo=UTC) and since.tzinfo is not None


def test_naive_times_are_refused(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    with pytest.raises(Exception, match="naive datetime"), session_factory(engine).begin() as session:
        session.add(
            AccountRow(
                id="a",
                network="local",
                operator="o",
                status="ok",
                status_since=datetime(2026, 1, 1),
                status_reason="",
            )
        )


@pytest.mark.parametrize("start", list(State))
def test_queue_transitions_follow_the_state_machine(start: State) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    for target in State:
        row = QueueRow(id=1, state=start.value)
        if target in ALLOWED[start]:
            transition(row, target, now)
            assert row.state == target.value
        else:
            with pytest.raises(InvalidTransition):
                transition(row, target, now)


def test_sent_is_final() -> None:
    assert ALLOWED[State.SENT] == frozenset()


def test_passwords_never_appear_in_database_messages() -> None:
    assert (
        safe_url("postgresql://bot:hunter2@db.example:5432/bw") == "postgresql://bot:***@db.example:5432/bw"
    )
