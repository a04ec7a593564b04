"""Holding up under load: a body limit answered before the body is read, a request rate per token, and
as many requests at the database as the pool has connections for.

The first two are plain ASGI middleware in front of the application, so a refused request costs no
parsing, no thread and no database connection. Every refusal is in the one error shape, with
``Retry-After`` where waiting helps. The limits hold per server process (``serve --workers N`` allows N
times the rate).
"""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from botwarden.web.errors import busy, error_answer

#: Requests that are never limited by rate: a probe must always get through.
UNLIMITED = frozenset({"/api/v1/health"})
#: How long a refusal for too many requests is held before it is sent: a client that asks again at
#: once, whatever Retry-After says, then costs the server four refusals a second on each connection
#: rather than thousands (which, measured, kept the other operators' requests waiting).
REFUSAL_HOLD_SECONDS = 0.25


class BodyLimit:
    """Refuse a request body over ``limit`` bytes with 413: at once when its ``Content-Length`` says
    so, else (a chunked body) as soon as that many bytes have come, without reading the rest."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.limit <= 0:
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await error_answer(400, "Content-Length must be a number of bytes")(scope, receive, send)
            elif int(declared) > self.limit:
                await self._refuse(scope, receive, send)
            else:
                await self.app(scope, receive, send)
            return
        await self._counted(scope, receive, send)

    async def _counted(self, scope: Scope, receive: Receive, send: Send) -> None:
        received, started = 0, False

        async def counting() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _TooLarge
            return message

        async def watching(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting, watching)
        except _TooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"the request body is over the {self.limit:,}-byte limit (setting api_max_body_bytes)"
        await error_answer(413, message, headers={"Connection": "close"})(scope, receive, send)


class _TooLarge(BaseException):
    """Raised from ``receive`` once a body passes the limit. A BaseException, so that no handler on the
    way (FastAPI answers any error reading a body with 400) takes it for a malformed body."""


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float
    busy: int = 0  # requests of the token in flight now


class TokenRate:
    """For each API token, at most ``rate`` requests a second (bursts of up to ``burst``) and at most
    ``at_once`` in flight. A request over either is answered 429 with ``Retry-After``; the answer is held
    ``hold`` seconds first, so that a client that ignores Retry-After and asks again at once is slowed to
    a request a ``hold`` on each connection, rather than keeping the server busy refusing it. Keyed by the
    token as sent, before it is looked up: an unknown token is limited like any other. 0 turns a limit
    off."""

    #: Buckets kept; past this many tokens the idle ones are forgotten (a flood of made-up tokens).
    KEEP = 10_000

    def __init__(self, app: ASGIApp, rate: float, burst: int, at_once: int = 0, hold: float = 0.0) -> None:
        self.app, self.rate, self.burst, self.at_once, self.hold = app, rate, max(burst, 1), at_once, hold
        self._buckets: dict[str, _Bucket] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = _bearer(scope) if scope["type"] == "http" and scope["path"] not in UNLIMITED else ""
        if not token or (self.rate <= 0 and self.at_once <= 0):
            await self.app(scope, receive, send)
            return
        bucket = self._bucket(token, time.monotonic())
        refusal = self._refusal(bucket)
        if refusal:
            await self._refuse(refusal, scope, receive, send)
            return
        bucket.busy += 1
        try:
            await self.app(scope, receive, send)
        finally:
            bucket.busy -= 1

    def _refusal(self, bucket: _Bucket) -> str:
        """Why the request may not go ahead now ('' if it may, and then it is taken from the bucket)."""
        if self.at_once > 0 and bucket.busy >= self.at_once:
            return f"more than {self.at_once} requests at once with this token"
        if self.rate <= 0:
            return ""
        now = time.monotonic()
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        if bucket.tokens < 1.0:
            return f"more than {self.rate:g} requests a second with this token"
        bucket.tokens -= 1.0
        return ""

    async def _refuse(self, why: str, scope: Scope, receive: Receive, send: Send) -> None:
        seconds = max(1, math.ceil(self.hold))
        answer = error_answer(
            429, f"too many requests: {why}; try again in {seconds} s", headers={"Retry-After": str(seconds)}
        )
        if self.hold > 0:
            await anyio.sleep(self.hold)
        await answer(scope, receive, send)

    def _bucket(self, token: str, now: float) -> _Bucket:
        bucket = self._buckets.get(token)
        if bucket is None:
            if len(self._buckets) >= self.KEEP:
                self._forget_idle(now)
            bucket = self._buckets[token] = _Bucket(float(self.burst), now)
        return bucket

    def _forget_idle(self, now: float) -> None:
        """Forget buckets that have filled up again (idle long enough to be new), else all of them."""
        full = [
            t
            for t, b in self._buckets.items()
            if not b.busy and b.tokens + (now - b.at) * self.rate >= self.burst
        ]
        for token in full:
            del self._buckets[token]
        if len(self._buckets) >= self.KEEP:
            self._buckets.clear()


class DatabaseSlots:
    """One slot for each connection the pool keeps for requests: a request takes one before its
    session opens and gives it back once its session has closed, so the pool is never asked for more
    than it has. A request that finds none free within ``wait`` seconds is answered 503 with
    Retry-After; waiting for a slot costs no thread and no connection."""

    def __init__(self, count: int, wait: float) -> None:
        self.count, self.wait = count, wait
        self._free = anyio.Semaphore(count)

    @asynccontextmanager
    async def take(self) -> AsyncIterator[None]:
        try:
            with anyio.fail_after(self.wait):
                await self._free.acquire()
        except TimeoutError:
            raise busy() from None
        try:
            yield
        finally:
            self._free.release()


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1").strip())
    return None


def _bearer(scope: Scope) -> str:
    value = _header(scope, b"authorization") or ""
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""
