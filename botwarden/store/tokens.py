"""API and dashboard tokens: shown once when made, kept only as a SHA-256 hash, revocable.

A token is 32 random bytes, so a plain hash is enough to make a stolen table useless (no password
stretching is needed for a secret nobody chose)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from botwarden.errors import InputError
from botwarden.store.models import ApiTokenRow, DashboardSessionRow

PREFIX = "bw_"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: one operator, or an admin (``operator`` None) who may see every operator."""

    token_id: int
    operator: str | None
    name: str

    @property
    def admin(self) -> bool:
        return self.operator is None

    def may_see(self, operator: str) -> bool:
        return self.operator is None or self.operator == operator


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, operator: str | None, name: str, now: datetime) -> tuple[int, str]:
    """A new token for ``operator`` (None: admin); returns its id and the token, which is never stored."""
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiTokenRow(token_hash=hash_token(token), operator=operator, name=name, created_at=now)
    session.add(row)
    session.flush()
    return row.id, token


def verify_token(session: Session, token: str) -> Principal | None:
    if not token.startswith(PREFIX):
        return None
    row = session.scalar(select(ApiTokenRow).where(ApiTokenRow.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None:
        return None
    return Principal(row.id, row.operator, row.name)


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """A token as `tokens list` shows it: never its value, which is not kept."""

    id: int
    name: str
    operator: str | None
    created_at: datetime
    revoked_at: datetime | None


def revoke_token(session: Session, token_id: int, now: datetime) -> TokenInfo:
    row = session.get(ApiTokenRow, token_id)
    if row is None:
        raise InputError(f"no token with id {token_id}")
    row.revoked_at = row.revoked_at or now
    _end_sessions(session, DashboardSessionRow.token_id == token_id, now)
    return _info(row)


def list_tokens(session: Session) -> list[TokenInfo]:
    return [_info(row) for row in session.scalars(select(ApiTokenRow).order_by(ApiTokenRow.id))]


def open_session(session: Session, token_id: int, now: datetime) -> str:
    """A new dashboard session of the token ``token_id``: the secret its cookie carries (only its hash
    is kept)."""
    secret = secrets.token_urlsafe(32)
    session.add(DashboardSessionRow(secret_hash=hash_token(secret), token_id=token_id, created_at=now))
    session.flush()
    return secret


def session_principal(session: Session, secret: str, now: datetime, lasts: timedelta) -> Principal | None:
    """Who a dashboard session names: None once it ended (logged out), its token was revoked, or it is
    older than ``lasts``."""
    found = session.execute(
        select(DashboardSessionRow, ApiTokenRow)
        .join(ApiTokenRow, ApiTokenRow.id == DashboardSessionRow.token_id)
        .where(DashboardSessionRow.secret_hash == hash_token(secret))
    ).first()
    if found is None:
        return None
    login, token = found
    if login.ended_at is not None or token.revoked_at is not None or now - login.created_at >= lasts:
        return None
    return Principal(token.id, token.operator, token.name)


def end_session(session: Session, secret: str, now: datetime) -> None:
    """Log a dashboard session out: its cookie opens nothing from now on, wherever it was copied to."""
    _end_sessions(session, DashboardSessionRow.secret_hash == hash_token(secret), now)


def _end_sessions(session: Session, which: Any, now: datetime) -> None:
    session.execute(
        update(DashboardSessionRow)
        .where(which, DashboardSessionRow.ended_at.is_(None))
        .values(ended_at=now)
        .execution_options(synchronize_session=False)
    )


def _info(row: ApiTokenRow) -> TokenInfo:
    return TokenInfo(row.id, row.name, row.operator, row.created_at, row.revoked_at)
