"""Every answer of a Bluesky PDS (XRPC errors ``{"error": Name, "message": ...}``) mapped into the
outcome taxonomy."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from botwarden.networks.base import Outcome, OutcomeKind
from botwarden.networks.http import clip, retry_time, tightest_budget

RATE_HEADERS = ("ratelimit",)

ERRORS: dict[str, OutcomeKind] = {
    "AccountTakedown": OutcomeKind.SUSPENDED,
    "AccountDeactivated": OutcomeKind.SUSPENDED,
    "AccountSuspended": OutcomeKind.SUSPENDED,
    "AuthenticationRequired": OutcomeKind.AUTH_REVOKED,
    "InvalidToken": OutcomeKind.AUTH_REVOKED,
    "ExpiredToken": OutcomeKind.AUTH_REVOKED,
    "AuthMissing": OutcomeKind.AUTH_REVOKED,
    "RateLimitExceeded": OutcomeKind.RATE_LIMITED,
    "InvalidRequest": OutcomeKind.REJECTED,
    "InvalidSwap": OutcomeKind.TRANSIENT,
    "RecordAlreadyExists": OutcomeKind.DUPLICATE,
}


def bluesky_outcome(
    status: int, error: str, message: str, headers: Mapping[str, Any], now: datetime
) -> Outcome:
    budget = tightest_budget({k.lower(): str(v) for k, v in headers.items()}, RATE_HEADERS)
    text = clip(f"HTTP {status}: {error}: {message}" if error else f"HTTP {status}: {message}".rstrip(": "))
    kind = ERRORS.get(error) or _by_status(status)
    retry_at = retry_time(budget, now, timedelta(minutes=5)) if kind is OutcomeKind.RATE_LIMITED else None
    return Outcome(kind, message=text, retry_at=retry_at, budget=budget)


def _by_status(status: int) -> OutcomeKind:
    if status == 429:
        return OutcomeKind.RATE_LIMITED
    if status == 401:
        return OutcomeKind.AUTH_REVOKED
    if status == 403:
        return OutcomeKind.WRITE_RESTRICTED
    if status >= 500 or status in (408, 0):
        return OutcomeKind.TRANSIENT
    return OutcomeKind.REJECTED
