"""BW102 near-duplicate post and BW103 cross-account duplicate."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botwarden.compose.links import links_in
from botwarden.rules.context import CheckContext, PastPost
from botwarden.rules.facts import Waiting
from botwarden.rules.model import Action, Finding, Severity, days, minute
from botwarden.rules.registry import Rule
from botwarden.similarity import text_hash
from botwarden.similarity.profile import differences, profile, resemblance

_TEXT_KINDS = frozenset({"post", "reply", "quote", "mention"})


def _similar_in_fleet(action: Action, ctx: CheckContext, threshold: float) -> list[tuple[float, PastPost]]:
    """Earlier posts of the account's fleet (itself included) in the window, at least ``threshold``
    similar, best first: one search serves BW102 (this account) and BW103 (the others)."""
    key = ("similar-in-fleet", action.id, action.text, threshold)
    if key not in ctx.memo:
        window = int(ctx.settings["near_duplicate_window_days"])
        since = action.at - days(window)
        fleet = ctx.fleet(action.account)
        ctx.memo[key] = ctx.history.similar(
            action.text, fleet, since, action.at, threshold, author=action.account
        )
    found: list[tuple[float, PastPost]] = ctx.memo[key]
    return found


def _best(action: Action, ctx: CheckContext, threshold: float, *, own: bool) -> tuple[float, PastPost | None]:
    """The most similar earlier post of this account (``own``) or of its fleet's others, not counting
    exact copies (BW101's and BW103's). An earlier post of this account that links to other pages than
    this one is another item: it counts only at ``near_duplicate_other_link_threshold`` and when no word of
    one was swapped for another (``Pulumi in C#`` and ``in F#``)."""
    same = text_hash(action.text)
    other_item = float(ctx.settings["near_duplicate_other_link_threshold"])
    mine = links_in(action.text, action.links)
    for score, post in _similar_in_fleet(action, ctx, threshold):
        if (same and post.text_hash == same) or (post.account == action.account) != own:
            continue
        if (
            own
            and mine
            and _other_pages(mine, post)
            and (score < other_item or _swapped(action.text, post.text))
        ):
            continue
        return score, post
    return 0.0, None


def _swapped(text: str, other: str) -> bool:
    """Whether each post has a content term the other lacks."""
    a, b = profile(text).content_terms(), profile(other).content_terms()
    return bool(a - b) and bool(b - a)


def _other_pages(mine: frozenset[str], post: PastPost) -> bool:
    """Whether ``post`` links somewhere and shares no link with ``mine``."""
    theirs = links_in(post.text, post.links)
    return bool(theirs) and not (mine & theirs)


def similarity_evidence(action: Action, post: PastPost, score: float, threshold: float) -> dict[str, Any]:
    """What a similarity finding shows: the matched post, its account and time, the score and what
    differs."""
    only_here, only_there = differences(action.text, post.text)
    return {
        "similarity": round(score, 3),
        "threshold": threshold,
        "earlier_id": post.id,
        "earlier_account": post.account,
        "earlier_at": post.at.isoformat(),
        "earlier_text": post.text,
        "only_in_this_post": only_here,
        "only_in_earlier_post": only_there,
    }


def _another(ctx: CheckContext, account: str) -> str:
    """How a finding names another account of the fleet: with its network when that is not this one's."""
    info = ctx.facts.accounts.get(account)
    network = info.network if info is not None else ctx.account.network
    which = "another account" if network == ctx.account.network else "an account"
    operator = ctx.account.operator
    owner = f"operator {operator}" if operator else "the same operator"
    return f"{account}, {which} of {owner} on {network},"


def _differs(evidence: dict[str, Any]) -> str:
    here, there = evidence["only_in_this_post"], evidence["only_in_earlier_post"]
    if not here and not there:
        return "they say the same with other small words"
    parts = []
    if here:
        parts.append("only this one says " + ", ".join(here))
    if there:
        parts.append("only that one says " + ", ".join(there))
    return "; ".join(parts)


class NearDuplicatePost(Rule):
    code = "BW102"
    slug = "near-duplicate-post"
    severity = Severity.HOLD
    section = "Automation Rules, ground rules (spam) and §1 (duplicative or substantially similar content)"
    summary = "The account posted substantially similar content recently: a rewording of the same story."
    explanation = (
        "Spam systems look for near-copies as well as exact ones: the same story reworded, a headline with "
        "a few words changed, one wire story from two feeds. botwarden compares the post with the account's "
        "posts of the last near_duplicate_window_days (default 7) by the words they share, weighted by how "
        "rare each word is, and the phrases they share in order; numbers must agree, so templated data "
        "posts with other values (weather, scores, tides) and numbered series (Part 1, Part 2) are "
        "different posts, and posts must share at least three content words. At near_duplicate_threshold "
        "a person should look, so the post is held. The finding quotes the earlier post and what differs. "
        "The threshold is botwarden's heuristic: the platforms publish none. Exact copies are BW101's."
    )
    kinds = _TEXT_KINDS

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        if not action.text.strip():
            return []
        threshold = float(ctx.settings["near_duplicate_threshold"])
        score, post = _best(action, ctx, threshold, own=True)
        if post is None:
            return []
        deny_at = float(ctx.settings["near_duplicate_deny"])
        severity = Severity.DENY if deny_at and score >= deny_at else Severity.HOLD
        evidence = similarity_evidence(action, post, score, threshold)
        return [
            self.finding(
                f"{score:.0%} similar (heuristic) to this account's post of {minute(post.at)} UTC "
                f"({_differs(evidence)}); post something that says something new",
                evidence=evidence,
                severity=severity,
            )
        ]


class CrossAccountDuplicate(Rule):
    code = "BW103"
    slug = "cross-account-duplicate"
    severity = Severity.DENY
    section = "Automation Rules, ground rules (duplicate accounts; spam across multiple accounts)"
    summary = "Another account of the same operator on the same network posted the same or similar content."
    explanation = (
        "Posting one story from several accounts on one network, even hours apart, is what the rules on "
        "duplicative accounts forbid and what gets whole fleets of customer bots locked at once. botwarden "
        "looks at the operator's other accounts on the same network over the last "
        "near_duplicate_window_days: the same text (after normalisation) is refused, a substantially "
        "similar one (a rewording of the same story, see BW102) is held for a person. Posting an item once "
        'on each network is cross-posting, not duplication; fleet_scope = "operator" compares accounts '
        "across networks too. Give each account its own sources and voice."
    )
    kinds = _TEXT_KINDS

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        same = text_hash(action.text)
        if not same:
            return []
        others = ctx.fleet_others(action.account)
        if not others:
            return []
        since = action.at - days(int(ctx.settings["near_duplicate_window_days"]))
        exact = ctx.history.same_text_among(others, same, since)
        if exact is not None:
            return [
                self.finding(
                    f"{_another(ctx, exact.account)} posted the same text at {minute(exact.at)} UTC",
                    evidence={
                        "other_account": exact.account,
                        "earlier_id": exact.id,
                        "earlier_at": exact.at.isoformat(),
                        "earlier_text": exact.text,
                        "similarity": 1.0,
                    },
                )
            ]
        threshold = float(ctx.settings["near_duplicate_threshold"])
        score, post = _best(action, ctx, threshold, own=False)
        if post is None:
            return self._first_elsewhere(action, ctx, others, same, threshold)
        evidence = {"other_account": post.account, **similarity_evidence(action, post, score, threshold)}
        return [
            self.finding(
                f"{score:.0%} similar (heuristic) to what {_another(ctx, post.account)} posted at "
                f"{minute(post.at)} UTC ({_differs(evidence)})",
                evidence=evidence,
                severity=Severity.HOLD,
            )
        ]

    def _first_elsewhere(
        self, action: Action, ctx: CheckContext, others: tuple[str, ...], same: str, threshold: float
    ) -> list[Finding]:
        """The story waits in the queue of another account of the fleet whose feed published it first:
        that account keeps it, and this later copy is held, whichever of the two is checked first."""
        published = published_at(action)
        found = first_publisher(action, ctx, others, same, threshold, published)
        if found is None:
            return []
        score, first = found
        only_here, only_there = differences(action.text, first.text)
        evidence = {
            "other_account": first.account,
            "first_account": first.account,
            "first_published": first.published.isoformat(),
            "first_entry": first.id,
            "first_text": first.text,
            "this_published": published.isoformat(),
            "similarity": round(score, 3),
            "threshold": threshold,
            "only_in_this_post": only_here,
            "only_in_earlier_post": only_there,
        }
        return [
            self.finding(
                f"{score:.0%} similar (heuristic) to a post waiting in the queue of "
                f"{_another(ctx, first.account)} whose feed had the story first, at "
                f"{minute(first.published)} UTC (this one's feed: {minute(published)} UTC); the first "
                f"publisher keeps the story, so this later copy is held ({_differs(evidence)})",
                evidence=evidence,
                severity=Severity.HOLD,
            )
        ]


def published_at(action: Action) -> datetime:
    """When the action's item was published by its feed (first seen, where the feed gives no date); an
    action that says nothing of it counts as published now."""
    return action.published or action.at


def first_publisher(
    action: Action,
    ctx: CheckContext,
    others: tuple[str, ...],
    same: str,
    threshold: float,
    published: datetime,
) -> tuple[float, Waiting] | None:
    """The most similar post waiting for another account of the fleet whose item was published before
    this one's (within the near-duplicate window), or None."""
    since = published - days(int(ctx.settings["near_duplicate_window_days"]))
    mine = profile(action.text)
    best: tuple[float, Waiting] | None = None
    for account in others:
        for entry in ctx.facts.waiting.get(account, ()):
            if entry.id == action.id or not since <= entry.published < published:
                continue
            exact = bool(same) and text_hash(entry.text) == same
            score = 1.0 if exact else resemblance(mine, profile(entry.text))
            if score >= threshold and (best is None or score > best[0]):
                best = (score, entry)
    return best
