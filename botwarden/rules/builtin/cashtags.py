"""BW908: cashtags in a post made through X's self-serve API."""

from __future__ import annotations

from botwarden.language.cashtags import cashtags_in
from botwarden.rules.builtin._people import PUBLIC_KINDS
from botwarden.rules.builtin._x_access import self_serve_x
from botwarden.rules.context import CheckContext
from botwarden.rules.model import Action, Finding, Severity
from botwarden.rules.registry import Rule


class CashtagLimit(Rule):
    code = "BW908"
    slug = "cashtag-limit"
    severity = Severity.DENY
    section = "X API, manage Posts (self-serve access: at most one cashtag per post)"
    summary = "More than one cashtag in an X post made through the API."
    explanation = (
        "X refuses a post created through self-serve API access that holds more than one cashtag "
        "($AAPL, $BRK.B). Cashtags are found as X finds them (twitter-text's rules: '$' and up to six "
        "letters after a space or the start, so '$5' and 'US$5' are none), each one counted. Keep one, "
        "or write the others as words. The limit is `x.cashtags_per_post` (`botwarden limits`)."
    )
    kinds = PUBLIC_KINDS

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        if "$" not in action.text or not self_serve_x(ctx):
            return []
        found = cashtags_in(action.text)
        allowed = ctx.limits.count("x", "cashtags_per_post")
        if len(found) <= allowed:
            return []
        shown = " ".join("$" + tag for tag in found)
        return [
            self.finding(
                f"{len(found)} cashtags ({shown}); X accepts at most {allowed} in a post made through "
                "the API",
                evidence={"cashtags": found, "limit": allowed},
            )
        ]
