"""One limit, price or policy of a network, with the page it comes from and the day that page was read."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

#: A limit's value: a count, a price, a yes/no policy, a name, or a list of names.
Value = int | float | bool | str | tuple[str, ...]

#: What botwarden does with an entry (``botwarden limits`` shows it; the rules ask for entries by it).
USES = {
    "post-window": "BW901: posts of one account in a window",
    "app-window": "BW901: posts of every account of one app in a window",
    "media-window": "BW901: media uploads of one account in a window",
    "daily-cap": "BW902: the daily cap, unless the operator sets one",
    "reply-cap": "BW902: replies a day, counted apart from other posts",
    "price": "what a request costs",
    "policy": "a rule of the network's that a BW code enforces",
    "length": "how long a post may be",
    "info": "known, not enforced",
}
_WINDOW = re.compile(r"^(\d+)(s|m|h|d)$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


@dataclass(frozen=True, slots=True)
class Limit:
    network: str
    key: str
    summary: str
    value: Value
    source: str  # the page (or file of the network's source) the value comes from
    read: date  # the day that page was read
    unit: str = ""
    window: timedelta | None = None
    buckets: str = "rolling"  # rolling: any span of `window`; fixed: windows aligned to the epoch
    scope: str = ""  # whose budget: user, account, app, ip, post
    use: str = "info"  # one of USES
    since: date | None = None  # when the network started it, where it says
    applies_to: str = ""  # the accounts it binds, where not all: unverified, verified, self-serve
    overridden_by: str = ""  # the operator's configuration, when it set another value

    @property
    def name(self) -> str:
        return f"{self.network}.{self.key}"

    @property
    def count(self) -> int:
        """The value as a whole number (a count of posts, points or requests)."""
        if isinstance(self.value, bool) or not isinstance(self.value, int | float):
            raise TypeError(f"limit {self.name} is not a number")
        return int(self.value)

    def with_value(self, value: Value, by: str) -> Limit:
        return replace(self, value=value, overridden_by=by)

    def describe_window(self) -> str:
        """``per 15 minutes``, ``per 3 hours (fixed)``, or '' without a window."""
        if self.window is None:
            return ""
        seconds = int(self.window.total_seconds())
        for size, word in ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second")):
            if seconds % size == 0:
                count = seconds // size
                span = f"per {word}" if count == 1 else f"per {count} {word}s"
                return span + (" (fixed)" if self.buckets == "fixed" else "")
        return ""  # unreachable: every whole number of seconds divides by 1


def parse_window(text: str) -> timedelta:
    """``15m``, ``3h``, ``24h``, ``30s``, ``1d`` as a timedelta; ValueError otherwise."""
    match = _WINDOW.match(text.strip())
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"window {text!r} must be a positive number and s, m, h or d, e.g. '15m' or '3h'")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def fixed_window_start(at_seconds: float, window: timedelta) -> float:
    """The start (epoch seconds) of the fixed window holding ``at_seconds``: windows begin at multiples
    of their length since the epoch, as Mastodon's and Rack::Attack's buckets do."""
    length = window.total_seconds()
    return at_seconds - at_seconds % length
