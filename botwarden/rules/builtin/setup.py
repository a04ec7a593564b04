"""BW951-BW953: how an automated account presents itself (reported on the account; info on actions)."""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

import regex

from botwarden.links import registered_domain
from botwarden.rules.context import CheckContext
from botwarden.rules.model import ACTION_KINDS, Action, Finding, Severity, days
from botwarden.rules.registry import Rule

_DISCLOSURE = regex.compile(
    r"\b(run|operated|maintained|managed|made|built|owned)\s+by\b|@\w+|\bcontact\b", regex.IGNORECASE
)


@lru_cache(maxsize=1024)  # an account's bio is read on every check of its posts, and rarely changes
def _discloses_operator(bio: str) -> bool:
    return _DISCLOSURE.search(bio) is not None


class SetupRule(Rule):
    severity = Severity.WARN
    enforced = "setup"
    kinds = ACTION_KINDS

    def info(self, message: str, **evidence: object) -> Finding:
        return self.finding(message, evidence=dict(evidence), severity=Severity.INFO)


class AutomatedLabelMissing(SetupRule):
    code = "BW951"
    slug = "automated-label-missing"
    section = "X's automated account labels; Automation Rules (disclose automation)"
    summary = "An X account without the 'Automated' label that links it to its operator's account."
    explanation = (
        "X lets a bot account carry an 'Automated' label naming the account that runs it. A labelled bot "
        "is understood by readers and by the platform for what it is; an unlabelled one that posts like a "
        "machine is a spam suspect. X's API does not show the label: no field of its user object carries "
        "it (`affiliation` is the affiliate badge, something else), so botwarden cannot read it and the "
        "check is an attestation. Turn the label on in the account's settings (Your account, Automation) "
        "and declare it with `automated_label_declared_by` (and `automated_label_declared_on`) on the "
        "account; an X account without that declaration is reported."
    )

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        if ctx.account.network == "x" and not ctx.account.automated_label:
            return [
                self.info(
                    "no 'Automated' label is declared for the X account (X's API does not show the label; "
                    "turn it on in the account's settings and set automated_label_declared_by)",
                    network="x",
                    declared=False,
                )
            ]
        return []


class OperatorUndisclosed(SetupRule):
    code = "BW952"
    slug = "operator-undisclosed"
    section = "Automation Rules (who is responsible for automated activity)"
    summary = "The account's bio does not say who runs it."
    explanation = (
        "People, and the teams that review flagged accounts, should be able to see who is behind a bot. "
        "Say so in the bio: 'Automated news from the Harbour Gazette, run by @gazette_desk'."
    )

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        if not _discloses_operator(ctx.account.bio):
            return [self.info("the bio does not say who runs the account", bio=ctx.account.bio)]
        return []


class BotFlagMissing(SetupRule):
    code = "BW953"
    slug = "bot-flag-missing"
    section = "Mastodon's bot flag and server rules; Bluesky's 'bot' self-label"
    summary = "A Mastodon account without the bot flag, or a Bluesky account without the 'bot' self-label."
    explanation = (
        "Mastodon shows automated accounts with a bot badge, and many servers require it of bots; Bluesky "
        "has a 'bot' self-label. Set it, so readers and moderators know what they are looking at."
    )

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        if ctx.account.network in ("mastodon", "bluesky") and not ctx.account.bot_flag:
            return [
                self.info(
                    f"the {ctx.account.network} account is not marked as a bot", network=ctx.account.network
                )
            ]
        return []


class PublicFeedVisibility(SetupRule):
    code = "BW954"
    slug = "public-feed-visibility"
    severity = Severity.INFO
    section = "Mastodon server rules and etiquette (bots post unlisted)"
    summary = "A Mastodon feed bot posting with public rather than unlisted visibility."
    explanation = (
        "Many Mastodon servers ask bots to post unlisted, so followers see every post while the local and "
        "federated timelines are not flooded. botwarden notes a feed post that would go out public; set "
        '`mastodon_visibility = "unlisted"`.'
    )

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        visibility = action.visibility or ctx.settings["mastodon_visibility"]
        if ctx.account.network == "mastodon" and action.kind == "post" and visibility == "public":
            return [
                self.info(
                    "the Mastodon feed post would be public; bots should post unlisted", visibility="public"
                )
            ]
        return []


class DuplicativeAccounts(SetupRule):
    code = "BW955"
    slug = "duplicative-accounts"
    section = "Automation Rules, ground rules (duplicate accounts for substantially similar use cases)"
    summary = "Two accounts of one operator on one network that post substantially the same stories."
    explanation = (
        "Running several accounts on one network for the same use case is what the rules call duplicate "
        "accounts, even when no single post is a copy. botwarden looks at what each account posted over "
        "the last near_duplicate_window_days (its latest 48 at most): when at least "
        "duplicative_stories_share (default 50 %) of those posts tell a story another account of the "
        "operator on the same network also told "
        "(substantially similar, as BW102 measures it), the two look duplicative. Merge them, or give each "
        "its own beat. Accounts on other networks are cross-posting and do not count."
    )

    #: An account needs this many posts in the window before its stories are compared.
    MIN_POSTS = 5
    #: The share is worked out over at most this many of the account's latest posts in the window (a
    #: day of a busy feed): enough to see a duplicate beat, and the first check of a day stays cheap.
    MAX_COMPARED = 48

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        shares = _stories_in_common(action, ctx)
        bar = float(ctx.settings["duplicative_stories_share"])
        return [
            self.info(
                f"{share:.0%} of the stories {action.account} posted in the window were also posted by "
                f"{other} (heuristic)",
                other=other,
                share=round(share, 3),
                posts=posts,
            )
            for other, (share, posts) in sorted(shares.items())
            if share >= bar
        ]


def _stories_in_common(action: Action, ctx: CheckContext) -> dict[str, tuple[float, int]]:
    """For each other account of the fleet, the share of this account's posts in the window that tell a
    story it also told, and how many posts that share is of. Worked out once a day per account."""
    day = action.at.date()
    key = ("stories-in-common", action.account, day, ctx.account.network)
    found: dict[str, tuple[float, int]] | None = ctx.facts.daily.get(key)
    if found is not None:
        return found
    others = ctx.fleet_others(action.account)
    since = action.at - days(int(ctx.settings["near_duplicate_window_days"]))
    mine = ctx.history.posts_between(action.account, since, action.at) if others else []
    mine = sorted(mine, key=lambda post: post.at)[-DuplicativeAccounts.MAX_COMPARED :]
    found = {}
    if len(mine) >= DuplicativeAccounts.MIN_POSTS:
        threshold = float(ctx.settings["near_duplicate_threshold"])
        told: Counter[str] = Counter()
        for post in mine:
            similar = ctx.history.similar(post.text, others, since, action.at, threshold)
            told.update({match.account for _, match in similar})
        found = {other: (count / len(mine), len(mine)) for other, count in told.items()}
    ctx.facts.remember_daily(key, found)
    return found


class UnauthorisedSource(SetupRule):
    code = "BW956"
    slug = "unauthorised-source"
    enforced = "attest"
    section = "Automation Rules, §1 (publish only what you are authorised to publish)"
    summary = "A route whose source the operator has not declared it may republish."
    explanation = (
        "Republishing someone else's feed is only allowed when the operator may do so. botwarden cannot "
        "know that, so the operator declares it: `republish_declared_by` on the feed (recorded with who and "
        "when) or the source's domain in `declared_sources`. Feed posts from an undeclared source are noted."
    )

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        if action.trigger != "feed" or action.source_declared:
            return []
        declared = {d.casefold() for d in ctx.settings["declared_sources"]}
        domains = {registered_domain(link) for link in action.links} - {""}  # a local file is one's own
        sources = sorted(domains - declared)
        if sources:
            return [
                self.info(
                    f"the source {', '.join(sources)} is not declared as one you may republish",
                    sources=sources,
                )
            ]
        return []
