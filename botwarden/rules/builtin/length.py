"""BW906: the text does not fit the network."""

from __future__ import annotations

from botwarden.rules.context import CheckContext
from botwarden.rules.model import Action, Finding, Severity
from botwarden.rules.registry import Rule
from botwarden.text import DEFAULT_LIMITS, measure


class TooLong(Rule):
    code = "BW906"
    slug = "too-long"
    severity = Severity.DENY
    section = "Network limits (X 280 weighted, Mastodon the server's limit, Bluesky 300 graphemes)"
    summary = "The text is longer than the network accepts, measured the way that network measures it."
    explanation = (
        "Each network counts differently: X weighs characters (most Latin text 1, CJK and emoji 2) and "
        "counts every link as 23; Mastodon counts graphemes of the content warning and the text together, "
        "with links as 23, up to the server's own limit; Bluesky allows 300 graphemes and 3,000 bytes. "
        "The composer shortens the summary, then the title, and never the link; a post that still does "
        "not fit is refused rather than cut somewhere a reader would notice. Shorten the template or its "
        "fixed text."
    )
    kinds = frozenset({"post", "reply", "mention", "quote", "dm"})

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        network = action.network or ctx.account.network
        if network not in DEFAULT_LIMITS or action.kind == "dm":
            return []
        warning = action.content_warning  # Mastodon counts it with the text
        size = measure(action.text, network, limit=action.limit, content_warning=warning)
        if size.valid:
            return []
        what = "is empty" if size.length == 0 else f"measures {size.length} of {size.limit}"
        if network == "bluesky" and size.length <= size.limit:
            what = f"is {size.nbytes} bytes, over Bluesky's 3,000"
        return [
            self.finding(
                f"the text {what} on {network}; shorten the template",
                evidence={
                    "length": size.length,
                    "limit": size.limit,
                    "network": network,
                    "bytes": size.nbytes,
                },
            )
        ]
