"""What an export gives the diagnosis: the posts an account made, in one shape for every network."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class HistoryPost:
    """One post an account made, as read from an export."""

    id: str
    account: str
    network: str  # x, mastodon, bluesky (or what a CSV/JSONL file says)
    at: datetime
    text: str
    links: tuple[str, ...] = ()
    reply: bool = False  # an answer to someone (its text rules still apply; consent is not knowable)
    source: str = ""  # the file it came from


@dataclass(frozen=True, slots=True)
class Lock:
    """When an account was locked (or every account, when ``account`` is None)."""

    at: datetime
    account: str | None = None
    reason: str = ""
