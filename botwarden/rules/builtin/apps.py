"""BW957: several X developer apps of one operator serving the same use case (reported on the account)."""

from __future__ import annotations

from collections import defaultdict

from botwarden.rules.builtin.setup import SetupRule
from botwarden.rules.context import CheckContext
from botwarden.rules.model import Action, Finding


class OneAppPerUseCase(SetupRule):
    code = "BW957"
    slug = "one-app-per-use-case"
    section = "X Developer Guidelines and Developer Policy (one developer app per use case)"
    summary = "Several X developer apps of one operator serving the same use case."
    explanation = (
        "X allows one developer app per use case; splitting one use case over several apps (to multiply "
        "the per-app budgets, say) is against its developer policy. botwarden compares the operator's X "
        "accounts: each names its app (`app`; none named: the configuration's one app) and its use case "
        "(`use_case`; none named: the feeds its routes post from, so two apps whose accounts post the "
        "same feeds serve one use case). When one use case is served through more than one app, it "
        "says which. Serve the use case through one app, or declare the use cases that differ."
    )

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        account = ctx.account
        if account.network != "x" or not account.use_case:
            return []
        apps = _apps_by_use_case(ctx, action).get(account.use_case, {})
        if len(apps) < 2:
            return []
        names = sorted(app or "(unnamed)" for app in apps)
        return [
            self.info(
                f"the use case '{account.use_case}' is served through {len(apps)} X apps "
                f"({', '.join(names)}); X allows one app per use case",
                use_case=account.use_case,
                apps={app or "(unnamed)": sorted(ids) for app, ids in sorted(apps.items())},
            )
        ]


def _apps_by_use_case(ctx: CheckContext, action: Action) -> dict[str, dict[str, set[str]]]:
    """The operator's X accounts by use case, then by app; worked out once a day."""
    key = ("apps-by-use-case", ctx.account.operator, action.at.date(), len(ctx.facts.accounts))
    found: dict[str, dict[str, set[str]]] | None = ctx.facts.daily.get(key)
    if found is not None:
        return found
    found = defaultdict(lambda: defaultdict(set))
    for other in ctx.facts.accounts.values():
        if other.network == "x" and other.operator == ctx.account.operator and other.use_case:
            found[other.use_case][other.app].add(other.id)
    found[ctx.account.use_case][ctx.account.app].add(ctx.account.id)
    ctx.facts.remember_daily(key, found)
    return found
