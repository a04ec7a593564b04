"""Every answer of X's API v2 mapped into the outcome taxonomy.

X answers errors in two shapes: the older ``{"errors": [{"code": 326, "message": ...}]}`` (still used
for the account-state errors) and RFC 7807 problems ``{"title", "type", "detail", "status"}``. Both are
read; the numeric codes decide first because they are the precise ones.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from botwarden.networks.base import Outcome, OutcomeKind
from botwarden.networks.http import body_of, clip, retry_time, tightest_budget

# The header families X sends: per-endpoint 15-minute window, and the 24-hour user and app caps.
RATE_HEADERS = ("x-rate-limit", "x-user-limit-24hour", "x-app-limit-24hour")

# X's numbered errors that say what happened to the account or the post.
CODES: dict[int, OutcomeKind] = {
    326: OutcomeKind.LOCKED,  # "this account is temporarily locked"
    226: OutcomeKind.SPAM_FLAGGED,  # "this request looks like it might be automated"
    187: OutcomeKind.DUPLICATE,  # "status is a duplicate"
    64: OutcomeKind.SUSPENDED,  # "your account is suspended"
    63: OutcomeKind.SUSPENDED,  # "user has been suspended"
    261: OutcomeKind.WRITE_RESTRICTED,  # "application cannot perform write actions"
    89: OutcomeKind.AUTH_REVOKED,  # "invalid or expired token"
    32: OutcomeKind.AUTH_REVOKED,  # "could not authenticate you"
    88: OutcomeKind.RATE_LIMITED,  # "rate limit exceeded"
    185: OutcomeKind.RATE_LIMITED,  # "over daily status update limit"
    130: OutcomeKind.TRANSIENT,  # "over capacity"
    131: OutcomeKind.TRANSIENT,  # "internal error"
    186: OutcomeKind.REJECTED,  # "status is over 280 characters"
}

# Problem types and titles (matched case-insensitively, by their last part).
PROBLEMS: dict[str, OutcomeKind] = {
    "usage-capped": OutcomeKind.USAGE_CAPPED,
    "usagecapexceeded": OutcomeKind.USAGE_CAPPED,
    "creditsdepleted": OutcomeKind.USAGE_CAPPED,
    "client-not-enrolled": OutcomeKind.WRITE_RESTRICTED,
    "client-forbidden": OutcomeKind.WRITE_RESTRICTED,
    "invalid-request": OutcomeKind.REJECTED,
}

_DUPLICATE_DETAIL = "duplicate content"
# What X refuses about one post rather than about the account (a 403 that must not stop it): a reply
# to a post that did not summon the account, more cashtags than self-serve access allows (BW411, BW908).
_POST_REFUSALS = ("not been mentioned or otherwise engaged", "summoned", "cashtag")


def x_outcome(response: httpx.Response, now: datetime) -> Outcome:
    """The outcome of one answer of X (any endpoint); ``remote_id`` is ``data.id`` when there is one."""
    headers = response.headers
    budget = tightest_budget(headers, RATE_HEADERS)
    body = body_of(response)
    status = response.status_code
    if 200 <= status < 300:
        data = body.get("data")
        remote_id = str(data["id"]) if isinstance(data, dict) and "id" in data else None
        return Outcome(OutcomeKind.POSTED, remote_id, budget=budget)
    kind, message = _classify(status, body)
    if kind is None:
        kind = _by_status(status)
    retry_at = None
    if kind in (OutcomeKind.RATE_LIMITED, OutcomeKind.USAGE_CAPPED):
        fallback = timedelta(minutes=15) if kind is OutcomeKind.RATE_LIMITED else timedelta(hours=24)
        retry_at = retry_time(budget, now, fallback)
    return Outcome(
        kind,
        message=clip(f"HTTP {status}: {message}" if message else f"HTTP {status}"),
        retry_at=retry_at,
        budget=budget,
    )


def _classify(status: int, body: dict[str, Any]) -> tuple[OutcomeKind | None, str]:
    errors = body.get("errors")
    if isinstance(errors, list):
        for error in errors:
            if isinstance(error, dict) and isinstance(error.get("code"), int) and error["code"] in CODES:
                return CODES[error["code"]], f"X error {error['code']}: {error.get('message', '')}"
    detail = str(body.get("detail") or body.get("title") or "")
    for field in ("reason", "type", "title"):
        value = str(body.get(field) or "").rstrip("/").rsplit("/", 1)[-1].casefold()
        if value in PROBLEMS:
            return PROBLEMS[value], detail or value
    if _DUPLICATE_DETAIL in detail.casefold():
        return OutcomeKind.DUPLICATE, detail
    if any(refusal in detail.casefold() for refusal in _POST_REFUSALS):
        return OutcomeKind.REJECTED, detail
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        detail = detail or str(first.get("message") or first.get("detail") or "")
    return None, detail


def _by_status(status: int) -> OutcomeKind:
    if status == 429:
        return OutcomeKind.RATE_LIMITED
    if status == 402:
        return OutcomeKind.USAGE_CAPPED  # pay-per-use credits are spent
    if status == 401:
        return OutcomeKind.AUTH_REVOKED
    if status == 403:
        # An unexplained refusal to write is how X restricts an account or app: stop and let a person
        # look, rather than try the next post into the same wall.
        return OutcomeKind.WRITE_RESTRICTED
    if status >= 500 or status == 408:
        return OutcomeKind.TRANSIENT
    return OutcomeKind.REJECTED
