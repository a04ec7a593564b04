"""BW909: what the networks' public spam detectors watch in young accounts, checked before posting.

Each check follows a published rule:

- a young account posting links in a burst: Osprey's atproto rules flag an account at most 3 days old
  that posts links five times in five minutes (roostorg/osprey, example_rules; "post_domain_spam");
- a first post with a link from an account with no posts and no followers: Pleroma's and Akkoma's
  AntiLinkSpamPolicy refuses such a post ("User has no posts nor followers",
  lib/pleroma/web/activity_pub/mrf/anti_link_spam_policy.ex), and Osprey's example rules label a new
  account posting links (example_rules/rules/new_account_patterns.sml);
- an incomplete profile on a young account: Bluesky's automod treats a new account without an avatar as
  a trivial-spam suspect (bluesky-social/indigo, automod/rules/quick.go, TrivialSpamPostRule).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from botwarden.compose.links import links_in
from botwarden.rules.builtin._people import PUBLIC_KINDS
from botwarden.rules.context import CheckContext
from botwarden.rules.model import Action, Finding, Severity, minute
from botwarden.rules.registry import Rule

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_BURST_RULE = "Osprey atproto rules: a new account posting links five times in five minutes"
_EMPTY_RULE = "Pleroma/Akkoma MRF AntiLinkSpamPolicy: links from an account with no posts nor followers"
_PROFILE_RULE = "Bluesky automod (indigo quick.go): a new account without an avatar"


class YoungAccount(Rule):
    code = "BW909"
    slug = "young-account"
    severity = Severity.DELAY
    section = (
        "The networks' published anti-spam rules: Osprey's atproto rules, Pleroma/Akkoma's "
        "AntiLinkSpamPolicy, Bluesky's automod"
    )
    summary = "A young account posting links in a burst, or a first post with a link from an empty account."
    explanation = (
        "The platforms' spam detectors are public now, and they watch young accounts most closely. "
        "An account is young while it is less than young_account_days (default 30) old or has fewer than "
        "young_account_followers (default 10) followers, as far as the network says (`created_at` and "
        "`followers` on the account; `botwarden accounts check` reads them). botwarden delays a young "
        "account's post with a link once it made young_link_burst_max (default 3) link posts in "
        "young_link_burst_minutes (default 30), well inside Osprey's rule of five link posts in five "
        "minutes from an account under three days old. It holds a post with a link from an account with "
        "no posts and no followers, which Pleroma and Akkoma servers refuse outright (post something "
        "without a link first, or approve it); and it notes a young account whose profile has no bio or "
        "no picture, which Bluesky's automod counts against it."
    )
    kinds = PUBLIC_KINDS

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        young = _young(ctx, action.at)
        linked = bool(links_in(action.text, action.links))
        findings = []
        if linked:
            empty = self._empty_account(action, ctx)
            findings += empty or (self._link_burst(action, ctx, young) if young else [])
        if young:
            findings += self._incomplete_profile(ctx, young)
        return findings

    def _empty_account(self, action: Action, ctx: CheckContext) -> list[Finding]:
        account = ctx.account
        if account.followers != 0 or (account.posts or 0) > 0:
            return []
        if ctx.history.count_among((action.account,), _EPOCH, action.at) > 0:
            return []
        return [
            self.finding(
                f"{action.account} has no posts and no followers, and its first post has a link: "
                "Pleroma and Akkoma servers refuse that (AntiLinkSpamPolicy); post something without a "
                "link first, or approve it",
                evidence={"followers": 0, "posts": 0, "rule": _EMPTY_RULE},
                severity=Severity.HOLD,
            )
        ]

    def _link_burst(self, action: Action, ctx: CheckContext, young: str) -> list[Finding]:
        limit = int(ctx.settings["young_link_burst_max"])
        window = timedelta(minutes=int(ctx.settings["young_link_burst_minutes"]))
        recent = ctx.history.posts_after(action.account, action.at - window, action.at)
        linked = [p for p in recent if links_in(p.text, p.links)]
        if limit <= 0 or len(linked) < limit:
            return []
        not_before = linked[len(linked) - limit].at + window
        minutes = int(window.total_seconds() // 60)
        return [
            self.finding(
                f"{action.account} is a young account ({young}) and made {len(linked)} posts with links "
                f"in the last {minutes} minutes, the most it may (heuristic, after {_BURST_RULE}); "
                f"waiting until {minute(not_before)} UTC",
                evidence={"young": young, "link_posts": len(linked), "limit": limit, "rule": _BURST_RULE},
                not_before=not_before,
            )
        ]

    def _incomplete_profile(self, ctx: CheckContext, young: str) -> list[Finding]:
        missing = []
        if not ctx.account.bio.strip():
            missing.append("bio")
        if ctx.account.has_avatar is False:
            missing.append("picture")
        if not missing:
            return []
        return [
            self.finding(
                f"a young account ({young}) whose profile has no {' and no '.join(missing)}: fill it in, "
                "the networks' detectors count an empty profile against a new account",
                evidence={"young": young, "missing": missing, "rule": _PROFILE_RULE},
                severity=Severity.INFO,
            )
        ]


def _young(ctx: CheckContext, at: datetime) -> str:
    """Why the account counts as young ('' when it does not, or nothing is known)."""
    reasons = []
    created = ctx.account.created_at
    days = int(ctx.settings["young_account_days"])
    if created is not None and at - created < timedelta(days=days):
        reasons.append(f"created {max((at - created).days, 0)} day(s) ago")
    followers = ctx.account.followers
    if followers is not None and followers < int(ctx.settings["young_account_followers"]):
        reasons.append(f"{followers} follower(s)")
    return ", ".join(reasons)
