"""BW902 daily cap, BW903 burst and BW907 quiet hours: when an account may post."""

from __future__ import annotations

from datetime import timedelta

from botwarden.rules.context import CheckContext
from botwarden.rules.model import Action, Finding, Severity, minute
from botwarden.rules.registry import Rule

_DAY = timedelta(hours=24)
_PUBLISHING = frozenset({"post", "reply", "quote", "mention", "repost"})


class DailyCap(Rule):
    code = "BW902"
    slug = "daily-cap"
    severity = Severity.DELAY
    section = (
        "Network limits (X: 50 original posts and 200 replies a day unverified, 2,400 posts a day; "
        "`botwarden limits`) and server rules; operator caps"
    )
    summary = "The account has used its daily cap; the post waits until the oldest post ages out."
    explanation = (
        "Every network caps how much one account may post a day, many Mastodon servers set a lower "
        "cap for bots, and an operator may set a lower one still. Counting over the last 24 hours (a "
        "rolling day, as the networks count), botwarden delays the post until the oldest post of that "
        "day is 24 hours old instead of letting the network refuse it or flag the account. Unless the "
        "operator sets `daily_cap` (on the route, the account or as a setting), the cap is the network's "
        "own from `botwarden limits`: on X an unverified account may make 50 original posts and, counted "
        "apart, 200 replies a day, a verified one 2,400 posts."
    )
    kinds = _PUBLISHING

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        cap, reply_cap = ctx.pacing.daily_cap, ctx.pacing.reply_cap
        start = action.at - _DAY  # a post exactly 24 hours old no longer counts
        if cap <= 0:  # a cap of 0 means what it says: the account posts nothing
            return [
                self.finding(
                    "the daily cap is 0, so this account posts nothing; raise daily_cap to let it post",
                    evidence={"cap": 0, "used": 0},
                    not_before=action.at + _DAY,
                )
            ]
        day = ctx.history.posts_after(action.account, start, action.at)
        counted = "posts"
        if reply_cap is not None:  # replies and original posts have caps of their own
            replying = action.kind == "reply"
            day = [p for p in day if (p.kind == "reply") is replying]
            cap, counted = (reply_cap, "replies") if replying else (cap, "original posts")
        if cap <= 0 or len(day) < cap:
            return []
        not_before = day[len(day) - cap].at + _DAY
        return [
            self.finding(
                f"{len(day)} {counted} in the last 24 hours reaches the daily cap of {cap}; "
                f"waiting until {minute(not_before)} UTC",
                evidence={
                    "cap": cap,
                    "used": len(day),
                    "counted": counted,
                    "oldest_counted": day[0].at.isoformat(),
                },
                not_before=not_before,
            )
        ]


class Burst(Rule):
    code = "BW903"
    slug = "burst"
    severity = Severity.DELAY
    section = "Automation Rules, ground rules (spam: bulk and aggressive posting)"
    summary = "Too many posts close together; the rest are trickled out, oldest first."
    explanation = (
        "A feed that publishes ten items at once should not become ten posts in one minute: bursts are "
        "what spam systems see first. When an account has made burst_max posts (default 3) within "
        "burst_window_minutes (default 15), the next post waits until the oldest of them leaves the "
        "window, and the queue releases waiting posts oldest first."
    )
    kinds = _PUBLISHING

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        limit, window = ctx.pacing.burst_max, ctx.pacing.burst_window
        start = action.at - window  # a post exactly one window old has left it
        recent = ctx.history.posts_after(action.account, start, action.at)
        if limit <= 0 or len(recent) < limit:
            return []
        not_before = recent[len(recent) - limit].at + window
        minutes = int(window.total_seconds() // 60)
        return [
            self.finding(
                f"{len(recent)} posts in the last {minutes} minutes reaches the burst limit of {limit}; "
                f"trickling: next at {minute(not_before)} UTC",
                evidence={"burst_max": limit, "window_minutes": minutes, "recent": len(recent)},
                not_before=not_before,
            )
        ]


class QuietHoursRule(Rule):
    code = "BW907"
    slug = "quiet-hours"
    severity = Severity.DELAY
    section = "Operator policy (quiet hours of the route); machine-regular round-the-clock posting"
    summary = "Inside the route's quiet hours; the post waits until they end."
    explanation = (
        "A bot that posts at 4 a.m. as steadily as at noon looks like what it is. Routes can declare "
        'quiet hours in their own time zone (quiet_hours = "22:00-07:00", timezone = "Europe/Berlin"); '
        "posts that fall inside wait until the span ends, and then go out paced as usual."
    )
    kinds = _PUBLISHING

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        quiet = ctx.pacing.quiet_hours
        if quiet is None:
            return []
        end = quiet.end_if_inside(action.at)
        if end is None:
            return []
        return [
            self.finding(
                f"inside quiet hours {quiet}; waiting until {minute(end)} UTC",
                evidence={"quiet_hours": str(quiet), "ends": end.isoformat()},
                not_before=end,
            )
        ]
