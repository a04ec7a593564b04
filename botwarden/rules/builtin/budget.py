"""BW901 rate limit and BW905 spend cap: what the network will accept and what the account may spend."""

from __future__ import annotations

from datetime import datetime, timedelta

from botwarden.pacing import Window, app_windows, media_windows, post_windows
from botwarden.rules.context import CheckContext, PastPost
from botwarden.rules.model import Action, Finding, Severity, minute
from botwarden.rules.registry import Rule

_PUBLISHING = frozenset({"post", "reply", "quote", "mention", "repost"})
_INSTANT = timedelta(microseconds=1)


class RateLimit(Rule):
    code = "BW901"
    slug = "rate-limit"
    severity = Severity.DELAY
    section = (
        "Network limits (published request budgets, `botwarden limits`; rate-limit headers of each answer)"
    )
    summary = "The network's request budget for this account or its app is spent; wait for the reset."
    explanation = (
        "Sending into a spent budget only earns 429 answers, and hammering a limit is itself a spam "
        "signal. botwarden delays the action until the reset the network announced in its last answer "
        "or, without one, until the network's published window has room again (`botwarden limits`): on "
        "X 100 posts per 15 minutes per user and 10,000 a day per app, shared by every account that "
        "posts through the same developer app (`app` on the account); on Mastodon 300 statuses per "
        "3-hour bucket (fixed buckets from 00:00 UTC: the post waits for the next bucket) and 30 media "
        "uploads per 30 minutes; on Bluesky 5,000 points an hour and 35,000 a day, 3 points a post."
    )
    kinds = _PUBLISHING

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        budget = ctx.facts.budgets.get(action.account)
        if budget is not None and budget.remaining <= 0 and budget.reset > action.at:
            return [self._delay(budget.reset, "the network's last answer said the budget is spent", {})]
        network = ctx.account.network
        for window in post_windows(ctx.limits, network):
            found = self._account_window(action, ctx, window)
            if found:
                return found
        for window in app_windows(ctx.limits, network):
            found = self._app_window(action, ctx, window)
            if found:
                return found
        media = len(action.media)
        for window in media_windows(ctx.limits, network) if media else ():
            found = self._media_window(action, ctx, window, media)
            if found:
                return found
        return []

    def _account_window(self, action: Action, ctx: CheckContext, window: Window) -> list[Finding]:
        used = _counted(ctx, action.account, window, action.at)
        if len(used) < window.requests:
            return []
        reset = window.reset(action.at, [p.at for p in used])
        why = f"{len(used)} posts reach the published budget of {window.describe()}"
        return [self._delay(reset, why, _evidence(window, len(used)))]

    def _app_window(self, action: Action, ctx: CheckContext, window: Window) -> list[Finding]:
        fleet = ctx.facts.app_fleet(ctx.account.network, ctx.account.app, including=action.account)
        start = window.start(action.at) - (_INSTANT if window.fixed else timedelta(0))
        used = ctx.history.count_among(fleet, start, action.at)
        if used < window.requests:
            return []
        if window.fixed:
            reset = window.start(action.at) + window.period
        else:  # room again once enough of the fleet's posts have left the window
            reset = _kth_time(ctx, fleet, start, action.at, used - window.requests + 1) + window.period
        app = ctx.account.app or "the configuration's app"
        why = (
            f"{used} posts of the {len(fleet)} account(s) posting through {app} reach the app's "
            f"published budget of {window.describe()}"
        )
        evidence = {**_evidence(window, used), "app": ctx.account.app, "accounts": len(fleet)}
        return [self._delay(reset, why, evidence)]

    def _media_window(self, action: Action, ctx: CheckContext, window: Window, media: int) -> list[Finding]:
        times = sorted(p.at for p in _counted(ctx, action.account, window, action.at) for _ in range(p.media))
        if len(times) + media <= window.requests:
            return []
        if window.fixed:
            reset = window.start(action.at) + window.period
        else:  # enough earlier uploads must age out to make room for this post's
            must_leave = min(len(times) + media - window.requests, len(times))
            reset = times[must_leave - 1] + window.period
        why = (
            f"{len(times)} media uploads and this post's {media} go past the published budget of "
            f"{window.describe()}"
        )
        return [self._delay(reset, why, _evidence(window, len(times)))]

    def _delay(self, reset: datetime, why: str, evidence: dict[str, object]) -> Finding:
        return self.finding(
            f"{why}; waiting until {minute(reset)} UTC",
            evidence={**evidence, "reset": reset.isoformat()},
            not_before=reset,
        )


def _counted(ctx: CheckContext, account: str, window: Window, at: datetime) -> list[PastPost]:
    """The account's posts the window holds at ``at``: a fixed bucket from its first instant, a rolling
    window after its start (a post exactly one window old has left it)."""
    if window.fixed:
        return ctx.history.posts_between(account, window.start(at), at)
    return ctx.history.posts_after(account, window.start(at), at)


def _kth_time(
    ctx: CheckContext, accounts: tuple[str, ...], start: datetime, end: datetime, k: int
) -> datetime:
    """The time of the k-th oldest post of ``accounts`` after ``start``: found by halving the span with
    counts, so a fleet far past its budget costs a few dozen counts, not a read of every post."""
    low, high = start, end  # count(start, low] < k <= count(start, high]
    while high - low > _INSTANT:
        middle = low + (high - low) / 2
        if ctx.history.count_among(accounts, start, middle) >= k:
            high = middle
        else:
            low = middle
    return high


def _evidence(window: Window, used: int) -> dict[str, object]:
    return {
        "used": used,
        "limit": window.requests,
        "window_seconds": int(window.period.total_seconds()),
        "buckets": "fixed" if window.fixed else "rolling",
        "budget": window.name,
        "source": window.source,
    }


class SpendCap(Rule):
    code = "BW905"
    slug = "spend-cap"
    severity = Severity.HOLD
    section = "X API pay-per-use pricing; the operator's spend cap"
    summary = "The post would take the account's X spend this month past its cap."
    explanation = (
        "On X's pay-per-use access every post costs money, and a post with a link costs more than a plain "
        "one. With `spend_cap_usd` set (on the account, or as a setting for every account), botwarden adds "
        "up what the account's posts cost this calendar month (`post_cost_usd`, `link_post_cost_usd`) and "
        "holds a post that would go past the cap, so a person decides whether to raise it."
    )
    kinds = _PUBLISHING

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        own = ctx.account.spend_cap_usd
        cap = float(ctx.settings["spend_cap_usd"] if own is None else own)
        if cap <= 0 or ctx.account.network != "x":
            return []
        plain, linked = (
            float(ctx.settings["post_cost_usd"]),
            float(ctx.settings["link_post_cost_usd"]),
        )
        month_start = action.at.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        posts = ctx.history.posts_between(action.account, month_start, action.at)
        spent = sum(linked if _has_link(p.text, p.links) else plain for p in posts)
        cost = linked if _has_link(action.text, action.links) else plain
        if spent + cost > cap + 1e-9:
            return [
                self.finding(
                    f"${spent:.2f} spent this month plus ${cost:.2f} for this post is over the cap "
                    f"of ${cap:.2f}",
                    evidence={
                        "spent_usd": round(spent, 4),
                        "cost_usd": cost,
                        "cap_usd": cap,
                        "posts": len(posts),
                    },
                )
            ]
        return []


def _has_link(text: str, links: tuple[str, ...]) -> bool:
    return bool(links) or "http://" in text or "https://" in text
