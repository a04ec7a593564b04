"""BW910 queue backlog: the account's queue would take longer to drain at its pace than the operator wants."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botwarden.pacing import PacingPolicy, post_windows
from botwarden.pacing.backlog import Drain, drain
from botwarden.rules.context import CheckContext
from botwarden.rules.facts import Waiting
from botwarden.rules.model import Action, Finding, Severity, hours, minute
from botwarden.rules.registry import Rule

_PUBLISHING = frozenset({"post", "reply", "quote", "mention", "repost"})


def _queue(action: Action, ctx: CheckContext) -> list[Waiting]:
    """The account's waiting posts with this one among them (the worker's own entry is already there;
    a replay's or an API caller's action is about to join)."""
    waiting = ctx.facts.waiting.get(action.account, [])
    if any(entry.id == action.id for entry in waiting):
        return waiting
    published = action.published or action.at
    return [*waiting, Waiting(action.id, action.account, action.at, action.at, action.text, published)]


def project(action: Action, ctx: CheckContext, queue: list[Waiting]) -> Drain:
    """When the queue would be empty at the account's pace, from what it posted in the last day."""
    posted = [p.at for p in ctx.history.posts_after(action.account, action.at - hours(24), action.at)]
    return drain(
        ctx.pacing,
        waiting=[entry.due for entry in queue],
        posted=posted,
        now=action.at,
        network=post_windows(ctx.limits, ctx.account.network),
    )


def describe_pace(policy: PacingPolicy) -> str:
    """The account's pace in words: what the estimate was worked out from."""
    minutes = int(policy.burst_window.total_seconds() // 60)
    parts = [
        f"at most {policy.daily_cap} a day",
        f"{policy.burst_max} in {minutes} minutes",
    ]
    if policy.min_interval:
        parts.append(f"{int(policy.min_interval.total_seconds() // 60)} minutes apart")
    if policy.quiet_hours is not None:
        parts.append(f"quiet {policy.quiet_hours}")
    return ", ".join(parts)


def _span(hours_: float) -> str:
    return f"{hours_:.1f} hours" if hours_ < 48 else f"{hours_ / 24:.1f} days"


class QueueBacklog(Rule):
    code = "BW910"
    slug = "queue-backlog"
    severity = Severity.WARN
    section = (
        "Operator advice (pacing: the daily caps, bursts and quiet hours above, and the network's post "
        "windows, `botwarden limits`); a late post is stale news"
    )
    summary = "The account's queue would take longer than backlog_warn_hours to drain at its pace."
    explanation = (
        "A feed that publishes faster than its account may post builds a queue that only grows: posts go "
        "out hours after the story, and a news bot posting yesterday's news is no use to anyone. "
        "botwarden projects when the last waiting post would go out, sending each as early as the "
        "account's pace allows (its minimum interval, burst, daily cap, quiet hours and the network's "
        "post windows, starting from what it posted in the last 24 hours), and warns when that is more "
        "than backlog_warn_hours (default 6) away. The finding says how many posts wait, how long the "
        "oldest has waited and when the queue would be empty. To catch up: raise the daily cap where "
        "the network allows more, thin the feed with filters (or max_age_hours), or give part of the "
        "feed to another account. The projection assumes nothing new arrives; it is advice, and the "
        "post itself goes out as paced."
    )
    kinds = _PUBLISHING

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        warn_after = float(ctx.settings["backlog_warn_hours"])
        queue = _queue(action, ctx)
        # A daily cap of 0 is the operator stopping the account on purpose (BW902 says so): no advice.
        if warn_after <= 0 or len(queue) < 2 or ctx.pacing.daily_cap <= 0:
            return []
        projected = project(action, ctx, queue)
        if projected.until is not None and projected.until - action.at <= hours(warn_after):
            return []
        evidence = _evidence(projected, queue, action.at, warn_after, ctx.pacing)
        return [self.finding(_message(evidence, projected), evidence=evidence)]


def _evidence(
    projected: Drain, queue: list[Waiting], now: datetime, warn_after: float, pacing: PacingPolicy
) -> dict[str, Any]:
    oldest = min(entry.queued_at for entry in queue)
    return {
        "waiting": projected.waiting,
        "oldest_queued_at": oldest.isoformat(),
        "oldest_wait_hours": round((now - oldest).total_seconds() / 3600, 1),
        "drains_at": projected.until.isoformat() if projected.until else None,
        "drain_hours": round(projected.hours, 1) if projected.hours is not None else None,
        "backlog_warn_hours": warn_after,
        "pace": describe_pace(pacing),
    }


def _message(evidence: dict[str, Any], projected: Drain) -> str:
    if projected.until is None:
        drains = "never drains at its pace"
    else:
        drains = (
            f"would take about {_span(evidence['drain_hours'])} to drain at its pace "
            f"({evidence['pace']}), until {minute(projected.until)} UTC"
        )
    return (
        f"{evidence['waiting']} posts wait in this account's queue, the oldest for "
        f"{_span(evidence['oldest_wait_hours'])}; it {drains}, more than backlog_warn_hours "
        f"({evidence['backlog_warn_hours']:g}); raise the daily cap, thin the feed with filters, or move "
        "part of it to another account"
    )
