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
from botwarden.similarity.recent import RecentPosts
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
_BY_IDS = select(*_COLUMNS).where(_T.id.in_(bindparam("ids", expanding=True)))
_NEWER = (
    select(*_COLUMNS, _T.profile)
    .where(_T.id > bindparam("after"), _T.at >= bindparam("since"))
    .order_by(_T.id)
    .limit(bindparam("limit"))
)
_SINCE = select(*_COLUMNS, _T.profile).where(_T.at >= bindparam("since")).order_by(_T.id)
_LATEST = (
    select(_T.text)
    .where(_T.account_id == bindparam("account"), _T.at <= bindparam("until"))
    .order_by(_T.at.desc(), _T.id.desc())
    .limit(bindparam("limit"))
)


class StoreHistory:
    """History read from the store. Made for one check (one transaction): an account's window, once
    read, answers every narrower question about it, as the pacing and hashtag rules ask in turn.

    Given the fleet's :class:`RecentPosts` (kept current by the checking seam), near-duplicates and shared
    links are looked up there, and only the posts found are read from the store; without it, every post
    of the fleet in the window is read and scored (a one-off command's way)."""

    def __init__(self, source: Session | Connection, *, recent: RecentPosts | None = None) -> None:
        # Core execution (on a session's connection: its transaction): no ORM layer for plain rows.
        self._connection = source.connection() if isinstance(source, Session) else source
        self._windows: dict[str, tuple[datetime, datetime, list[PastPost]]] = {}
        self._recent = recent

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
        if self._recent is not None:
            found = self._recent.similar(text, accounts, since, threshold, author=author)
            posts = {int(p.id): p for p in self.posts_by_id([post_id for post_id, _ in found])}
            scored = [(round(score, 4), posts[i]) for i, score in found if i in posts]
            scored = [(score, post) for score, post in scored if post.at <= until]
            scored.sort(key=lambda pair: (-pair[0], pair[1].at))
            return scored
        mine = profile(text)
        if author is not None:
            latest = self._connection.execute(_LATEST, {"account": author, "until": until, "limit": RECENT})
            mine = with_usual(mine, *count_usual(profile(row.text) for row in latest))
        return scan_similar(self, mine, accounts, since, until, threshold)

    def posts_linking(self, link: str, since: datetime, until: datetime) -> list[PastPost]:
        if self._recent is not None:
            ids = [post_id for _, _, post_id in self._recent.linking(link, since, until)]
            return sorted(self.posts_by_id(ids), key=lambda p: (p.at, int(p.id)))
        params = {"since": since, "until": until, "needle": _host_path(link)}
        rows = self._connection.execute(_LINKING, params)
        return [p for p in map(_past, rows) if link in links_in(p.text, p.links)]

    def posts_by_id(self, ids: Sequence[int]) -> list[PastPost]:
        """The posts with these history ids (in no order)."""
        if not ids:
            return []
        return [_past(row) for row in self._connection.execute(_BY_IDS, {"ids": list(ids)})]

    def count_among(self, accounts: Sequence[str], start: datetime, end: datetime) -> int:
        if not accounts:
            return 0
        params = {"accounts": list(accounts), "start": start, "end": end}
        return int(self._connection.scalar(_COUNT_AMONG, params) or 0)

    def last_post_at(self, account: str) -> datetime | None:
        latest: datetime | None = self._connection.scalar(_LAST, {"account": account})
        return latest


def catch_up(
    source: Session | Connection, recent: RecentPosts, since: datetime, *, batch: int = 10_000
) -> int:
    """Hold in ``recent`` every post of the store with an id above the highest it holds, made at or
    after ``since``; returns how many were read (a batch at a time, in id order)."""
    connection = source.connection() if isinstance(source, Session) else source
    read = 0
    while True:
        rows = connection.execute(_NEWER, {"after": recent.newest_id, "since": since, "limit": batch}).all()
        _hold(recent, rows)
        read += len(rows)
        if len(rows) < batch:
            return read


def sweep(source: Session | Connection, recent: RecentPosts, since: datetime) -> int:
    """Hold in ``recent`` the posts made at or after ``since`` it does not hold yet; returns how many. Ids
    are handed out when a post is written, not when it is committed, so a post another worker commits
    a moment late can have an id below one already read: ``catch_up`` passes over it, this does not."""
    connection = source.connection() if isinstance(source, Session) else source
    rows = connection.execute(_SINCE, {"since": since}).all()
    missing = [row for row in rows if row.id not in recent]
    _hold(recent, missing)
    return len(missing)


def _hold(recent: RecentPosts, rows: Sequence[Any]) -> None:
    for row in rows:
        links = (row.link,) if row.link else ()
        recent.add(row.id, row.account_id, row.at, row.text, links, stored=row.profile)


def _host_path(link: str) -> str:
    """The part of a canonical link that appears verbatim in a post's text (no scheme, no query)."""
    return link.split("://", 1)[-1].split("?", 1)[0].split("#", 1)[0]


def _past(row: Any) -> PastPost:
    links = (row.link,) if row.link else ()
    return PastPost(str(row.id), row.account_id, row.at, row.text, row.text_hash, links)
