"""Posting history read from the store, in the shape the rule engine asks for."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.orm import Session

from botwarden.compose.links import links_in
from botwarden.rules.context import PastPost, posts_after, scan_similar
from botwarden.similarity.profile import profile
from botwarden.similarity.usual import RECENT, count_usual, with_usual
from botwarden.store.models import HistoryRow

# Every check asks these few questions, so the statements are built once, with bound parameters, and
# read plain columns rather than ORM objects: building and loading were most of a check's cost.
_T = HistoryRow.__table__.c
_COLUMNS = (_T.id, _T.account_id, _T.at, _T.text, _T.text_hash, _T.link)
_WINDOW = (
    select(*_COLUMNS)
    .where(_T.account_id == bindparam("account"), _T.at >= bindparam("start"), _T.at <= bindparam("end"))
    .order_by(_T.at, _T.id)
)
_SAME_TEXT = (
    select(*_COLUMNS)
    .where(
        _T.account_id == bindparam("account"), _T.text_hash == bindparam("hash"), _T.at >= bindparam("since")
    )
    .order_by(_T.at.desc())
    .limit(1)
)
_SAME_TEXT_AMONG = (
    select(*_COLUMNS)
    .where(
        _T.account_id.in_(bindparam("accounts", expanding=True)),
        _T.text_hash == bindparam("hash"),
        _T.at >= bindparam("since"),
    )
    .order_by(_T.at.desc())
    .limit(1)
)
_LINKING = (
    select(*_COLUMNS)
    .where(_T.at >= bindparam("since"), _T.at <= bindparam("until"), _T.text.contains(bindparam("needle")))
    .order_by(_T.at, _T.id)
)
_COUNT_AMONG = select(func.count()).where(
    _T.account_id.in_(bindparam("accounts", expanding=True)),
    _T.at > bindparam("start"),
    _T.at <= bindparam("end"),
)
_LAST = select(func.max(_T.at)).where(_T.account_id == bindparam("account"))
_LATEST = (
    select(_T.text)
    .where(_T.account_id == bindparam("account"), _T.at <= bindparam("until"))
    .order_by(_T.at.desc(), _T.id.desc())
    .limit(bindparam("limit"))
)


class StoreHistory:
    """History read from the store. Made for one check (one transaction): an account's window, once
    read, answers every narrower question about it, as the pacing and hashtag rules ask in turn."""

    def __init__(self, source: Session | Connection) -> None:
        # Core execution (on a session's connection: its transaction): no ORM layer for plain rows.
        self._connection = source.connection() if isinstance(source, Session) else source
        self._windows: dict[str, tuple[datetime, datetime, list[PastPost]]] = {}

    def posts_between(self, account: str, start: datetime, end: datetime) -> list[PastPost]:
        known = self._windows.get(account)
        if known is not None and known[0] <= start and end <= known[1]:
            return [p for p in known[2] if start <= p.at <= end]
        rows = self._connection.execute(_WINDOW, {"account": account, "start": start, "end": end})
        posts = [_past(row) for row in rows]
        if known is None or end - start > known[1] - known[0]:
            self._windows[account] = (start, end, posts)
        return posts

    def posts_after(self, account: str, start: datetime, end: datetime) -> list[PastPost]:
        return posts_after(self, account, start, end)

    def same_text(self, account: str, text_hash: str, since: datetime) -> PastPost | None:
        if not text_hash:
            return None
        row = self._connection.execute(
            _SAME_TEXT, {"account": account, "hash": text_hash, "since": since}
        ).first()
        return _past(row) if row is not None else None

    def same_text_among(self, accounts: Sequence[str], text_hash: str, since: datetime) -> PastPost | None:
        if not accounts or not text_hash:
            return None
        params = {"accounts": list(accounts), "hash": text_hash, "since": since}
        row = self._connection.execute(_SAME_TEXT_AMONG, params).first()
        return _past(row) if row is not None else None

    def similar(
        self,
        text: str,
        accounts: Sequence[str],
        since: datetime,
        until: datetime,
        threshold: float,
        *,
        author: str | None = None,
    ) -> list[tuple[float, PastPost]]:
        mine = profile(text)
        if author is not None:
            latest = self._connection.execute(_LATEST, {"account": author, "until": until, "limit": RECENT})
            mine = with_usual(mine, *count_usual(profile(row.text) for row in latest))
        return scan_similar(self, mine, accounts, since, until, threshold)

    def posts_linking(self, link: str, since: datetime, until: datetime) -> list[PastPost]:
        params = {"since": since, "until": until, "needle": _host_path(link)}
        rows = self._connection.execute(_LINKING, params)
        return [p for p in map(_past, rows) if link in links_in(p.text, p.links)]

    def count_among(self, accounts: Sequence[str], start: datetime, end: datetime) -> int:
        if not accounts:
            return 0
        params = {"accounts": list(accounts), "start": start, "end": end}
        return int(self._connection.scalar(_COUNT_AMONG, params) or 0)

    def last_post_at(self, account: str) -> datetime | None:
        latest: datetime | None = self._connection.scalar(_LAST, {"account": account})
        return latest


def _host_path(link: str) -> str:
    """The part of a canonical link that appears verbatim in a post's text (no scheme, no query)."""
    return link.split("://", 1)[-1].split("?", 1)[0].split("#", 1)[0]


def _past(row: Any) -> PastPost:
    links = (row.link,) if row.link else ()
    return PastPost(str(row.id), row.account_id, row.at, row.text, row.text_hash, links)
