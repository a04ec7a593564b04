"""How long an account's queue takes to drain at its pace: the posts that wait, sent one by one as early
as the account's pacing lets each go (minimum interval, burst, daily cap, the network's post windows,
quiet hours), starting from what the account posted in the last day.

This is a projection, not a schedule: it assumes nothing new is queued and nothing is held or refused.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from botwarden.pacing.budgets import Window
from botwarden.pacing.policy import PacingPolicy

_DAY = timedelta(hours=24)
#: A queue the projection stops following: the answer is "longer than this", which is all anyone needs.
MAX_PROJECTED = 20_000


@dataclass(frozen=True, slots=True)
class Drain:
    """When the last of ``waiting`` posts would go out (None: never, at a daily cap of 0)."""

    waiting: int
    started: datetime
    until: datetime | None

    @property
    def hours(self) -> float | None:
        if self.until is None:
            return None
        return (self.until - self.started).total_seconds() / 3600


def pacing_windows(policy: PacingPolicy, network: Sequence[Window] = ()) -> tuple[Window, ...]:
    """Every window an account's posts are counted in: its burst, its daily cap, the network's own."""
    own = (
        Window(policy.burst_max, policy.burst_window, "burst", name="burst_max"),
        Window(policy.daily_cap, _DAY, "daily cap", name="daily_cap"),
    )
    return own + tuple(w for w in network if w.requests > 0)


def drain(
    policy: PacingPolicy,
    *,
    waiting: Sequence[datetime],
    posted: Sequence[datetime],
    now: datetime,
    network: Sequence[Window] = (),
) -> Drain:
    """Project the queue's drain from ``now``: ``waiting`` are the due times of the posts that wait,
    ``posted`` the times of the account's posts in the last day (both in any order)."""
    if policy.daily_cap <= 0 or policy.burst_max <= 0:
        return Drain(len(waiting), now, None if waiting else now)
    windows = pacing_windows(policy, network)
    sent = sorted(t for t in posted if t > now - max((w.period for w in windows), default=_DAY))
    slot = now
    for due in sorted(waiting)[:MAX_PROJECTED]:
        slot = _earliest(policy, windows, sent, max(slot, due))
        sent.append(slot)  # slots only grow, so the list stays sorted
    return Drain(len(waiting), now, slot)


def _earliest(
    policy: PacingPolicy, windows: Sequence[Window], sent: list[datetime], at: datetime
) -> datetime:
    """The first moment from ``at`` when every rule of the account's pace lets one more post go."""
    while True:
        moved = at
        if sent and policy.min_interval:
            moved = max(moved, sent[-1] + policy.min_interval)
        for window in windows:
            moved = _room(window, sent, moved)
        if policy.quiet_hours is not None:
            moved = policy.quiet_hours.end_if_inside(moved) or moved
        if moved == at:
            return at
        at = moved


def _room(window: Window, sent: list[datetime], at: datetime) -> datetime:
    """``at``, or when ``window`` has room again if it is full at ``at``."""
    start = window.start(at)
    # A rolling window counts posts after its start; a fixed bucket counts from its first instant.
    first = bisect.bisect_left(sent, start) if window.fixed else bisect.bisect_right(sent, start)
    last = bisect.bisect_right(sent, at)
    if last - first < window.requests:
        return at
    # As Window.reset, without copying the counted times: a long queue projects in n log n.
    reset = start + window.period if window.fixed else sent[last - window.requests] + window.period
    return max(at, reset)
