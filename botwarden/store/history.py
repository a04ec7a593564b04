"""Posting history read from the store, in the shape the rule engine asks for."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from botwarden.compose.links import links_in
from botwarden.rules.context import PastPost, scan_similar
from botwarden.store.models import HistoryRow


class StoreHistory:
    """History read from the store. Made for one check (one transaction): an account's window, once
    read, answers every narrower question about it, as the pacing and hashtag rules ask in turn."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._windows: dict[str, tuple[datetime, datetime, list[PastPost]]] = {}

    def posts_between(self, account: str, start: datetime, end: datetime) -> list[PastPost]:
        known = self._windows.get(account)
        if known is not None and known[0] <= start and end <= known[1]:
            return [p for p in known[2] if start <= p.at <= end]
        rows = self._session.scalars(
            select(HistoryRow)
            .where(HistoryRow.account_id == account, HistoryRow.at >= start, HistoryRow.at <= end)
            .order_by(HistoryRow.at, HistoryRow.id)
        )
        posts = [_past(row) for row in rows]
        if known is None or end - start > known[1] - known[0]:
            self._windows[account] = (start, end, posts)
        return posts

    def same_text(self, account: str, text_hash: str, since: datetime) -> PastPost | None:
        row = self._session.scalars(
            select(HistoryRow)
            .where(
                HistoryRow.account_id == account, HistoryRow.text_hash == text_hash, HistoryRow.at >= since
            )
            .order_by(HistoryRow.at.desc())
            .limit(1)
        ).first()
        return _past(row) if row is not None else None

    def same_text_among(self, accounts: Sequence[str], text_hash: str, since: datetime) -> PastPost | None:
        if not accounts:
            return None
        row = self._session.scalars(
            select(HistoryRow)
            .where(
                HistoryRow.account_id.in_(list(accounts)),
                HistoryRow.text_hash == text_hash,
                HistoryRow.at >= since,
            )
            .order_by(HistoryRow.at.desc())
            .limit(1)
        ).first()
        return _past(row) if row is not None else None

    def similar(
        self, text: str, accounts: Sequence[str], since: datetime, until: datetime, threshold: float
    ) -> list[tuple[float, PastPost]]:
        # A worker's windows are one operator's last days: small enough to score exactly.
        return scan_similar(self, text, accounts, since, until, threshold)

    def posts_linking(self, link: str, since: datetime, until: datetime) -> list[PastPost]:
        rows = self._session.scalars(
            select(HistoryRow)
            .where(HistoryRow.at >= since, HistoryRow.at <= until, HistoryRow.text.contains(_host_path(link)))
            .order_by(HistoryRow.at, HistoryRow.id)
        )
        return [p for p in map(_past, rows) if link in links_in(p.text, p.links)]

    def last_post_at(self, account: str) -> datetime | None:
        return self._session.scalar(select(func.max(HistoryRow.at)).where(HistoryRow.account_id == account))


def _host_path(link: str) -> str:
    """The part of a canonical link that appears verbatim in a post's text (no scheme, no query)."""
    return link.split("://", 1)[-1].split("?", 1)[0].split("#", 1)[0]


def _past(row: HistoryRow) -> PastPost:
    links = (row.link,) if row.link else ()
    return PastPost(str(row.id), row.account_id, row.at, row.text, row.text_hash, links)
