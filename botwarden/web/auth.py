"""Who is asking: a Bearer token for the API, a session cookie for the dashboard; both name a Principal."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from botwarden.store import Sessions, Transaction
from botwarden.store.accounts import StoredAccount, get_account
from botwarden.store.tokens import Principal, verify_token
from botwarden.web.errors import ApiError
from botwarden.web.load import DatabaseSlots

_bearer = HTTPBearer(auto_error=False, description="An API token from `botwarden tokens create`")


async def _database_slot(request: Request) -> AsyncIterator[None]:
    slots: DatabaseSlots = request.app.state.database_slots
    async with slots.take():
        yield


def db(request: Request, _slot: Annotated[None, Depends(_database_slot)]) -> Iterator[Transaction]:
    # In the request's thread, opened and closed there: a session's connection is taken from the pool
    # by the thread that uses it and given back by it too. Given back on the event loop instead, as it
    # once was, a loop blocked waiting for a connection (a token lookup) could not give any back: under
    # 32 connections the server stalled for the pool's whole wait and answered 500. The slot, taken
    # before and given back after, keeps the sessions open at once within the pool's connections.
    sessions: Sessions = request.app.state.sessions
    with sessions() as session:
        yield session


Db = Annotated[Transaction, Depends(db)]


async def principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise ApiError(
            401, "send an API token: Authorization: Bearer TOKEN (make one with `botwarden tokens create`)"
        )
    cache: TokenCache = request.app.state.token_cache
    fresh, found = cache.known(credentials.credentials)
    if not fresh:  # looked up in a thread: the event loop never waits for a database connection
        found = await run_in_threadpool(cache.get, request.app.state.sessions, credentials.credentials)
    if found is None:
        raise ApiError(401, "this token is unknown or revoked")
    return found


Caller = Annotated[Principal, Depends(principal)]


def owned_account(session: Transaction, caller: Principal, account_id: str) -> StoredAccount:
    """The account, if the caller's operator owns it; another operator's account reads as not found."""
    account = get_account(session, account_id)
    if account is None or not caller.may_see(account.operator):
        raise ApiError(404, f"no account '{account_id}' here")
    return account


class TokenCache:
    """Verified tokens for a few seconds, so a busy caller costs no lookup per request; a revoked token
    is refused within ``ttl`` seconds."""

    def __init__(self, ttl: float = 5.0, size: int = 1024) -> None:
        self.ttl, self.size = ttl, size
        self._known: dict[str, tuple[float, Principal | None]] = {}

    def known(self, token: str) -> tuple[bool, Principal | None]:
        """Whether a fresh answer for ``token`` is cached, and that answer (None: refused)."""
        cached = self._known.get(token)
        if cached is not None and time.monotonic() - cached[0] < self.ttl:
            return True, cached[1]
        return False, None

    def get(self, sessions: Sessions, token: str) -> Principal | None:
        now = time.monotonic()
        cached = self._known.get(token)
        if cached is not None and now - cached[0] < self.ttl:
            return cached[1]
        with sessions() as session:  # only on a miss: a cached token costs no session
            found = verify_token(session, token)
        if len(self._known) >= self.size:
            self._known.clear()
        self._known[token] = (now, found)
        return found
