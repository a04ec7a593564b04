"""The shapes the rule engine works with: actions, findings and verdicts (see RULES.md)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Literal, get_args

ActionKind = Literal[
    "post",
    "reply",
    "mention",
    "dm",
    "like",
    "repost",
    "quote",
    "follow",
    "unfollow",
    "list_add",
    "collection_add",
    "delete",
]
ACTION_KINDS: frozenset[str] = frozenset(get_args(ActionKind))

# X's API access levels. The self-serve ones (pay-per-use and the older Free, Basic and Pro) lost
# unsummoned replies, follows, likes and quote posts in 2026; the others keep them (BW411, BW607).
AccessLevel = Literal["self-serve", "pay-per-use", "free", "basic", "pro", "enterprise", "public-utility"]
ACCESS_LEVELS: tuple[str, ...] = get_args(AccessLevel)


class Severity(enum.IntEnum):
    INFO = 0
    WARN = 1
    DELAY = 2
    HOLD = 3
    DENY = 4

    @property
    def label(self) -> str:
        return self.name.lower()


class Decision(enum.StrEnum):
    ALLOW = "allow"
    DELAY = "delay"
    HOLD = "hold"
    DENY = "deny"

    @classmethod
    def for_severity(cls, severity: Severity) -> Decision:
        return _DECISIONS[severity]  # every verdict asks: a table, not an enum lookup by value


_DECISIONS = {
    severity: Decision.ALLOW if severity <= Severity.WARN else Decision(severity.label)
    for severity in Severity
}


@dataclass(frozen=True, slots=True)
class Action:
    """One automated action an account is about to take, in the replay format's terms."""

    id: str
    kind: str
    account: str
    at: datetime
    text: str = ""
    links: tuple[str, ...] = ()
    network: str = ""
    limit: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    slug: str
    severity: Severity
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)
    not_before: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "slug": self.slug,
            "severity": self.severity.label,
            "message": self.message,
            "evidence": self.evidence,
        }


@dataclass(frozen=True, slots=True)
class Verdict:
    action_id: str
    decision: Decision
    findings: tuple[Finding, ...]
    not_before: datetime | None = None

    @property
    def codes(self) -> list[str]:
        """Codes of the findings at warn or above, sorted (the replay verdict's ``codes``)."""
        return sorted({f.code for f in self.findings if f.severity >= Severity.WARN})

    def reason(self) -> str:
        """The strongest finding's message, or '' for a clean allow."""
        strongest = max(self.findings, key=lambda f: f.severity, default=None)
        return strongest.message if strongest and strongest.severity >= Severity.WARN else ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.action_id,
            "decision": self.decision.value,
            "codes": self.codes,
            "findings": [f.to_json() for f in self.findings],
            "not_before": self.not_before.isoformat() if self.not_before else None,
        }


def minute(at: datetime) -> str:
    """``2026-03-21 12:05``: a time as findings quote it (``strftime`` takes five times as long)."""
    # %-formatting: half the time of an f-string with format specifiers, on every finding that quotes a time
    return "%04d-%02d-%02d %02d:%02d" % (at.year, at.month, at.day, at.hour, at.minute)  # noqa: UP031


# Rules measure their windows in days or hours from settings that rarely change; building a timedelta
# costs more than the cached lookup, and a check builds several.
@lru_cache(maxsize=128)
def days(count: float) -> timedelta:
    return timedelta(days=count)


@lru_cache(maxsize=128)
def hours(count: float) -> timedelta:
    return timedelta(hours=count)
