"""Reading the store through the database driver alone, for the commands people run all day: ``status``,
``queue`` and ``spend`` answer in the time the command line takes to start, rather than waiting a third of
a second for SQLAlchemy to load.

The reads are the same as ``reads``' (the read models and their rules come from ``views``; a test holds the
two equal on SQLite and PostgreSQL), written in SQL both databases speak, with the conversions SQLAlchemy
would make: times are UTC (SQLite keeps them as text without a zone), JSON columns are decoded.

:func:`connect` answers None when it cannot read the store this way: a store not yet at the newest schema
(the caller opens it the usual way, which migrates it), or an URL for another database. The connection is
only read, and closed by the ``with`` block.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from botwarden.errors import StoreError
from botwarden.store.views import (
    DUE_STATES,
    HEAD_REVISION,
    AccountSummary,
    BacklogView,
    EntryReport,
    FeedView,
    backlogs,
    entry_report,
    explaining,
)


@dataclass(frozen=True, slots=True)
class _Verdict:
    queue_id: int
    decision: str
    codes: list[str]
    reason: str | None
    findings: Any  # as stored: worked out only for a verdict stored before verdicts kept their reason

    def explained(self) -> str:
        if self.reason is not None:
            return self.reason
        from botwarden.store.queue import auto_codes, verdict_reason  # the rule catalogue, for old stores

        return verdict_reason(self.codes, list(_json(self.findings) or []), auto_codes())


class LeanStore:
    """Reads on one DB-API connection; ``mark`` is its driver's parameter marker."""

    def __init__(self, connection: Any, sqlite: bool, error: type[Exception] = Exception) -> None:
        self._connection = connection
        self._sqlite = sqlite
        self._mark = "?" if sqlite else "%s"
        self._error = error  # what the driver raises

    # -- the statements -------------------------------------------------------------------------------

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            with closing(self._connection.cursor()) as cursor:
                cursor.execute(sql.replace("?", self._mark), [self._param(p) for p in params])
                return list(cursor.fetchall())
        except self._error as exc:
            raise StoreError(f"cannot read the store: {exc}") from exc

    def _param(self, value: Any) -> Any:
        """A time as SQLAlchemy writes it: SQLite keeps UTC as text, without the zone."""
        if isinstance(value, datetime) and self._sqlite:
            return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        return value

    def _marks(self, values: Collection[Any]) -> str:
        return ", ".join("?" for _ in values)

    # -- accounts -------------------------------------------------------------------------------------

    def account_ids(self) -> list[str]:
        return [row[0] for row in self._rows("SELECT id FROM accounts ORDER BY id")]

    def account_summaries(self, now: datetime) -> list[AccountSummary]:
        accounts = self._rows(
            "SELECT id, network, operator, status, status_since, status_reason FROM accounts ORDER BY id"
        )
        counts: dict[str, dict[str, int]] = {}
        for account, state, count in self._rows(
            "SELECT account_id, state, COUNT(*) FROM queue GROUP BY account_id, state"
        ):
            counts.setdefault(account, {})[str(state)] = int(count)
        today = now.replace(hour=0, minute=0, second=0, microsecond=0)
        spent = dict(
            self._rows(
                "SELECT account_id, COALESCE(SUM(cost_usd), 0) FROM history WHERE at >= ? "
                "GROUP BY account_id",
                [today],
            )
        )
        logged_in = {row[0] for row in self._rows("SELECT account_id FROM credentials")}
        return [
            AccountSummary(
                id,
                network,
                operator,
                status,
                _time(since),
                reason or "",
                counts.get(id, {}),
                float(spent.get(id) or 0),
                id in logged_in,
            )
            for id, network, operator, status, since, reason in accounts
        ]

    def backlogs(self) -> list[BacklogView]:
        """As ``reads.backlogs``."""
        latest = self._rows(
            "SELECT q.account_id, v.at, v.codes, v.findings "
            "FROM verdicts v JOIN queue q ON q.id = v.queue_id "
            "WHERE v.id IN (SELECT MAX(v2.id) FROM verdicts v2 JOIN queue q2 ON q2.id = v2.queue_id "
            "GROUP BY q2.account_id)"
        )
        waiting = self._rows(
            f"SELECT DISTINCT account_id FROM queue WHERE state IN ({self._marks(DUE_STATES)})", DUE_STATES
        )
        return backlogs(
            (
                (account, _utc(at), _json(codes) or [], _json(findings) or [])
                for account, at, codes, findings in latest
            ),
            {row[0] for row in waiting},
        )

    # -- feeds ----------------------------------------------------------------------------------------

    def feed_views(self) -> list[FeedView]:
        rows = self._rows(
            "SELECT id, url, title, last_status, last_fetched_at, next_fetch_at, error_streak, last_error "
            "FROM feeds ORDER BY id"
        )
        return [
            FeedView(
                id, url, title or "", status or "", _time(fetched), _time(due), int(streak or 0), error or ""
            )
            for id, url, title, status, fetched, due, streak, error in rows
        ]

    # -- the queue ------------------------------------------------------------------------------------

    def count_entries(
        self, *, account: str | None = None, states: Collection[str] | None = None, delayed: bool = False
    ) -> int:
        where, params = _where(account, states, delayed)
        [(count,)] = self._rows(f"SELECT COUNT(*) FROM queue q{where}", params)
        return int(count)

    def entry_reports(
        self,
        *,
        account: str | None = None,
        states: Collection[str] | None = None,
        delayed: bool = False,
        newest_first: bool = False,
        limit: int | None = None,
    ) -> list[EntryReport]:
        """As ``reads.entry_reports``."""
        where, params = _where(account, states, delayed)
        order = "DESC" if newest_first else "ASC"
        page = f" LIMIT {int(limit)}" if limit else ""
        entries = self._rows(
            "SELECT q.id, q.account_id, i.title, q.state, q.was_delayed, q.not_before, q.text, q.route_id, "
            f"q.created_at, q.last_error FROM queue q JOIN items i ON i.id = q.item_id{where} "
            f"ORDER BY q.created_at {order}, q.id {order}{page}",
            params,
        )
        ids = [row[0] for row in entries]
        if not ids:
            return []
        posted = dict(
            self._rows(f"SELECT queue_id, at FROM history WHERE queue_id IN ({self._marks(ids)})", ids)
        )
        verdicts = [
            _Verdict(queue_id, decision, _json(codes) or [], reason, findings)
            for queue_id, decision, codes, reason, findings in self._rows(
                "SELECT queue_id, decision, codes, reason, CASE WHEN reason IS NULL THEN findings END "
                f"FROM verdicts WHERE queue_id IN ({self._marks(ids)}) ORDER BY id",
                ids,
            )
        ]
        chosen = explaining(verdicts, {row[0]: bool(row[4]) for row in entries})
        reports = []
        for id, account_id, title, state, was_delayed, not_before, text, route, created, error in entries:
            verdict = chosen.get(id)
            reports.append(
                entry_report(
                    id=id,
                    account=account_id,
                    title=title,
                    state=state,
                    was_delayed=bool(was_delayed),
                    codes=tuple(verdict.codes) if verdict else (),
                    reason=verdict.explained() if verdict else "",
                    last_error=error or "",
                    posted_at=_time(posted.get(id)),
                    not_before=_utc(not_before),
                    text=text or "",
                    route=route,
                    created_at=_time(created),
                )
            )
        return reports


@contextmanager
def connect(url: str) -> Iterator[LeanStore | None]:
    """The store at ``url`` for reading, or None where it cannot be read this way (see the module)."""
    connection, sqlite, error = _open(url)
    if connection is None:
        yield None
        return
    try:
        store = LeanStore(connection, sqlite, error)
        yield store if _at_head(store) else None
    finally:
        connection.close()


def _open(url: str) -> tuple[Any, bool, type[Exception]]:
    """A connection (None where the store is not read this way), whether it is SQLite, the driver's error."""
    if url.startswith("sqlite:///") and "?" not in url:
        import sqlite3

        path = Path(unquote(url.removeprefix("sqlite:///")))
        if not path.name or str(path) == ":memory:" or not path.is_file():
            return None, True, sqlite3.Error  # no store yet: the usual way creates and migrates it
        try:
            return sqlite3.connect(path, timeout=30), True, sqlite3.Error
        except sqlite3.Error:
            return None, True, sqlite3.Error
    if url.startswith(("postgresql://", "postgres://")) and "+" not in url.split("://", 1)[0]:
        import psycopg

        try:
            return psycopg.connect(url, autocommit=True), False, psycopg.Error
        except psycopg.Error:  # the usual way says what is wrong with it
            return None, False, psycopg.Error
    return None, False, Exception


def _at_head(store: LeanStore) -> bool:
    try:
        found = store._rows("SELECT version_num FROM alembic_version")
    except StoreError:  # no such table (a new store): read the usual way, which migrates it
        return False
    return bool(found) and found[0][0] == HEAD_REVISION


def _where(account: str | None, states: Collection[str] | None, delayed: bool) -> tuple[str, list[Any]]:
    clauses, params = [], []
    if account:
        clauses.append("q.account_id = ?")
        params.append(account)
    if states:
        clauses.append(f"q.state IN ({', '.join('?' for _ in states)})")
        params += list(states)
    if delayed:
        clauses.append("q.was_delayed = 1")
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def _utc(value: Any) -> datetime:
    """A stored time as UTC: SQLite gives the text SQLAlchemy wrote (no zone), PostgreSQL a datetime."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
    return value.astimezone(UTC)  # type: ignore[no-any-return]


def _time(value: Any) -> datetime | None:
    return None if value is None else _utc(value)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value
