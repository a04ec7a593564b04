"""What the httpx-based adapters share: reading answers, rate-limit headers and failed connections."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from botwarden.networks.base import Outcome, OutcomeKind
from botwarden.rules.facts import Budget

# A request that failed before it could reach the server cannot have made a post.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


def failed_request(exc: httpx.HTTPError) -> Outcome:
    """A request that got no answer: transient, and uncertain unless it never left this machine."""
    uncertain = not isinstance(exc, _NOT_SENT)
    detail = str(exc) or type(exc).__name__
    what = "no answer after sending" if uncertain else "could not connect"
    return Outcome(OutcomeKind.TRANSIENT, message=f"{what}: {detail}", uncertain=uncertain)


def body_of(response: httpx.Response) -> dict[str, Any]:
    """The answer's JSON object, or {} when it is not one (an HTML error page, an empty body)."""
    try:
        value = json.loads(response.content)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def network_time(value: str | None) -> datetime | None:
    """A time as networks send it (a reset header, a created_at): seconds since the epoch, or ISO 8601."""
    if not value:
        return None
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def tightest_budget(headers: Mapping[str, str], prefixes: tuple[str, ...]) -> Budget | None:
    """The most restrictive of the rate-limit windows the headers announce (``PREFIX-remaining/-reset``)."""
    budgets = []
    for prefix in prefixes:
        remaining, reset = headers.get(f"{prefix}-remaining"), network_time(headers.get(f"{prefix}-reset"))
        if remaining is None or reset is None:
            continue
        try:
            budgets.append(Budget(int(remaining), reset))
        except ValueError:
            continue
    if not budgets:
        return None
    spent = [b for b in budgets if b.remaining <= 0]
    if spent:
        return max(spent, key=lambda b: b.reset)
    return min(budgets, key=lambda b: b.remaining)


def retry_time(budget: Budget | None, now: datetime, fallback: timedelta) -> datetime:
    if budget is not None and budget.reset > now:
        return budget.reset
    return now + fallback


def clip(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
