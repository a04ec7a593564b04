"""BW607: actions the account's API access no longer offers (X self-serve, since 20 April 2026)."""

from __future__ import annotations

from botwarden.rules.builtin._x_access import names, self_serve_x, since
from botwarden.rules.builtin.engagement import ENGAGEMENT_KINDS
from botwarden.rules.context import CheckContext
from botwarden.rules.model import Action, Finding, Severity
from botwarden.rules.registry import Rule

_PLURAL = {"like": "likes", "follow": "follows", "quote": "quote posts", "unfollow": "unfollows"}


class ActionNotOffered(Rule):
    code = "BW607"
    slug = "action-not-offered"
    severity = Severity.DENY
    section = "X API changelog (20 Apr 2026: follows, likes and quote posts removed from self-serve access)"
    summary = "An action the account's API access does not offer, so the network would refuse it."
    explanation = (
        "Since 20 April 2026 X's self-serve API access (pay-per-use and the older Free, Basic and Pro "
        "tiers) no longer offers follows, likes or quote posts; only enterprise and public-utility "
        "access do. botwarden refuses such an action on X unless the account's `access` names a level "
        "that has it, rather than spend a request on a refusal. The list of removed actions is the "
        "`x.actions_not_offered` limit (`botwarden limits --network x`)."
    )
    kinds = ENGAGEMENT_KINDS

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        if action.kind not in names(ctx, "actions_not_offered") or not self_serve_x(ctx):
            return []
        what = _PLURAL.get(action.kind, action.kind)
        return [
            self.finding(
                f"X's {ctx.account.access} API access does not offer {what}"
                f"{since(ctx, 'actions_not_offered')}; X would refuse it",
                evidence={"kind": action.kind, "access": ctx.account.access},
            )
        ]
