"""What a rule may look at: the account, its pacing policy, its history and the operator's settings."""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from botwarden.pacing import PacingPolicy
from botwarden.rules.facts import Facts


@dataclass(frozen=True, slots=True)
class PastPost:
    """A post an account has made (or one the engine allowed earlier in the same replay)."""

    id: str
    account: str
    at: datetime
    text: str
    text_hash: str
    links: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AccountInfo:
    id: str
    network: str
    operator: str = "default"
    status: str = "ok"
    status_since: datetime | None = None
    status_reason: str = ""
    verified: bool = False
    bio: str = ""
    automated_label: bool = False
    bot_flag: bool = False
    sensitive_media: bool = False
    daily_cap: int | None = None


class History(Protocol):
    """Read access to posting history; the store and the replay both provide one."""

    def posts_between(self, account: str, start: datetime, end: datetime) -> list[PastPost]:
        """The account's posts with start <= at <= end, oldest first."""
        ...

    def same_text(self, account: str, text_hash: str, since: datetime) -> PastPost | None:
        """The account's most recent post since ``since`` with this normalised-text hash."""
        ...


@dataclass(slots=True)
class CheckContext:
    account: AccountInfo
    history: History
    pacing: PacingPolicy = field(default_factory=PacingPolicy)
    settings: dict[str, Any] = field(default_factory=dict)
    facts: Facts = field(default_factory=Facts)

    def setting(self, name: str, default: Any) -> Any:
        return self.settings.get(name, default)


class MemoryHistory:
    """History kept in memory, ordered by time (tests, replays, previews)."""

    def __init__(self) -> None:
        self._by_account: dict[str, list[PastPost]] = defaultdict(list)
        self._times: dict[str, list[datetime]] = defaultdict(list)

    def __len__(self) -> int:
        return sum(len(posts) for posts in self._by_account.values())

    def add(self, post: PastPost) -> None:
        times = self._times[post.account]
        index = bisect.bisect_right(times, post.at)
        times.insert(index, post.at)
        self._by_account[post.account].insert(index, post)

    def posts_between(self, account: str, start: datetime, end: datetime) -> list[PastPost]:
        times = self._times[account]
        lo = bisect.bisect_left(times, start)
        hi = bisect.bisect_right(times, end)
        return self._by_account[account][lo:hi]

    def same_text(self, account: str, text_hash: str, since: datetime) -> PastPost | None:
        for post in reversed(self._by_account[account]):
            if post.at < since:
                return None
            if post.text_hash == text_hash:
                return post
        return None
