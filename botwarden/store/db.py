"""Opening the database: SQLite in WAL mode by default, any SQLAlchemy URL (PostgreSQL) unchanged.

This module is also the store's face for the handles that cross into the rest of the code. Outside
``store/`` nothing imports SQLAlchemy (``lint-imports`` holds it): a :data:`Transaction` is opened from
:data:`Sessions`, committed or rolled back, and handed to the store's functions, never queried directly;
what a database failure means is asked of :func:`unreachable` and :func:`rolled_back`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any, TypeAlias, TypeVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    String,
    any_,
    bindparam,
    create_engine,
    event,
    inspect,
    make_url,
    text,
)
from sqlalchemy.exc import (
    DBAPIError,
    IntegrityError,
    OperationalError,
    PendingRollbackError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from botwarden.errors import StoreError
from botwarden.store.views import HEAD_REVISION as HEAD_REVISION

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_LOCK_WAIT_SECONDS = 30

#: One open unit of work on the store: opened from :data:`Sessions`, handed to the store's functions.
Transaction: TypeAlias = Session
#: Opens transactions: ``with sessions() as tx`` to read, ``with sessions.begin() as tx`` to write.
Sessions: TypeAlias = sessionmaker[Session]
#: What the store reads through: a transaction, or the check endpoint's standing connection.
Reader: TypeAlias = Session | Connection
#: A failure the database reported (connection lost, transaction rolled back, ...).
DatabaseError = DBAPIError
#: Every connection of the pool was taken for longer than the pool waits (see ``make_engine``).
PoolExhausted = PoolTimeout

# PostgreSQL's codes for a transaction it rolled back to resolve a conflict: deadlock, serialization.
_ROLLED_BACK = frozenset({"40P01", "40001"})

T = TypeVar("T")


def unreachable(exc: DatabaseError) -> bool:
    """The database could not be reached or dropped the connection (a restart, a network outage)."""
    return bool(exc.connection_invalidated) or isinstance(exc, OperationalError)


def database_failure(exc: BaseException) -> bool:
    """Whether ``exc`` came from the database or its connection pool (rather than from the data read):
    such an error undoes the transaction; the caller lets it pass and the pass is tried again."""
    return isinstance(exc, DBAPIError | PoolTimeout | PendingRollbackError)


def rolled_back(exc: DatabaseError) -> bool:
    """PostgreSQL undid the transaction to settle a conflict with another one: nothing is wrong with it."""
    return getattr(exc.orig, "sqlstate", None) in _ROLLED_BACK


def shared(session: Session) -> bool:
    """Whether several processes may share this store's queue (PostgreSQL), rather than one (SQLite)."""
    return session.get_bind().dialect.name == "postgresql"


def one_of(session: Session, column: Any, values: Collection[str]) -> ColumnElement[bool]:
    """``column IN values``; on PostgreSQL as one array parameter, since a configuration of thousands of
    routes would otherwise put thousands of parameters into each pass's queries (rendered, sent and
    planned every time)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY  # only where it is used: SQLite never loads it

        return column == any_(bindparam(None, list(values), type_=ARRAY(String)))  # type: ignore[no-any-return]
    return column.in_(list(values))  # type: ignore[no-any-return]


def make_engine(url: str, *, connections: int | None = None, wait: float = 30.0) -> Engine:
    """An engine on ``url``. Given ``connections`` (a server process: one for each thread it answers
    requests in, and a few more), the pool holds exactly that many, and asking for one when all are
    taken waits ``wait`` seconds at most, then raises :data:`PoolExhausted`; else SQLAlchemy's own
    pool (5, and 10 more while busy)."""
    pool: dict[str, Any] = {}
    if connections is not None and make_url(url).database not in (None, "", ":memory:"):
        pool = {"pool_size": connections, "max_overflow": 0, "pool_timeout": wait}
    try:
        if url.startswith("sqlite"):
            _ensure_sqlite_dir(url)
            # How long a writer waits for another one's lock before the pass gives up and backs off;
            # ``?timeout=SECONDS`` in the URL overrides it.
            waits = {} if "timeout" in make_url(url).query else {"timeout": SQLITE_LOCK_WAIT_SECONDS}
            engine = create_engine(url, connect_args=waits, **pool)
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        return create_engine(driver_url(url), pool_pre_ping=True, **pool)
    except (SQLAlchemyError, ImportError) as exc:
        raise StoreError(f"cannot use database {safe_url(url)}: {exc}") from exc


def driver_url(url: str) -> str:
    """A plain ``postgresql://`` (or ``postgres://``) URL gets the psycopg 3 driver botwarden ships with;
    SQLAlchemy would otherwise look for psycopg2."""
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url.removeprefix(plain)
    return url


def _ensure_sqlite_dir(url: str) -> None:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:" and not path.startswith("file:"):
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable across process crashes in WAL mode
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` with Alembic. A store already at the newest revision is left
    as it is without loading Alembic, which every worker and command would otherwise pay for at start."""
    if revision == "head" and current_revision(engine) == HEAD_REVISION:
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.begin() as connection:
            serialize(connection)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except SQLAlchemyError as exc:
        raise StoreError(f"could not migrate the database {safe_url(str(engine.url))}: {exc}") from exc


def current_revision(engine: Engine) -> str | None:
    """The schema revision the store is at, or None for a new store."""
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError as exc:
        raise StoreError(f"could not migrate the database {safe_url(str(engine.url))}: {exc}") from exc


#: The advisory lock that serialises schema and configuration changes among workers sharing one store.
_SETUP_LOCK = 0x626F7477  # "botw"


def serialize(connection: Connection | Session) -> None:
    """Hold the store's setup lock until this transaction ends, so workers starting together migrate and
    sync their configuration one after another (PostgreSQL; SQLite already has one writer at a time)."""
    dialect = connection.dialect if isinstance(connection, Connection) else connection.get_bind().dialect
    if dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SETUP_LOCK})


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def open_store(url: str, *, connections: int | None = None, wait: float = 30.0) -> Sessions:
    """A session factory on a migrated store (the pool as ``make_engine`` makes it)."""
    engine = make_engine(url, connections=connections, wait=wait)
    migrate(engine)
    return session_factory(engine)


def engine_of(sessions: Sessions) -> Engine:
    engine: Engine = sessions.kw["bind"]
    return engine


def answers(session: Session) -> bool:
    """Whether the database answers a trivial query."""
    try:
        session.execute(text("SELECT 1"))
    except Exception:  # down, or the connection is gone: the caller says so rather than fails
        return False
    return True


def created(session: Session) -> bool:
    """Commit what the transaction created; False (and rolled back) when a row with the same key was
    created meanwhile by someone else."""
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


class StandingConnection:
    """One connection kept open between calls, in autocommit (each statement sees what is committed).

    For the check endpoint, whose reads are so small that opening a session and taking a pooled connection
    per check cost as much as the reads. A connection the database dropped (a restart) is opened again and
    the call tried once more."""

    def __init__(self, sessions: Sessions) -> None:
        self._engine = engine_of(sessions)
        self._connection: Connection | None = None

    def run(self, work: Callable[[Connection], T]) -> T:
        try:
            return work(self._open())
        except DBAPIError as exc:
            self.close()
            if not exc.connection_invalidated:
                raise
        return work(self._open())

    def _open(self) -> Connection:
        if self._connection is None:
            self._connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def safe_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}"
    return url
