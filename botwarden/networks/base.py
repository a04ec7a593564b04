"""What every network adapter provides, and the one outcome taxonomy all network answers map into."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from botwarden.rules.facts import Budget


class OutcomeKind(enum.StrEnum):
    POSTED = "posted"
    DUPLICATE = "duplicate"
    RATE_LIMITED = "rate_limited"
    USAGE_CAPPED = "usage_capped"
    LOCKED = "locked"
    SPAM_FLAGGED = "spam_flagged"
    SUSPENDED = "suspended"
    WRITE_RESTRICTED = "write_restricted"
    AUTH_REVOKED = "auth_revoked"
    REJECTED = "rejected"
    TRANSIENT = "transient"


# Answers that mean a person must act: the account stops and is never retried in a loop.
STOPS_ACCOUNT = frozenset(
    {
        OutcomeKind.LOCKED,
        OutcomeKind.SPAM_FLAGGED,
        OutcomeKind.SUSPENDED,
        OutcomeKind.WRITE_RESTRICTED,
        OutcomeKind.AUTH_REVOKED,
    }
)
# Answers that mean "try again later": the post goes back to the queue with a later not_before.
RETRY_LATER = frozenset({OutcomeKind.RATE_LIMITED, OutcomeKind.USAGE_CAPPED, OutcomeKind.TRANSIENT})


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: OutcomeKind
    remote_id: str | None = None
    message: str = ""
    retry_at: datetime | None = None
    # What the answer's rate-limit headers said about the account's budget, when they said anything.
    budget: Budget | None = None
    # What the request cost (X bills per post); 0 where the network does not bill.
    cost_usd: float = 0.0
    # The request may have reached the network before the connection failed (a read timeout, a dropped
    # connection): the post may exist, so it is looked for before any resend.
    uncertain: bool = False

    @property
    def published(self) -> bool:
        """The network has the post (now or from before): it must never be sent again."""
        return self.kind in (OutcomeKind.POSTED, OutcomeKind.DUPLICATE)


@dataclass(frozen=True, slots=True)
class Media:
    """An image to attach, already fitted to the network's limits and described (``alt``)."""

    data: bytes
    mime_type: str
    alt: str = ""
    width: int = 0
    height: int = 0
    sensitive: bool = False  # the feed rates it adult: marked so where the network can mark it


@dataclass(frozen=True, slots=True)
class LinkCard:
    """What a link preview shows (Bluesky builds the card itself; the others read the page)."""

    url: str
    title: str
    description: str = ""
    image: Media | None = None


@dataclass(frozen=True, slots=True)
class Post:
    """One post as a network adapter sends it: the checked text plus the route's network options."""

    text: str
    idempotency_key: str
    language: str = ""
    visibility: str = "unlisted"  # Mastodon: public, unlisted, private
    content_warning: str = ""  # Mastodon spoiler text
    reply_settings: str = ""  # X: following, mentionedUsers, subscribers, verified (empty: everyone)
    media: tuple[Media, ...] = ()
    card: LinkCard | None = None
    links: tuple[str, ...] = field(default=())
    paid_partnership: bool = False  # X: labelled as paid promotion (BW805)
    # The remote id of the post this one answers: a reply's, or for a part of a thread after the first,
    # the part before it; the thread's first post is its ``thread_root`` (Bluesky names both in a reply).
    reply_to: str | None = None
    thread_root: str | None = None

    @property
    def sensitive(self) -> bool:
        return any(media.sensitive for media in self.media) or bool(
            self.card and self.card.image and self.card.image.sensitive
        )


@dataclass(frozen=True, slots=True)
class Profile:
    """How the account presents itself, read from the network for the setup checks (BW951-BW957) and
    the young-account checks (BW909). None: the network does not say."""

    handle: str
    bio: str = ""
    bot_flag: bool = False
    automated_label: bool = False  # X's API does not show it (BW951): never read from X
    verified: bool = False
    char_limit: int | None = None  # the server's own limit, where it publishes one (Mastodon)
    created_at: datetime | None = None
    followers: int | None = None
    posts: int | None = None
    has_avatar: bool | None = None
    server_rules: tuple[ServerRule, ...] = ()  # the rules the server publishes (Mastodon)


@dataclass(frozen=True, slots=True)
class ServerRule:
    """One rule a server publishes for its users (Mastodon's ``rules[]``: an id, the rule, a longer hint)."""

    id: str
    text: str
    hint: str = ""


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """Something a person sent the account: a mention, a reply to it, or a direct message."""

    id: str
    user: str
    text: str
    at: datetime
    via: str  # mention, reply or dm


class Network(Protocol):
    """A network adapter. No method raises for a network's answer: answers map to an Outcome."""

    name: str

    def publish(self, account: str, post: Post, *, at: datetime) -> Outcome: ...

    def find_published(self, account: str, post: Post) -> str | None:
        """The remote id of this post if the account's recent posts (or the idempotency key) show it.

        Raises :class:`NetworkUnavailable` when the network cannot tell, so the entry stays unresolved.
        """
        ...

    def probe(self, account: str) -> Outcome | None:
        """A cheap authenticated read: None when the account works, else the outcome that says why not."""
        ...

    def profile(self, account: str) -> Profile:
        """The account's profile; raises :class:`NetworkUnavailable` when it cannot be read."""
        ...

    def inbound(self, account: str, cursor: str | None) -> tuple[list[InboundMessage], str | None]:
        """What people sent the account since ``cursor``, and the cursor to pass next time."""
        ...


# -- what some networks offer beyond the protocol -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContentRef:
    """Someone's post or direct message that the store refers to by the network's id."""

    id: str
    kind: str  # post or message


@dataclass(frozen=True, slots=True)
class StandingProblem:
    """Something the network shows about the account that stops it like a lock: a moderation label on it
    or its posts, or the account seen as limited or suspended from another server."""

    status: str  # labelled, limited, suspended: the account's stopped status
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class UsageReport:
    """What the network says the app used (X: ``GET /2/usage/tweets``): posts read per UTC day, and the
    monthly cap."""

    daily: dict[str, int]  # UTC day (YYYY-MM-DD) -> posts
    scope: str  # "project", or "client app ID"
    cap: int | None = None
    used: int | None = None
    cap_reset_day: int | None = None  # the day of the month the cap resets


@runtime_checkable
class Watched(Protocol):
    """A network that can show what its moderators did to an account without refusing a request."""

    def standing(self, account: str) -> list[StandingProblem]:
        """What stops the account now (empty: nothing); raises NetworkUnavailable when it cannot tell."""
        ...


@runtime_checkable
class Retention(Protocol):
    """A network whose content the store must forget once it is deleted there (X's Developer Policy)."""

    def deleted(self, account: str, refs: list[ContentRef]) -> set[str]:
        """The ids of ``refs`` the network says are gone (deleted, withheld, protected); raises
        NetworkUnavailable when it cannot tell."""
        ...


@runtime_checkable
class Metered(Protocol):
    """A network that bills per use and reports the app's usage."""

    def reports_usage(self) -> bool:
        """Whether :meth:`usage` can be asked (X: the app's bearer token is known)."""
        ...

    def usage(self, days: int) -> UsageReport:
        """The app's usage for the last ``days`` UTC days; raises NetworkUnavailable when it cannot."""
        ...


@runtime_checkable
class PublishesRules(Protocol):
    """A network whose servers publish rules for their users."""

    def server_rules(self, account: str) -> list[ServerRule]:
        """The rules of the account's server; raises NetworkUnavailable when they cannot be read."""
        ...
