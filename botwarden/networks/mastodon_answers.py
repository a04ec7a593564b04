"""Every answer of the Mastodon API mapped into the outcome taxonomy.

Mastodon errors are ``{"error": "..."}`` with the HTTP status carrying the meaning; rate limits come as
``X-RateLimit-Remaining`` and an ISO 8601 ``X-RateLimit-Reset`` on every answer.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx

from botwarden.networks.base import Outcome, OutcomeKind
from botwarden.networks.http import body_of, clip, retry_time, tightest_budget

RATE_HEADERS = ("x-ratelimit",)

# Words in a 403's error that say the account itself is barred (Mastodon's wording for suspended,
# disabled or unconfirmed logins); any other 403 is a refusal to let this account write.
_SUSPENDED_WORDS = ("suspended", "disabled")


def mastodon_outcome(response: httpx.Response, now: datetime) -> Outcome:
    budget = tightest_budget(response.headers, RATE_HEADERS)
    status = response.status_code
    body = body_of(response)
    if 200 <= status < 300:
        remote_id = str(body["id"]) if "id" in body else None
        return Outcome(OutcomeKind.POSTED, remote_id, budget=budget)
    error = str(body.get("error") or body.get("error_description") or "")
    message = clip(f"HTTP {status}: {error}" if error else f"HTTP {status}")
    if status == 429:
        return Outcome(
            OutcomeKind.RATE_LIMITED,
            message=message,
            budget=budget,
            retry_at=retry_time(budget, now, timedelta(minutes=5)),
        )
    return Outcome(_by_status(status, error), message=message, budget=budget)


def _by_status(status: int, error: str) -> OutcomeKind:
    if status == 401:
        return OutcomeKind.AUTH_REVOKED
    if status == 403:
        lowered = error.casefold()
        if any(word in lowered for word in _SUSPENDED_WORDS):
            return OutcomeKind.SUSPENDED
        return OutcomeKind.WRITE_RESTRICTED
    if status == 410:
        return OutcomeKind.SUSPENDED  # the account is gone from the server
    if status >= 500 or status == 408:
        return OutcomeKind.TRANSIENT
    return OutcomeKind.REJECTED  # 400, 404, 422: this post cannot be made as it is
