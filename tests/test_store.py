"""The store: migrations equal the models, times stay zone-aware, the queue refuses illegal moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import event, inspect, text

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


def test_the_newest_revision_is_alembics_head_and_a_store_at_it_is_left_alone(tmp_path: Path) -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from botwarden.store.db import HEAD_REVISION, MIGRATIONS, current_revision

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD_REVISION
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    assert current_revision(engine) is None
    migrate(engine, "0003")
    assert current_revision(engine) == "0003"
    migrate(engine)  # an older store is brought up to the newest revision
    assert current_revision(engine) == HEAD_REVISION
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    migrate(engine)
    assert statements[-1] == "SELECT version_num FROM alembic_version"  # read, nothing changed
    assert not [s for s in statements if not s.startswith(("SELECT", "PRAGMA"))], statements


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


def test_history_answers_narrower_windows_from_a_wider_one_it_read(database_url: str) -> None:
    from botwarden.store import StoreHistory
    from botwarden.store.models import HistoryRow

    engine = make_engine(database_url)
    migrate(engine)
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    with session_factory(engine).begin() as session:
        session.add(AccountRow(id="a", network="local", operator="o", status="ok", status_reason=""))
        session.flush()
        for hour in range(0, 24 * 10, 5):
            at = t0 + timedelta(hours=hour)
            session.add(HistoryRow(account_id="a", at=at, text=f"post {hour}", text_hash=str(hour), link=""))
    end = t0 + timedelta(days=10)
    with session_factory(engine)() as session:
        history = StoreHistory(session)
        wide = history.posts_between("a", end - timedelta(days=30), end)
        statements: list[str] = []
        event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        narrow = history.posts_between("a", end - timedelta(days=1), end)
        asked = len(statements)
        fresh = StoreHistory(session).posts_between("a", end - timedelta(days=1), end)
    assert len(wide) == 48 and asked == 0  # the narrower window came from the wider one
    assert [p.id for p in narrow] == [p.id for p in fresh] and len(narrow) == 4
