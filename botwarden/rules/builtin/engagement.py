"""BW601-BW606: automated likes, reposts, follows, list and collection additions."""

from __future__ import annotations

from datetime import timedelta

from botwarden.rules.context import CheckContext
from botwarden.rules.model import Action, Finding, Severity
from botwarden.rules.registry import Rule

ENGAGEMENT_KINDS = frozenset({"like", "repost", "quote", "follow", "unfollow", "list_add", "collection_add"})
_REPOSTS = frozenset({"repost", "quote"})
_FOLLOWS = frozenset({"follow", "unfollow"})
_COORDINATED = frozenset({"like", "repost", "follow"})
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


def engagement_target(action: Action) -> str:
    """What an engagement acts on: the post replied to / reposted, else the user."""
    post = action.in_reply_to.id if action.in_reply_to else None
    return str(post or action.target_user or action.text or "")


def _used(ctx: CheckContext, action: Action, kinds: frozenset[str], window: timedelta) -> int:
    return sum(
        a.count for a in ctx.facts.actions_between(action.account, kinds, action.at - window, action.at)
    )


def _others_same_target(ctx: CheckContext, action: Action, kinds: frozenset[str]) -> list[str]:
    """The operator's other accounts that did the same to the same target within the last hour."""
    target = engagement_target(action)
    others = set(ctx.fleet_others(action.account))
    return sorted(
        {
            a.account
            for a in ctx.facts.actions_between(None, kinds, action.at - HOUR, action.at)
            if a.account in others and a.kind == action.kind and a.target == target
        }
    )


class AutomatedLike(Rule):
    code = "BW601"
    slug = "automated-like"
    severity = Severity.DENY
    section = "Automation Rules, §3 (automated likes are not permitted)"
    summary = "An automated like."
    explanation = (
        "The rules allow no automated liking at all: a like is meant to be a person's reaction. botwarden "
        "refuses every automated like, whatever triggered it."
    )
    kinds = frozenset({"like"})

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        return [self.finding("automated likes are not allowed; leave liking to people")]


class BulkRepost(Rule):
    code = "BW602"
    slug = "bulk-repost"
    severity = Severity.HOLD
    section = "Automation Rules, §3 (bulk, aggressive or spammy reposting)"
    summary = (
        "Automated reposts above the pace, or the same post reposted by several of the operator's accounts."
    )
    explanation = (
        "Automated reposts are allowed for informational purposes, but bulk or aggressive reposting is "
        "spam. botwarden holds a repost or quote once the account has made repost_per_hour (default 10) in "
        "the last hour, or when another of the operator's accounts reposted the same post within the hour."
    )
    kinds = _REPOSTS

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        limit = int(ctx.settings["repost_per_hour"])
        used = _used(ctx, action, _REPOSTS, HOUR)
        if used >= limit:
            return [
                self.finding(
                    f"{used} automated reposts in the last hour reaches the pace of {limit}",
                    evidence={"used": used, "limit": limit},
                )
            ]
        others = _others_same_target(ctx, action, _REPOSTS)
        if others:
            return [
                self.finding(
                    f"the same post was reposted by {', '.join(others)} of the same operator within the hour",
                    evidence={"accounts": others, "target": engagement_target(action)},
                )
            ]
        return []


class AggressiveFollow(Rule):
    code = "BW603"
    slug = "aggressive-follow"
    severity = Severity.DENY
    section = "Automation Rules, §3 (bulk, aggressive or indiscriminate following and unfollowing)"
    summary = "Follows or unfollows above the pace, follow churn, or one follow from several accounts."
    explanation = (
        "Aggressive following is against the rules, and so is churn: following to be noticed and "
        "unfollowing soon after. botwarden refuses a follow or unfollow once follow_per_day (default 20) is "
        "used, an unfollow of someone followed within 24 hours, and a follow that another of the "
        "operator's accounts made to the same user within the hour."
    )
    kinds = _FOLLOWS

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        findings: list[Finding] = []
        limit = int(ctx.settings["follow_per_day"])
        used = _used(ctx, action, _FOLLOWS, DAY)
        if used >= limit:
            findings.append(
                self.finding(
                    f"{used} automated follows and unfollows in 24 hours reaches the pace of {limit}",
                    evidence={"used": used, "limit": limit},
                )
            )
            return findings
        target = engagement_target(action)
        if action.kind == "unfollow":
            recent = [
                a
                for a in ctx.facts.actions_between(
                    action.account, frozenset({"follow"}), action.at - DAY, action.at
                )
                if a.target == target
            ]
            if recent:
                findings.append(
                    self.finding(
                        f"unfollowing {target} less than 24 hours after following (follow churn)",
                        evidence={"user": target, "followed_at": recent[-1].at.isoformat()},
                    )
                )
            return findings
        others = _others_same_target(ctx, action, frozenset({"follow"}))
        if others:
            findings.append(
                self.finding(
                    f"{', '.join(others)} of the same operator followed {target} within the hour",
                    evidence={"accounts": others, "user": target},
                )
            )
        return findings


class _BulkAdd(Rule):
    severity = Severity.DENY
    noun: str

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        limit = int(ctx.settings["list_add_per_day"])
        used = _used(ctx, action, self.kinds, DAY)
        adding = action.bulk or 1
        if used + adding > limit:
            return [
                self.finding(
                    f"{used} {self.noun} additions in 24 hours plus {adding} now is over the pace of {limit}",
                    evidence={"used": used, "adding": adding, "limit": limit},
                )
            ]
        return []


class BulkListAdd(_BulkAdd):
    code = "BW604"
    slug = "bulk-list-add"
    section = "Automation Rules, §3 (bulk adding of users to lists)"
    summary = "Adding users to lists above the pace."
    explanation = (
        "Adding many users to lists in bulk notifies them and is treated like aggressive following. "
        "botwarden refuses list additions past list_add_per_day (default 20), counting each user of a "
        "bulk action."
    )
    kinds = frozenset({"list_add"})
    noun = "list"


class BulkCollectionAdd(_BulkAdd):
    code = "BW605"
    slug = "bulk-collection-add"
    section = "Automation Rules, §3 (bulk adding of posts to collections)"
    summary = "Adding posts to collections above the pace."
    explanation = (
        "Bulk-adding posts to collections is treated like bulk engagement. botwarden refuses additions "
        "past list_add_per_day (default 20), counting each post of a bulk action."
    )
    kinds = frozenset({"collection_add"})
    noun = "collection"


class CoordinatedEngagement(Rule):
    code = "BW606"
    slug = "coordinated-engagement"
    severity = Severity.DENY
    section = "Automation Rules, ground rules (multiple accounts: coordinated actions)"
    summary = "The same like, repost or follow from several of the operator's accounts within an hour."
    explanation = (
        "Several accounts of one operator liking, reposting or following the same thing within the hour is "
        "artificial amplification, whichever account goes first. botwarden refuses the second and later "
        "ones. Let each account engage on its own, if at all."
    )
    kinds = _COORDINATED

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        others = _others_same_target(ctx, action, _COORDINATED)
        if others:
            return [
                self.finding(
                    f"{', '.join(others)} of the same operator did the same {action.kind} "
                    f"on {engagement_target(action)} within the hour",
                    evidence={"accounts": others, "target": engagement_target(action)},
                )
            ]
        return []
