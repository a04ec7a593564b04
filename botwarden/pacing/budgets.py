"""What the networks' published budgets allow, read from the limits data (``botwarden/limits``).

The windows here are the documented ones; the live figures come from the rate-limit headers of each
answer (``x-rate-limit-remaining``/``-reset``, ``X-RateLimit-*``), which the worker records as
:class:`botwarden.rules.facts.Budget` and which win when known. A window is rolling (any span of its
length, as X counts) or fixed (buckets aligned to the epoch, as Mastodon counts: a 3-hour bucket starts
at 00:00, 03:00... UTC, and what was posted in the last bucket does not count in this one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from botwarden.limits import Limit, Limits, fixed_window_start

#: The daily cap where the limits data has none for a network.
FALLBACK_DAILY_CAP = 48


@dataclass(frozen=True, slots=True)
class Window:
    requests: int
    period: timedelta
    source: str
    fixed: bool = False
    name: str = ""  # the limit it comes from: ``x.post_create_per_user``

    def describe(self) -> str:
        minutes = int(self.period.total_seconds() // 60)
        span = f"{minutes // 60} hours" if minutes >= 120 else f"{minutes} minutes"
        kind = "fixed " if self.fixed else ""
        return f"{self.requests} per {kind}{span} ({self.name})"

    def start(self, at: datetime) -> datetime:
        """Where the window that ``at`` falls in starts: the bucket's first instant (fixed, counted from
        it) or one period back (rolling, counted after it)."""
        if not self.fixed:
            return at - self.period
        seconds = fixed_window_start(at.timestamp(), self.period)
        return datetime.fromtimestamp(seconds, UTC).astimezone(at.tzinfo)

    def reset(self, at: datetime, times: list[datetime]) -> datetime:
        """When the window has room again, given the times (oldest first) counted in it now."""
        if self.fixed:
            return self.start(at) + self.period
        return times[len(times) - self.requests] + self.period


@lru_cache(maxsize=64)  # by table: a check asks for the same few windows every time
def post_windows(limits: Limits, network: str) -> tuple[Window, ...]:
    """The budgets one account's posts are counted against."""
    return tuple(_window(limits, entry) for entry in limits.using(network, "post-window"))


@lru_cache(maxsize=64)  # by table: a check asks for the same few windows every time
def app_windows(limits: Limits, network: str) -> tuple[Window, ...]:
    """The budgets every account of one app shares (X: 10,000 posts a day per app)."""
    return tuple(_window(limits, entry) for entry in limits.using(network, "app-window"))


@lru_cache(maxsize=64)  # by table: a check asks for the same few windows every time
def media_windows(limits: Limits, network: str) -> tuple[Window, ...]:
    """The budgets of one account's media uploads (Mastodon: 30 per 30 minutes)."""
    return tuple(_window(limits, entry) for entry in limits.using(network, "media-window"))


def daily_caps(limits: Limits, network: str, *, verified: bool = False) -> tuple[int, int | None]:
    """The network's own daily cap for an account, and its cap for replies where it counts them apart
    (X unverified: 50 original posts and 200 replies a day)."""
    binding = "verified" if verified else "unverified"
    caps = [e for e in limits.using(network, "daily-cap") if e.applies_to in ("", binding)]
    replies = [e for e in limits.using(network, "reply-cap") if e.applies_to in ("", binding)]
    daily = caps[0].count if caps else FALLBACK_DAILY_CAP
    return daily, (replies[0].count if replies else None)


def _window(limits: Limits, entry: Limit) -> Window:
    assert entry.window is not None  # the loader refuses a window entry without one
    requests = entry.count
    if entry.unit == "points":  # Bluesky budgets record writes in points: a created record costs some
        cost = limits.get(entry.network, "record_create_points")
        requests = requests // max(cost.count if cost else 1, 1)
    return Window(requests, entry.window, entry.source, entry.buckets == "fixed", entry.name)
