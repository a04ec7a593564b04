"""The rule engine: run every active rule on an action and combine the findings into a verdict."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from botwarden.rules import overrides
from botwarden.rules.context import CheckContext
from botwarden.rules.model import Action, Decision, Finding, Verdict
from botwarden.rules.registry import Registry, Rule, load_registry


class Engine:
    def __init__(
        self, registry: Registry | None = None, *, select: Iterable[str] = (), ignore: Iterable[str] = ()
    ) -> None:
        self.registry = registry if registry is not None else load_registry()
        self.rules: list[Rule] = self.registry.active(select, ignore)
        self._by_kind: dict[str, list[Callable[[Action, CheckContext], Iterable[Finding]]]] = {}

    def check(self, action: Action, ctx: CheckContext) -> Verdict:
        checks = self._by_kind.get(action.kind)
        if checks is None:  # each kind's rules, in catalogue order, found once (bound once, too)
            checks = self._by_kind[action.kind] = [r.check for r in self.rules if action.kind in r.kinds]
        findings: list[Finding] = []
        for check in checks:
            if found := check(action, ctx):
                findings += found
        if ctx.overrides and findings:
            findings = overrides.apply(findings, ctx.overrides)
        return combine(action.id, findings)


def combine(action_id: str, findings: list[Finding]) -> Verdict:
    """The strongest finding decides; a delay waits for the latest of its delaying findings."""
    if not findings:
        return Verdict(action_id, Decision.ALLOW, ())
    strongest = max(f.severity for f in findings)
    decision = Decision.for_severity(strongest)
    not_before = None
    if decision is Decision.DELAY:
        not_before = max((f.not_before for f in findings if f.not_before), default=None)
    ordered = tuple(sorted(findings, key=_strongest_first)) if len(findings) > 1 else tuple(findings)
    return Verdict(action_id, decision, ordered, not_before)


def _strongest_first(finding: Finding) -> tuple[int, str]:
    return -finding.severity, finding.code
