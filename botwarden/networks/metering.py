"""The spend meter: every billable call to a network that bills per use (X's pay-per-use API), priced.

X bills writes per request and reads per resource returned, and bills a resource read again on the same
UTC day only once (https://docs.x.com/x-api/getting-started/pricing, read 2026-11). An adapter tells the
meter what each successful call wrote or read (:class:`Use`); the meter keeps them until the caller writes
them to the store (``store/spend.py``), which counts a resource once a UTC day and prices what is left.
Failed calls are not billed, so they are not metered.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from botwarden.typed_settings import Settings


class Billable(enum.StrEnum):
    """What a call is billed as: each has its own price setting."""

    POST = "post"  # Content: Create
    POST_WITH_URL = "post_with_url"  # Content: Create (with URL)
    MEDIA_METADATA = "media_metadata"  # alt text on an upload
    POST_READ = "post_read"  # Posts: Read, per post returned
    OWNED_READ = "owned_read"  # the account's own posts and profile, per resource
    USER_READ = "user_read"  # User: Read, per user returned
    TREND_READ = "trend_read"  # Trend: Read, per trend returned
    DM_READ = "dm_read"  # DM Event: Read, per event returned
    USAGE_READ = "usage_read"  # the usage report itself (not billed)


#: The setting that prices each kind, in USD per request (writes) or per resource (reads).
PriceSetting = Literal[
    "post_cost_usd",
    "link_post_cost_usd",
    "x_media_metadata_cost_usd",
    "x_post_read_cost_usd",
    "x_owned_read_cost_usd",
    "x_user_read_cost_usd",
    "x_trend_read_cost_usd",
    "x_dm_read_cost_usd",
]
PRICE_SETTINGS: dict[Billable, PriceSetting] = {
    Billable.POST: "post_cost_usd",
    Billable.POST_WITH_URL: "link_post_cost_usd",
    Billable.MEDIA_METADATA: "x_media_metadata_cost_usd",
    Billable.POST_READ: "x_post_read_cost_usd",
    Billable.OWNED_READ: "x_owned_read_cost_usd",
    Billable.USER_READ: "x_user_read_cost_usd",
    Billable.TREND_READ: "x_trend_read_cost_usd",
    Billable.DM_READ: "x_dm_read_cost_usd",
}
#: Billed per request; every other kind is billed per resource returned.
PER_REQUEST = frozenset({Billable.POST, Billable.POST_WITH_URL, Billable.MEDIA_METADATA})


@dataclass(frozen=True, slots=True)
class Use:
    """One successful billable call: what it wrote or read, for which account and why."""

    at: datetime
    network: str
    account: str | None  # None: the app's own calls (trends, the usage report)
    kind: Billable
    resource: str  # post, user, trend, dm_event, media, usage
    purpose: str  # publish, reconcile, probe, setup, inbound, retention, trends, usage, lookup
    endpoint: str
    ids: tuple[str, ...] = ()  # the resources a read returned (billed once a UTC day each)


@dataclass(frozen=True, slots=True)
class Prices:
    """USD per request (writes) or per resource (reads), by kind."""

    by_kind: Mapping[Billable, float]

    @classmethod
    def from_settings(cls, settings: Settings) -> Prices:
        return cls({kind: float(settings[name]) for kind, name in PRICE_SETTINGS.items()})

    def of(self, kind: Billable) -> float:
        return float(self.by_kind.get(kind, 0.0))


class Meter:
    """The uses adapters report, kept until the caller records them (thread-safe)."""

    def __init__(self, prices: Prices) -> None:
        self.prices = prices
        self._lock = threading.Lock()
        self._pending: list[Use] = []

    @classmethod
    def from_settings(cls, settings: Settings) -> Meter:
        return cls(Prices.from_settings(settings))

    def add(self, use: Use) -> None:
        with self._lock:
            self._pending.append(use)

    def extend(self, uses: Iterable[Use]) -> None:
        with self._lock:
            self._pending.extend(uses)

    def drain(self) -> list[Use]:
        """Everything reported since the last drain, oldest first; the meter is empty after."""
        with self._lock:
            pending, self._pending = self._pending, []
        return pending

    def __len__(self) -> int:
        with self._lock:
            return len(self._pending)
