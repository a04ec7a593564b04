"""Every answer of X's API v2 mapped into the outcome taxonomy.

X answers errors in two shapes: the older ``{"errors": [{"code": 326, "message": ...}]}`` (still used
for the account-state errors) and RFC 7807 problems ``{"title", "type", "detail", "status"}``. Both are
read; the numeric codes decide first because they are the precise ones.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from botwarden.networks.base import Outcome, OutcomeKind
from botwarden.networks.http import body_of, clip, network_time, retry_time, tightest_budget
from botwarden.rules.facts import Budget

# The header families X sends: per-endpoint 15-minute window, and the 24-hour user and app caps.
RATE_HEADERS = ("x-rate-limit", "x-user-limit-24hour", "x-app-limit-24hour")
DAILY_HEADERS = ("x-user-limit-24hour", "x-app-limit-24hour")

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


def x_outcome(response: httpx.Response, now: datetime, *, cap_reset_day: int | None = None) -> Outcome:
    """The outcome of one answer of X (any endpoint); ``remote_id`` is ``data.id`` when there is one.

    A usage cap is retried when that cap resets (:func:`cap_reset`), not at the 15-minute window's reset;
    ``cap_reset_day`` is the day of the month the app's monthly cap resets, where it is known."""
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
    if kind is OutcomeKind.RATE_LIMITED:
        retry_at = retry_time(budget, now, timedelta(minutes=15))
    elif kind is OutcomeKind.USAGE_CAPPED:
        retry_at = cap_reset(status, body, headers, now, cap_reset_day)
        budget = Budget(0, retry_at)  # nothing more goes out before the cap resets (BW901)
    return Outcome(
        kind,
        message=clip(f"HTTP {status}: {message}" if message else f"HTTP {status}"),
        retry_at=retry_at,
        budget=budget,
    )


def cap_period(body: Mapping[str, Any]) -> str:
    """Which usage cap an answer says was reached: "daily", "monthly", or "" when it does not say."""
    text = " ".join(str(body.get(field) or "") for field in ("period", "detail", "title")).casefold()
    for period in ("daily", "monthly"):
        if period in text:
            return period
    return ""


def cap_reset(
    status: int, body: Mapping[str, Any], headers: Mapping[str, str], now: datetime, cap_reset_day: int | None
) -> datetime:
    """When a usage cap lets requests through again: a daily cap at the reset of the 24-hour window that
    is spent (else the next UTC midnight); the monthly cap on its reset day (else the first of next
    month, UTC). Spent credits (402) come back only when someone buys more: asked again in a day."""
    period = cap_period(body)
    daily = _spent_daily_reset(headers, now)
    if period == "daily" or (not period and daily is not None and status != 402):
        return daily or _next_midnight(now)
    if period == "monthly":
        return next_monthly_reset(now, cap_reset_day)
    return now + timedelta(hours=24)


def next_monthly_reset(now: datetime, day: int | None) -> datetime:
    """The next midnight (UTC) on the ``day`` of a month (clamped to the month's length), after ``now``;
    the first of next month when the day is not known."""
    now = now.astimezone(UTC)
    wanted = day if day and 1 <= day <= 31 else 1
    for offset in (0, 1):
        years, month_index = divmod(now.month - 1 + offset, 12)
        year, month = now.year + years, month_index + 1
        candidate = datetime(year, month, min(wanted, calendar.monthrange(year, month)[1]), tzinfo=UTC)
        if candidate > now:
            return candidate
    raise AssertionError("next month's reset day is always after now")


def _spent_daily_reset(headers: Mapping[str, str], now: datetime) -> datetime | None:
    for prefix in DAILY_HEADERS:
        remaining, reset = headers.get(f"{prefix}-remaining"), network_time(headers.get(f"{prefix}-reset"))
        if remaining is not None and remaining.strip() == "0" and reset is not None and reset > now:
            return reset
    return None


def _next_midnight(now: datetime) -> datetime:
    day = now.astimezone(UTC).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


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
