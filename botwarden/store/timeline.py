"""The ``local`` network's timeline: where its posts land, as a remote server would keep them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from botwarden.store.models import LocalPostRow


@dataclass(frozen=True, slots=True)
class LocalPost:
    id: int
    account_id: str
    at: datetime
    text: str


def post(session: Session, account: str, at: datetime, text: str, key: str) -> tuple[int, bool]:
    """Put a post on the timeline, once per idempotency key: its id, and False when the key was there
    already (that post's id), as Mastodon answers a repeated ``Idempotency-Key``."""
    existing = _by_key(session, key)
    if existing is not None:
        return existing.id, False
    row = LocalPostRow(account_id=account, at=at, text=text, idempotency_key=key)
    session.add(row)
    session.flush()
    return row.id, True


def find(session: Session, account: str, key: str) -> int | None:
    """The id of the account's post with this idempotency key, if it is on the timeline."""
    row = _by_key(session, key)
    return row.id if row is not None and row.account_id == account else None


def latest(session: Session, *, account: str | None = None, limit: int = 50) -> list[LocalPost]:
    """The timeline, newest first."""
    query = select(LocalPostRow).order_by(LocalPostRow.at.desc(), LocalPostRow.id.desc()).limit(limit)
    if account:
        query = query.where(LocalPostRow.account_id == account)
    return [LocalPost(r.id, r.account_id, r.at, r.text) for r in session.scalars(query)]


def _by_key(session: Session, key: str) -> LocalPostRow | None:
    return session.scalars(select(LocalPostRow).where(LocalPostRow.idempotency_key == key)).first()
