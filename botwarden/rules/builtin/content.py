"""BW104 repeated link, BW105 hashtag stuffing, BW106 mention in broadcast, BW201 trending topic."""

from __future__ import annotations

import regex

from botwarden.compose.links import links_in
from botwarden.rules.builtin._people import mentions_in
from botwarden.rules.context import CheckContext, PastPost
from botwarden.rules.model import Action, Finding, Severity, days, hours, minute
from botwarden.rules.registry import Rule
from botwarden.similarity import normalize

_HASHTAG = regex.compile(r"(?<![\w&])#([\p{L}\p{N}_]+)")
_TEXT_KINDS = frozenset({"post", "reply", "quote", "mention"})
_NETWORK_NAMES = {"x": "X", "mastodon": "Mastodon", "bluesky": "Bluesky", "local": "the local network"}


def hashtags_of(text: str) -> list[str]:
    return [tag.casefold() for tag in _HASHTAG.findall(text)]


def _post_links(post: PastPost) -> frozenset[str]:
    return links_in(post.text, post.links)


class RepeatedLink(Rule):
    code = "BW104"
    slug = "repeated-link"
    severity = Severity.WARN
    section = "Automation Rules, ground rules (spam: repeatedly posting the same link)"
    summary = (
        "The same link was posted recently by this account, or by two or more of the operator's accounts."
    )
    explanation = (
        "Pointing at one page again and again, or from several accounts, is a classic link-spam pattern. "
        "Links are compared in canonical form (tracking parameters removed) over repeated_link_hours "
        "(default 24). This is a warning: a follow-up on the same page can be fine once, but a person "
        "should see the pattern."
    )
    kinds = _TEXT_KINDS

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        mine = links_in(action.text, action.links)
        if not mine:
            return []
        since = action.at - hours(int(ctx.settings["repeated_link_hours"]))
        earlier = [p for link in sorted(mine) for p in ctx.history.posts_linking(link, since, action.at)]
        own = [p for p in earlier if p.account == action.account]
        if own:
            post = max(own, key=lambda p: p.at)
            shared = sorted(mine & _post_links(post))[0]
            return [
                self.finding(
                    f"{shared} was already posted by this account at {minute(post.at)} UTC",
                    evidence={"link": shared, "earlier_id": post.id, "earlier_at": post.at.isoformat()},
                )
            ]
        if not earlier:
            return []
        others = set(ctx.fleet_others(action.account))
        users = sorted({p.account for p in earlier if p.account in others})
        if len(users) >= 2:
            return [
                self.finding(
                    f"the same link was posted by {len(users)} other accounts of this operator "
                    f"({', '.join(users)}) in the window",
                    evidence={"accounts": users},
                )
            ]
        return []


class HashtagStuffing(Rule):
    code = "BW105"
    slug = "hashtag-stuffing"
    severity = Severity.WARN
    section = "Automation Rules, ground rules (spam: hashtag abuse); forum reports of repeated hashtag sets"
    summary = "Too many hashtags, or the same set of hashtags on most of the account's recent posts."
    explanation = (
        "More than hashtag_max hashtags (default 2) reads as stuffing, and the same set of two or more "
        "tags on post after post (5 of the last 10) looks machine-made, which is exactly what operators of "
        "locked bots reported. One tag on every post is a label (a server may require #bot) and is fine. "
        "The composer never adds more tags than a route's hashtag limit, counting the item's own. Let "
        "hashtags follow the item's own categories, and keep them few."
    )
    kinds = _TEXT_KINDS

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        tags = hashtags_of(action.text)
        limit = int(ctx.settings["hashtag_max"])
        if len(tags) > limit:
            return [
                self.finding(
                    f"{len(tags)} hashtags, more than {limit}; keep the one or two that matter",
                    evidence={"hashtags": tags, "max": limit},
                )
            ]
        if len(set(tags)) < 2:  # one tag on every post is a label (a server may require it), not a set
            return []
        recent = ctx.history.posts_between(action.account, action.at - days(30), action.at)[-10:]
        same = sum(1 for post in recent if set(hashtags_of(post.text)) == set(tags))
        if same >= 5:
            return [
                self.finding(
                    f"the same hashtags ({' '.join('#' + t for t in sorted(set(tags)))}) are on {same} "
                    f"of the account's last {len(recent)} posts",
                    evidence={"hashtags": sorted(set(tags)), "repeats": same},
                )
            ]
        return []


class MentionInBroadcast(Rule):
    code = "BW106"
    slug = "mention-in-broadcast"
    severity = Severity.HOLD
    section = "Automation Rules, §1 (automated posts exclude mentions and replies) and §2"
    summary = "An automated broadcast post that @mentions users."
    explanation = (
        "A feed post that names @someone notifies them, which turns a broadcast into an unsolicited "
        "mention; mentions follow the opt-in rules of the 4xx family. botwarden holds a scheduled or feed "
        "post that the network would make a mention of: on X what twitter-text extracts (not a list, "
        "`@user/list`, nor a fediverse address), on Mastodon `@user` of the same server or "
        "`@user@server`, on Bluesky `@` and a handle with a known TLD. Code that starts with '@' "
        "(`@media`, `@MainActor`, a word in backticks, `@scope/package`) is no mention. A person can "
        "remove the mentions or confirm the users asked."
    )
    kinds = frozenset({"post"})

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        network = action.network or ctx.account.network
        mentioned = mentions_in(action.text, network)
        if mentioned:
            return [
                self.finding(
                    f"broadcast post mentions {', '.join('@' + m for m in mentioned)} "
                    f"on {_NETWORK_NAMES.get(network, network)}",
                    evidence={"mentions": mentioned, "network": network},
                )
            ]
        return []


class TrendingTopic(Rule):
    code = "BW201"
    slug = "trending-topic"
    severity = Severity.DENY
    section = "Automation Rules, ground rules (spam: automated use of trending topics)"
    summary = "An automated post uses a term or hashtag that is trending on that network now."
    explanation = (
        "Automatically attaching a bot's posts to what is trending is a form of spam, and a hashtag that "
        "happens to trend can get a well-meaning news bot locked. botwarden compares the post's hashtags "
        "and words with the network's current trends (from a trends provider or replay trend lines). A "
        "hashtag the composer added from an item's categories is dropped instead of blocking the post, and "
        "the finding says which hashtag to drop, or which word to reword, for the post to go."
    )
    kinds = _TEXT_KINDS

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        findings: list[Finding] = []
        network = action.network or ctx.account.network
        for tag in action.dropped_hashtags:
            findings.append(
                self.finding(
                    f"dropped the hashtag #{tag} the composer added: it is trending on {network} now",
                    evidence={"hashtag": tag, "network": network},
                    severity=Severity.INFO,
                )
            )
        trending = ctx.facts.trending(network, action.at)
        if not trending:
            return findings
        tagged = {t for t in hashtags_of(action.text) if t in trending or "#" + t in trending}
        hits = sorted(tagged)
        text = f" {normalize(action.text)} "
        hits += sorted(
            t
            for t in trending
            if not t.startswith("#") and t not in hits and (folded := normalize(t)) and f" {folded} " in text
        )
        if hits:
            written = {tag.casefold(): tag for tag in _HASHTAG.findall(action.text)}
            tags = [f"#{written.get(h, h)}" for h in hits if h in tagged]
            words = [h for h in hits if h not in tagged]
            findings.append(
                self.finding(
                    f"uses {', '.join(repr(h) for h in hits)}, trending on {network} now; automated "
                    f"posts must not ride trends: {_without_trends(tags, words)}",
                    evidence={"trending": hits, "network": network, "drop_hashtags": tags, "words": words},
                )
            )
        return findings


def _without_trends(tags: list[str], words: list[str]) -> str:
    """What to change so that the post can go."""
    advice = []
    if tags:
        advice.append(f"drop {' '.join(tags)} and the post can go")
    if words:
        advice.append(f"reword without {', '.join(repr(w) for w in words)} or post once it no longer trends")
    return "; ".join(advice)
