"""Per-account pacing: minimum interval with jitter, burst limit, daily cap and quiet hours."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily span (which may cross midnight) in a time zone when nothing is posted."""

    start: time
    end: time
    zone: str = "UTC"

    @classmethod
    def parse(cls, span: str, zone: str = "UTC") -> QuietHours:
        match = _SPAN.match(span)
        if not match:
            raise ValueError(f"quiet hours must look like '22:00-07:00', got {span!r}")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
            raise ValueError(f"quiet hours {span!r} has an impossible time")
        if (h1, m1) == (h2, m2):
            raise ValueError(f"quiet hours {span!r} start and end at the same time")
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {zone!r} (use an IANA name like 'Europe/Berlin')") from exc
        return cls(time(h1, m1), time(h2, m2), zone)

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M} {self.zone}"

    def end_if_inside(self, at: datetime) -> datetime | None:
        """When the quiet span that contains ``at`` ends, or None when ``at`` is outside it."""
        local = at.astimezone(ZoneInfo(self.zone))
        now = local.time()
        crosses_midnight = self.start > self.end
        inside = (self.start <= now or now < self.end) if crosses_midnight else (self.start <= now < self.end)
        if not inside:
            return None
        end_day = local.date()
        if crosses_midnight and now >= self.start:
            end_day += timedelta(days=1)
        end_local = datetime.combine(end_day, self.end, tzinfo=local.tzinfo)
        return end_local.astimezone(at.tzinfo)


@dataclass(frozen=True, slots=True)
class PacingPolicy:
    min_interval: timedelta = timedelta(minutes=5)
    jitter: timedelta = timedelta(seconds=90)
    burst_max: int = 3
    burst_window: timedelta = timedelta(minutes=15)
    daily_cap: int = 48
    quiet_hours: QuietHours | None = None
    # Replies a day, counted apart from the other posts against ``daily_cap`` (X unverified accounts:
    # 50 original posts and 200 replies); None counts every post against ``daily_cap``.
    reply_cap: int | None = None

    def next_slot(self, last_post_at: datetime | None, now: datetime, rng: random.Random) -> datetime:
        """The earliest time the next post may go out, given the account's last post."""
        if last_post_at is None:
            return now
        spacing = self.min_interval + timedelta(seconds=rng.uniform(0, self.jitter.total_seconds()))
        return max(now, last_post_at + spacing)
