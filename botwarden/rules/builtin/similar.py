"""BW102 near-duplicate post and BW103 cross-account duplicate."""

from __future__ import annotations

from botwarden.rules.context import CheckContext, PastPost
from botwarden.rules.model import Action, Finding, Severity, days, minute
from botwarden.rules.registry import Rule
from botwarden.similarity import text_hash

_TEXT_KINDS = frozenset({"post", "reply", "quote", "mention"})


def _similar_in_fleet(action: Action, ctx: CheckContext, threshold: float) -> list[tuple[float, PastPost]]:
    """Earlier posts of the operator's accounts (this one included) in the window, at least ``threshold``
    similar, best first: one search serves BW102 (this account) and BW103 (the others)."""
    key = ("similar-in-fleet", action.id, action.text, threshold)
    if key not in ctx.memo:
        window = int(ctx.setting("near_duplicate_window_days", 7))
        fleet = ctx.facts.operator_fleet(ctx.account.operator, including=action.account)
        since = action.at - days(window)
        ctx.memo[key] = ctx.history.similar(action.text, fleet, since, action.at, threshold)
    found: list[tuple[float, PastPost]] = ctx.memo[key]
    return found


def _best(action: Action, ctx: CheckContext, threshold: float, *, own: bool) -> tuple[float, PastPost | None]:
    """The most similar earlier post of this account (``own``) or of the operator's others, not counting
    exact copies (BW101's)."""
    same = text_hash(action.text)
    for score, post in _similar_in_fleet(action, ctx, threshold):
        if post.text_hash != same and (post.account == action.account) == own:
            return score, post
    return 0.0, None


class NearDuplicatePost(Rule):
    code = "BW102"
    slug = "near-duplicate-post"
    severity = Severity.HOLD
    section = "Automation Rules, ground rules (spam) and §1 (duplicative or substantially similar content)"
    summary = "The account posted substantially similar text recently (heuristic similarity)."
    explanation = (
        "Spam systems look for near-copies as well as exact ones: the same headline with one word changed, "
        "a re-worded wire story, a template that differs only in a number. botwarden compares the "
        "normalised words of the post with the account's posts of the last near_duplicate_window_days "
        "(default 7). At near_duplicate_threshold (default 0.7) a person should look, so the post is held; "
        "at near_duplicate_deny (default 0.9) it is refused. These thresholds are botwarden's heuristic: "
        "the platforms publish none. Exact copies are BW101's."
    )
    kinds = _TEXT_KINDS

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        if not action.text.strip():
            return []
        threshold = float(ctx.setting("near_duplicate_threshold", 0.7))
        score, post = _best(action, ctx, threshold, own=True)
        if post is None or score < threshold:
            return []
        deny_at = float(ctx.setting("near_duplicate_deny", 0.9))
        severity = Severity.DENY if score >= deny_at else Severity.HOLD
        return [
            self.finding(
                f"{score:.0%} similar (heuristic) to the post of {minute(post.at)} UTC on this account; "
                "post something that says something new",
                evidence={
                    "similarity": round(score, 3),
                    "earlier_id": post.id,
                    "earlier_at": post.at.isoformat(),
                    "earlier_text": post.text,
                    "threshold": threshold,
                },
                severity=severity,
            )
        ]


class CrossAccountDuplicate(Rule):
    code = "BW103"
    slug = "cross-account-duplicate"
    severity = Severity.DENY
    section = "Automation Rules, ground rules (duplicate accounts; spam across multiple accounts)"
    summary = "Another account of the same operator posted the same or substantially similar content."
    explanation = (
        "Posting one story from several accounts, even hours apart, is what the rules on duplicative "
        "accounts forbid and what gets whole fleets of customer bots locked at once. botwarden looks at "
        "the operator's other accounts over the last near_duplicate_window_days: an identical post "
        "(after normalisation) is refused, a substantially similar one (heuristic similarity at "
        "near_duplicate_threshold) is held for a person. Give each account its own sources and voice."
    )
    kinds = _TEXT_KINDS

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        if not action.text.strip():
            return []
        others = ctx.facts.operator_accounts(ctx.account.operator, besides=action.account)
        since = action.at - days(int(ctx.setting("near_duplicate_window_days", 7)))
        same = text_hash(action.text)
        exact = ctx.history.same_text_among(others, same, since)
        if exact is not None:
            return [
                self.finding(
                    f"{exact.account}, another account of operator {ctx.account.operator}, posted the same "
                    f"text at {minute(exact.at)} UTC",
                    evidence={
                        "other_account": exact.account,
                        "earlier_id": exact.id,
                        "earlier_at": exact.at.isoformat(),
                        "earlier_text": exact.text,
                        "similarity": 1.0,
                    },
                )
            ]
        threshold = float(ctx.setting("near_duplicate_threshold", 0.7))
        score, post = _best(action, ctx, threshold, own=False) if others else (0.0, None)
        if post is not None and score >= threshold:
            return [
                self.finding(
                    f"{score:.0%} similar (heuristic) to what {post.account}, another account of operator "
                    f"{ctx.account.operator}, posted at {minute(post.at)} UTC",
                    evidence={
                        "other_account": post.account,
                        "earlier_id": post.id,
                        "earlier_at": post.at.isoformat(),
                        "earlier_text": post.text,
                        "similarity": round(score, 3),
                    },
                    severity=Severity.HOLD,
                )
            ]
        return []
