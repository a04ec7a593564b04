"""BW101: the same post twice from one account."""

from __future__ import annotations

from botwarden.rules.context import CheckContext
from botwarden.rules.model import Action, Finding, Severity, days, minute
from botwarden.rules.registry import Rule
from botwarden.similarity import text_hash


class DuplicatePost(Rule):
    code = "BW101"
    slug = "duplicate-post"
    severity = Severity.DENY
    section = "Automation Rules, ground rules (spam) and §1 (duplicative content)"
    summary = "The account already posted this text (after folding links, case, punctuation and emoji)."
    explanation = (
        "Posting the same message again from one account is the plainest sign of automated spam, and "
        "bots often do it without meaning to: a feed re-dates an entry, two feeds carry one wire story, a "
        "restart re-reads the backlog. botwarden compares the normalised text (links, case, punctuation, "
        "the '#' of hashtags, emoji variation and 'BREAKING:'-style prefixes folded away; every word, "
        "number and their order kept) with everything the account posted inside the window (setting "
        "duplicate_window_days, default 30). A post with no words, only a link, is never the same text. "
        "Post something new, or let the earlier post stand."
    )
    kinds = frozenset({"post", "reply", "quote"})

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        same = text_hash(action.text)
        if not same:
            return []
        window = int(ctx.settings["duplicate_window_days"])
        earlier = ctx.history.same_text(action.account, same, action.at - days(window))
        if earlier is None:
            return []
        return [
            self.finding(
                f"the same text was posted by {action.account} at {minute(earlier.at)} UTC "
                f"(within {window} days); post something new instead",
                evidence={
                    "earlier_id": earlier.id,
                    "earlier_at": earlier.at.isoformat(),
                    "earlier_text": earlier.text,
                    "window_days": window,
                },
            )
        ]
