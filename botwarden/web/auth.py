"""Who is asking: a Bearer token for the API, a session cookie for the dashboard; both name a Principal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from botwarden.store.models import AccountRow
from botwarden.store.tokens import Principal, verify_token
from botwarden.web.errors import ApiError

_bearer = HTTPBearer(auto_error=False, description="An API token from `botwarden tokens create`")


def db(request: Request) -> Iterator[Session]:
    sessions: sessionmaker[Session] = request.app.state.sessions
    with sessions() as session:
        yield session


Db = Annotated[Session, Depends(db)]


def principal(
    request: Request,
    session: Db,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise ApiError(
            401, "send an API token: Authorization: Bearer TOKEN (make one with `botwarden tokens create`)"
        )
    found = verify_token(session, credentials.credentials)
    if found is None:
        raise ApiError(401, "this token is unknown or revoked")
    return found


Caller = Annotated[Principal, Depends(principal)]


def owned_account(session: Session, caller: Principal, account_id: str) -> AccountRow:
    """The account, if the caller's operator owns it; another operator's account reads as not found."""
    account = session.get(AccountRow, account_id)
    if account is None or not caller.may_see(account.operator):
        raise ApiError(404, f"no account '{account_id}' here")
    return account
