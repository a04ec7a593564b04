"""The networks' published request budgets for creating posts, per account.

These are the limits the networks document for their write endpoints; the live figures come from the
rate-limit headers of each answer (``x-rate-limit-remaining``/``-reset``, ``X-RateLimit-*``), which the
worker records as :class:`botwarden.rules.facts.Budget` and which win when known.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True)
class Window:
    requests: int
    period: timedelta
    source: str

    def describe(self) -> str:
        minutes = int(self.period.total_seconds() // 60)
        span = f"{minutes // 60} hours" if minutes >= 120 else f"{minutes} minutes"
        return f"{self.requests} per {span} ({self.source})"


PUBLISHED: dict[str, tuple[Window, ...]] = {
    "x": (
        Window(200, timedelta(minutes=15), "X API v2 POST /2/tweets, per user"),
        Window(300, timedelta(hours=3), "X posts and reposts together, per user"),
    ),
    "mastodon": (Window(300, timedelta(hours=3), "Mastodon status creation, per account"),),
    "bluesky": (
        Window(1666, timedelta(hours=1), "Bluesky PDS: 5,000 points an hour, 3 points a record"),
        Window(11666, timedelta(hours=24), "Bluesky PDS: 35,000 points a day, 3 points a record"),
    ),
}
