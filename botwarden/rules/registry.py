"""The rule registry. Built-in rules load through the ``botwarden.rules`` entry-point group, exactly as a
third-party plugin's rules do: an entry point names an iterable of :class:`Rule` subclasses."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, ClassVar

from botwarden.errors import ConfigError
from botwarden.rules.model import Finding, Severity
from botwarden.rules.retired import RETIRED, Retired

if TYPE_CHECKING:
    from datetime import datetime
    from typing import Any

    from botwarden.rules.context import CheckContext
    from botwarden.rules.model import Action

ENTRY_POINT_GROUP = "botwarden.rules"
CODE_PATTERN = re.compile(r"^BW\d{3}$")
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
ENFORCED = ("auto", "setup", "attest")


class Rule:
    """One rule: its identity and documentation as class attributes, and a ``check``."""

    code: ClassVar[str]
    slug: ClassVar[str]
    severity: ClassVar[Severity]
    section: ClassVar[str]  # the part of the Automation Rules (or the network's limit) it enforces
    summary: ClassVar[str]
    explanation: ClassVar[str]
    enforced: ClassVar[str] = "auto"
    kinds: ClassVar[frozenset[str]] = frozenset({"post"})  # action kinds the rule looks at

    @property
    def family(self) -> str:
        return self.code[:3] + "xx"

    def check(self, action: Action, ctx: CheckContext) -> Iterable[Finding]:
        """The findings for ``action``; none when the rule has nothing to say. Any iterable will do; the
        built-in rules return lists, since the engine calls every rule on every action and a generator
        per call costs more than most rules' own work."""
        raise NotImplementedError

    def finding(
        self,
        message: str,
        *,
        evidence: dict[str, Any] | None = None,
        severity: Severity | None = None,
        not_before: datetime | None = None,
    ) -> Finding:
        return Finding(
            self.code,
            self.slug,
            self.severity if severity is None else severity,
            message,
            evidence or {},
            not_before,
        )


class Registry:
    """All known rules by code, with slug lookup and select/ignore filtering."""

    def __init__(self, retired: Iterable[Retired] = RETIRED) -> None:
        self._rules: dict[str, Rule] = {}
        self._slugs: dict[str, str] = {}
        self._retired = {key: r for r in retired for key in (r.code, r.slug)}

    def register(self, rule: Rule) -> None:
        _validate(rule)
        for key in (rule.code, rule.slug):
            gone = self._retired.get(key)
            if gone is not None:
                raise ValueError(
                    f"{type(rule).__name__}: {key} belonged to {gone.code} {gone.slug}, retired in "
                    f"{gone.version} ({gone.reason}); a retired code or slug is never reused, choose another"
                )
        if rule.code in self._rules:
            raise ValueError(
                f"rule code {rule.code} is registered twice "
                f"({type(self._rules[rule.code]).__name__}, {type(rule).__name__})"
            )
        if rule.slug in self._slugs:
            raise ValueError(f"rule slug {rule.slug!r} is registered twice")
        self._rules[rule.code] = rule
        self._slugs[rule.slug] = rule.code

    def __iter__(self) -> Iterator[Rule]:
        return iter(sorted(self._rules.values(), key=lambda r: r.code))

    def __len__(self) -> int:
        return len(self._rules)

    def get(self, code_or_slug: str) -> Rule | None:
        key = code_or_slug.strip()
        code = self._slugs.get(key.lower(), key.upper())
        return self._rules.get(code)

    def matches(self, rule: Rule, patterns: Iterable[str]) -> bool:
        for pattern in patterns:
            p = pattern.strip()
            if p.lower() == rule.slug or rule.code.startswith(p.upper()):
                return True
        return False

    def active(self, select: Iterable[str] = (), ignore: Iterable[str] = ()) -> list[Rule]:
        select, ignore = list(select), list(ignore)
        for pattern in [*select, *ignore]:
            gone = self._retired.get(pattern.strip().upper()) or self._retired.get(pattern.strip().lower())
            if gone is not None:
                raise ConfigError(
                    f"select/ignore: {gone.code} {gone.slug} was retired in {gone.version} "
                    f"({gone.reason}); leave it out"
                )
            if not any(self.matches(rule, [pattern]) for rule in self._rules.values()):
                raise ConfigError(
                    f"select/ignore: '{pattern}' matches no rule code, prefix or slug; see `botwarden rules`"
                )
        return [r for r in self if (not select or self.matches(r, select)) and not self.matches(r, ignore)]


def _validate(rule: Rule) -> None:
    name = type(rule).__name__
    if not CODE_PATTERN.match(getattr(rule, "code", "")):
        raise ValueError(f"{name}: rule code must look like BW123")
    if not SLUG_PATTERN.match(getattr(rule, "slug", "")):
        raise ValueError(f"{name}: rule slug must be lower-case words joined by '-'")
    for attr in ("section", "summary", "explanation"):
        if not str(getattr(rule, attr, "")).strip():
            raise ValueError(f"{name}: rule {attr} is missing")
    if rule.enforced not in ENFORCED:
        raise ValueError(f"{name}: enforced must be one of {ENFORCED}")


def load_registry() -> Registry:
    """A registry with every rule from every installed ``botwarden.rules`` entry point."""
    registry = Registry()
    found = entry_points(group=ENTRY_POINT_GROUP)
    if not found:
        raise ConfigError(
            "no rules are installed (entry-point group 'botwarden.rules' is empty); reinstall botwarden"
        )
    for entry in sorted(found, key=lambda e: (e.name != "builtin", e.name)):
        for rule_class in entry.load():
            registry.register(rule_class())
    return registry
