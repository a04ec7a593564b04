"""Posts that outside software made and reported through the API (``POST /api/v1/posted``, or a check asked
to record what it allowed), kept in the history beside botwarden's own, so that the history and the
cross-account rules judge the caller's next posts by them too.

A report is idempotent by the caller's own id for the post, per account: reporting it again finds the
first record, and never adds a second post to the history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from botwarden.rules import PastPost
from botwarden.similarity import text_hash
from botwarden.store.models import HistoryRow


@dataclass(frozen=True, slots=True)
class ReportedPost:
    account: str
    external_id: str
    at: datetime
    text: str
    link: str
    verdict: dict[str, Any] | None  # what the check said, when it recorded the post as taken
    history_id: int

    def past(self) -> PastPost:
        """The post as the rules see it."""
        links = (self.link,) if self.link else ()
        return PastPost(str(self.history_id), self.account, self.at, self.text, text_hash(self.text), links)


def find(session: Session, account: str, external_id: str) -> ReportedPost | None:
    row = session.scalar(
        select(HistoryRow).where(HistoryRow.account_id == account, HistoryRow.external_id == external_id)
    )
    return None if row is None else _reported(row)


def record(
    session: Session,
    account: str,
    external_id: str,
    at: datetime,
    text: str,
    links: Sequence[str] = (),
    verdict: dict[str, Any] | None = None,
) -> tuple[ReportedPost, bool]:
    """Record the post, or find the one already recorded under this id: (it, whether it is new)."""
    known = find(session, account, external_id)
    if known is not None:
        return known, False
    link = next(iter(links), "") or _first_link(text)
    row = HistoryRow(
        account_id=account,
        at=at,
        text=text,
        text_hash=text_hash(text),
        link=link,
        external_id=external_id,
        check_verdict=verdict,
        cost_usd=0.0,
    )
    try:
        with session.begin_nested():  # another request may record the same id at the same moment
            session.add(row)
            session.flush()
    except IntegrityError:
        found = find(session, account, external_id)
        if found is None:
            raise
        return found, False
    return _reported(row), True


def _first_link(text: str) -> str:
    return next((word for word in text.split() if word.startswith(("http://", "https://"))), "")


def _reported(row: HistoryRow) -> ReportedPost:
    return ReportedPost(
        row.account_id, row.external_id or "", row.at, row.text, row.link, row.check_verdict, row.id
    )
