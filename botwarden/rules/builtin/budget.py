"""BW901 rate limit and BW905 spend cap: what the network will accept and what the account may spend."""

from __future__ import annotations

from datetime import datetime

from botwarden.pacing.budgets import PUBLISHED
from botwarden.rules.context import CheckContext
from botwarden.rules.model import Action, Finding, Severity, minute
from botwarden.rules.registry import Rule

_PUBLISHING = frozenset({"post", "reply", "quote", "mention", "repost"})


class RateLimit(Rule):
    code = "BW901"
    slug = "rate-limit"
    severity = Severity.DELAY
    section = "Network limits (published request budgets; rate-limit headers of each answer)"
    summary = "The network's request budget for this account is spent; wait for the reset."
    explanation = (
        "Sending into a spent budget only earns 429 answers, and hammering a limit is itself a spam "
        "signal. botwarden delays the action until the reset the network announced in its last answer "
        "or, without one, until the oldest request in the network's published window ages out."
    )
    kinds = _PUBLISHING

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        budget = ctx.facts.budgets.get(action.account)
        if budget is not None and budget.remaining <= 0 and budget.reset > action.at:
            return [self._delay(budget.reset, "the network's last answer said the budget is spent", {})]
        for window in PUBLISHED.get(ctx.account.network, ()):
            start = action.at - window.period
            used = ctx.history.posts_after(action.account, start, action.at)
            if len(used) >= window.requests:
                reset = used[len(used) - window.requests].at + window.period
                return [
                    self._delay(
                        reset,
                        f"{len(used)} posts reach the published budget of {window.describe()}",
                        {
                            "used": len(used),
                            "limit": window.requests,
                            "window_seconds": int(window.period.total_seconds()),
                        },
                    )
                ]
        return []

    def _delay(self, reset: datetime, why: str, evidence: dict[str, object]) -> Finding:
        return self.finding(
            f"{why}; waiting until {minute(reset)} UTC",
            evidence={**evidence, "reset": reset.isoformat()},
            not_before=reset,
        )


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
        cap = float(ctx.setting("spend_cap_usd", 0.0) if own is None else own)
        if cap <= 0 or ctx.account.network != "x":
            return []
        plain, linked = (
            float(ctx.setting("post_cost_usd", 0.01)),
            float(ctx.setting("link_post_cost_usd", 0.02)),
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
