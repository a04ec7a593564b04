"""An operator's own word on a rule for one route or account: another severity, or ignore it.

A weather route that posts every hour may want BW102 as a warning rather than a hold; an account whose
server requires a hashtag may not want BW105 at all. Overrides are set in the configuration
(``rules = { BW102 = "warn" }`` on a route or an account; a route's win over its account's) and keyed by
code or slug. An overridden finding stays in the verdict with its new severity and says who changed it,
so the verdict and ``explain`` always show what the operator decided; an ignored rule's findings become
``info``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from botwarden.rules.model import Finding, Severity
from botwarden.rules.registry import Registry

#: What an override may set a rule to. A delay needs a time only the rule knows, so it cannot be set.
CHOICES = {"ignore": Severity.INFO, "info": Severity.INFO, "warn": Severity.WARN, "hold": Severity.HOLD,
           "deny": Severity.DENY}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Override:
    code: str
    choice: str  # one of CHOICES
    source: str  # who set it: "route weather->hourly", "account harbour-x"

    @property
    def severity(self) -> Severity:
        return CHOICES[self.choice]


def parse(raw: Mapping[str, str], registry: Registry, source: str) -> dict[str, Override]:
    """``{code or slug: choice}`` as overrides by code; raises ValueError naming what is wrong."""
    found: dict[str, Override] = {}
    for key, choice in raw.items():
        rule = registry.get(key)
        if rule is None:
            raise ValueError(f"rules: no rule '{key}' (see `botwarden rules` for codes and slugs)")
        if choice not in CHOICES:
            raise ValueError(f"rules.{key}: '{choice}' is not one of {', '.join(CHOICES)}")
        found[rule.code] = Override(rule.code, choice, source)
    return found


def merged(*layers: Mapping[str, Override]) -> dict[str, Override]:
    """Overrides of several layers, the later ones winning (an account's, then its route's)."""
    out: dict[str, Override] = {}
    for layer in layers:
        out.update(layer)
    return out


def apply(findings: Iterable[Finding], overrides: Mapping[str, Override]) -> list[Finding]:
    """The findings with the operator's severities, each changed one saying so."""
    out = []
    for finding in findings:
        override = overrides.get(finding.code)
        if override is None or override.severity == finding.severity:
            out.append(finding)
            continue
        was = finding.severity.label
        done = "ignored" if override.choice == "ignore" else f"{was} → {override.severity.label}"
        out.append(
            replace(
                finding,
                severity=override.severity,
                message=f"{finding.message} [{done} by {override.source}]",
                evidence={
                    **finding.evidence,
                    "override": {"from": was, "to": override.choice, "by": override.source},
                },
                not_before=None,
            )
        )
    return out
