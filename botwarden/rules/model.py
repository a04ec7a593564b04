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
class ReplyTarget:
    """The post a reply answers (the replay line's ``in_reply_to``)."""

    id: str
    user: str | None = None
    exists: bool = True  # False: it was deleted meanwhile (BW405)
    original: bool = True  # False: not the user's own original post (BW404)


@dataclass(frozen=True, slots=True)
class AttachedMedia:
    """An image or video posted with the action."""

    sensitive: bool = False
    alt: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class Campaign:
    """The campaign a reply or post belongs to (BW404, BW410, BW805)."""

    commercial: bool = False
    approved: bool = False

    def to_json(self) -> dict[str, bool]:
        return {"commercial": self.commercial, "approved": self.approved}


@dataclass(frozen=True, slots=True)
class Action:
    """One automated action an account is about to take, in the replay format's terms.

    The fields after ``limit`` are what the built-in rules read besides the text, typed; ``extra`` is
    free-form, for plugins' own keys. An ``extra`` that names one of those fields (the old way of passing
    them) fills the field and leaves ``extra``."""

    id: str
    kind: str
    account: str
    at: datetime
    text: str = ""
    links: tuple[str, ...] = ()
    network: str = ""
    limit: int | None = None
    # What triggered it: schedule, feed, keyword_search, opt_in or campaign (BW402, BW404, BW956).
    trigger: str | None = None
    # The feed's publisher declared the operator may republish it (BW956).
    source_declared: bool = False
    target_user: str | None = None
    target_display_name: str | None = None
    in_reply_to: ReplyTarget | None = None
    interaction: str | None = None  # the conversation the action answers (the consent rules)
    on_behalf: bool = False  # taken on behalf of the account's owner (the on-behalf rules)
    media: tuple[AttachedMedia, ...] = ()
    campaign: Campaign | None = None
    bulk: int | None = None  # how many one list addition or on-behalf action adds at once
    paid_partnership: bool = False  # X's paid-promotion label is set (BW805)
    generated: bool = False  # the text was written by a generative model (BW412)
    # When the item the post carries was published by its feed (BW103, BW910).
    published: datetime | None = None
    dropped_hashtags: tuple[str, ...] = ()  # hashtags the composer left out (BW201)
    content_warning: str = ""  # Mastodon counts it with the text (BW906)
    visibility: str | None = None  # Mastodon's visibility, where not the setting's (BW954)
    thread_part: int | None = None  # which part of a thread, from 1
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.extra and not TYPED_KEYS.isdisjoint(self.extra):
            for name, value in self.extra.items():
                if name in TYPED_KEYS:
                    object.__setattr__(self, name, _typed(name, value))
            object.__setattr__(self, "extra", {k: v for k, v in self.extra.items() if k not in TYPED_KEYS})


#: The keys of ``Action.extra`` that are typed fields now.
TYPED_KEYS = frozenset(
    {
        "trigger",
        "source_declared",
        "target_user",
        "target_display_name",
        "in_reply_to",
        "interaction",
        "on_behalf",
        "media",
        "campaign",
        "bulk",
        "paid_partnership",
        "generated",
        "published",
        "dropped_hashtags",
        "content_warning",
        "visibility",
        "thread_part",
    }
)


def _typed(name: str, value: Any) -> Any:
    """A value of the old free-form ``extra`` as its typed field holds it."""
    if name == "in_reply_to" and isinstance(value, dict):
        return ReplyTarget(**value)
    if name == "campaign" and isinstance(value, dict):
        return Campaign(**value)
    if name == "media":
        return tuple(AttachedMedia(**m) if isinstance(m, dict) else m for m in value or ())
    if name == "dropped_hashtags":
        return tuple(value or ())
    return value


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
