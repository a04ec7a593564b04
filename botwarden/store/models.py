"""The store's tables (SQLAlchemy 2). Migrations in ``migrations/`` create them; a test keeps both equal."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC, returns timezone-aware datetimes on every backend (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; botwarden keeps every time zone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class FeedRow(Base):
    __tablename__ = "feeds"
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text, default="")
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    next_fetch_at: Mapped[datetime | None]
    last_fetched_at: Mapped[datetime | None]
    last_status: Mapped[str] = mapped_column(String(40), default="")
    error_streak: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")


class ItemRow(Base):
    __tablename__ = "items"
    __table_args__ = (UniqueConstraint("feed_id", "identity", name="uq_items_feed_identity"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feed_id: Mapped[str] = mapped_column(ForeignKey("feeds.id"), index=True)
    identity: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(Text, default="")
    categories: Mapped[list[Any]] = mapped_column(default=list)
    published: Mapped[datetime | None]
    first_seen_at: Mapped[datetime]
    edited_at: Mapped[datetime | None]
    # The images the feed names for the item (feeds.MediaRef as dicts), and whether they are fetched yet:
    # "" (no route wants them), "pending", or "ready" (item_media holds what was fetched).
    media: Mapped[list[Any]] = mapped_column(default=list)
    media_state: Mapped[str] = mapped_column(String(10), default="")


class ItemMediaRow(Base):
    """An image fetched once for an item (from its feed, or its page's og:image), cleaned of metadata and
    kept at the largest size any network takes; or why it could not be fetched (``error``, no data)."""

    __tablename__ = "item_media"
    __table_args__ = (UniqueConstraint("item_id", "position", name="uq_item_media_position"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(20))  # enclosure, media:content, ..., img, page
    url: Mapped[str] = mapped_column(Text)
    mime_type: Mapped[str] = mapped_column(String(40), default="")
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)
    alt: Mapped[str] = mapped_column(Text, default="")  # the feed's (or page's) own words for it
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str] = mapped_column(Text, default="")


class AccountRow(Base):
    __tablename__ = "accounts"
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    network: Mapped[str] = mapped_column(String(20))
    operator: Mapped[str] = mapped_column(String(100), default="default")
    status: Mapped[str] = mapped_column(String(20), default="ok")
    status_since: Mapped[datetime | None]
    status_reason: Mapped[str] = mapped_column(Text, default="")
    # A stopped account is probed with one cheap read at most once a day; this is when next.
    next_probe_at: Mapped[datetime | None]
    # What the network's rate-limit headers last said (shared by every worker; BW901 reads it).
    rate_remaining: Mapped[int | None] = mapped_column(Integer)
    rate_reset_at: Mapped[datetime | None]
    # Where reading the account's mentions and messages stopped, and when to read them next.
    inbound_cursor: Mapped[str | None] = mapped_column(Text)
    next_inbound_at: Mapped[datetime | None]


class CredentialRow(Base):
    """An account's tokens, encrypted with the operator's key (never stored or logged in clear)."""

    __tablename__ = "credentials"
    account_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    sealed: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]


class ApiTokenRow(Base):
    """An API or dashboard token: scoped to one operator (or admin), stored as a SHA-256 hash only."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    operator: Mapped[str | None] = mapped_column(String(100))  # None: admin, every operator
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class DashboardSessionRow(Base):
    """A dashboard login: its cookie carries the secret, the store keeps its hash and whether it ended
    (logged out, or its token revoked), so a cookie captured before then no longer opens a page."""

    __tablename__ = "dashboard_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id"), index=True)
    created_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class RouteRow(Base):
    __tablename__ = "routes"
    id: Mapped[str] = mapped_column(String(210), primary_key=True)
    feed_id: Mapped[str] = mapped_column(ForeignKey("feeds.id"), index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    seeded_at: Mapped[datetime | None]


class QueueRow(Base):
    __tablename__ = "queue"
    __table_args__ = (
        UniqueConstraint("route_id", "item_id", name="uq_queue_route_item"),
        Index("ix_queue_due", "state", "not_before"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    route_id: Mapped[str] = mapped_column(ForeignKey("routes.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    state: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    length: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    was_delayed: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None]
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    remote_id: Mapped[str | None] = mapped_column(Text)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # A person approved this held entry: holds by these rule codes no longer stop it (new ones still do).
    approved_by: Mapped[str | None] = mapped_column(String(200))
    approved_codes: Mapped[list[Any]] = mapped_column(default=list)


class ThreadPartRow(Base):
    """One post of a thread a queue entry makes of a long item. Fixed once the first part is sent; a part
    with a ``remote_id`` is on the network and is never sent again."""

    __tablename__ = "thread_parts"
    __table_args__ = (UniqueConstraint("queue_id", "position", name="uq_thread_part_position"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queue.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 0 is the thread's first post
    text: Mapped[str] = mapped_column(Text)
    length: Mapped[int] = mapped_column(Integer, default=0)
    remote_id: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]


class VerdictRow(Base):
    __tablename__ = "verdicts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queue.id"), index=True)
    at: Mapped[datetime]
    decision: Mapped[str] = mapped_column(String(10))
    codes: Mapped[list[Any]] = mapped_column(default=list)
    findings: Mapped[list[Any]] = mapped_column(default=list)
    not_before: Mapped[datetime | None]
    # What explains the verdict in one line: its strongest finding's message, else a note a rule checked
    # on every action left (e.g. a trending hashtag dropped). None on verdicts stored before it was kept.
    reason: Mapped[str | None] = mapped_column(Text)


class HistoryRow(Base):
    __tablename__ = "history"
    __table_args__ = (
        Index("ix_history_account_at", "account_id", "at"),
        Index("ix_history_account_hash", "account_id", "text_hash"),
        Index("ix_history_hash_at", "text_hash", "at"),  # the same text among a fleet's accounts
        UniqueConstraint("account_id", "external_id", name="uq_history_account_external"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    at: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text)
    text_hash: Mapped[str] = mapped_column(String(64))
    link: Mapped[str] = mapped_column(Text, default="")
    queue_id: Mapped[int | None] = mapped_column(ForeignKey("queue.id"), unique=True)
    remote_id: Mapped[str | None] = mapped_column(Text)
    # What the network billed for the post (X's per-post prices), for the cost meter.
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    # The post's similarity profile (``Profile.to_bytes``), so indexing it needs no text work.
    profile: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    # A post that outside software made and reported through the API: the caller's own id for it, and
    # the verdict the check API gave when the caller asked it to record the post as taken.
    external_id: Mapped[str | None] = mapped_column(String(200))
    check_verdict: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class SkippedRow(Base):
    """An item a route did not queue, and why: a filter, its age, the first run's backlog, no login."""

    __tablename__ = "skipped_items"
    __table_args__ = (
        UniqueConstraint("route_id", "item_id", name="uq_skipped_route_item"),
        Index("ix_skipped_account_at", "account_id", "at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime]
    route_id: Mapped[str] = mapped_column(ForeignKey("routes.id"))
    account_id: Mapped[str] = mapped_column(String(100))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")


class LocalPostRow(Base):
    """The timeline of the ``local`` network: where its posts land, as a remote server would keep them."""

    __tablename__ = "local_posts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[str] = mapped_column(String(100), index=True)
    at: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)


class EventRow(Base):
    """The audit trail: everything botwarden decided or did, with its reason."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_at", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(40))
    account_id: Mapped[str | None] = mapped_column(String(100))
    feed_id: Mapped[str | None] = mapped_column(String(100))
    queue_id: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ConsentRow(Base):
    """The consent ledger, append-only: one line per opt-in, opt-out, ended interaction, contact sent,
    owner's consent or opt-out, and purpose version (``kind``). Nothing is updated or deleted, so the
    ledger can always say what stood at a given time, and who recorded it."""

    __tablename__ = "consent_ledger"
    __table_args__ = (Index("ix_consent_account_user", "account_id", "user"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    account_id: Mapped[str | None] = mapped_column(String(100))
    user: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime]
    via: Mapped[str | None] = mapped_column(String(20))
    interaction: Mapped[str | None] = mapped_column(Text)
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    owner: Mapped[str | None] = mapped_column(String(200))
    actions: Mapped[list[Any]] = mapped_column(default=list)
    purpose_version: Mapped[str | None] = mapped_column(String(100))
    delete_notice: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by: Mapped[str] = mapped_column(String(200), default="")
    recorded_at: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text, default="")
    # A redaction line names the line whose network content it removed (what that line meant stands).
    refers_to: Mapped[int | None] = mapped_column(Integer)


class LinkChainRow(Base):
    """A resolved link's redirect chain (the resolver's cache, shared by every worker). What each hop
    is and whether it is blocked are decided when a post is checked, from the current host lists."""

    __tablename__ = "link_chains"
    url: Mapped[str] = mapped_column(Text, primary_key=True)  # canonical form
    chain: Mapped[list[Any]] = mapped_column(default=list)
    resolved_at: Mapped[datetime]
    error: Mapped[str] = mapped_column(Text, default="")


class MeteredRow(Base):
    """One billable call to a network that bills per call or per resource (X's pay-per-use), with what it
    cost at the configured prices. ``units`` counts what is billed: requests for writes, resources read
    for the first time that UTC day for reads (X bills a resource once a day)."""

    __tablename__ = "metered_calls"
    __table_args__ = (Index("ix_metered_day_account", "day", "account_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime]
    day: Mapped[str] = mapped_column(String(10))  # the UTC day, YYYY-MM-DD
    network: Mapped[str] = mapped_column(String(20))
    account_id: Mapped[str | None] = mapped_column(String(100))  # None: the app's own calls (trends, usage)
    kind: Mapped[str] = mapped_column(String(30))  # the price it is billed at
    resource: Mapped[str] = mapped_column(String(20))  # what it wrote or read: post, user, trend, dm_event
    purpose: Mapped[str] = mapped_column(String(20))  # why botwarden called: publish, probe, inbound...
    endpoint: Mapped[str] = mapped_column(Text)
    returned: Mapped[int] = mapped_column(Integer, default=0)  # resources the answer held
    units: Mapped[int] = mapped_column(Integer, default=0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)


class BilledResourceRow(Base):
    """A resource already billed this UTC day: X bills a resource read twice in one day once."""

    __tablename__ = "billed_resources"
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    network: Mapped[str] = mapped_column(String(20), primary_key=True)
    resource: Mapped[str] = mapped_column(String(20), primary_key=True)
    resource_id: Mapped[str] = mapped_column(String(200), primary_key=True)


class UsageDayRow(Base):
    """One UTC day of X's own usage report (``GET /2/usage/tweets``) beside what botwarden metered."""

    __tablename__ = "usage_days"
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    network: Mapped[str] = mapped_column(String(20), primary_key=True)
    reported: Mapped[int] = mapped_column(Integer)  # posts the network says were read
    metered: Mapped[int] = mapped_column(Integer)  # posts botwarden billed itself for
    scope: Mapped[str] = mapped_column(String(40), default="project")
    drift: Mapped[bool] = mapped_column(Boolean, default=False)
    checked_at: Mapped[datetime]


class ChoreRow(Base):
    """A recurring chore shared by every worker (X's usage reconciliation, an account's daily watch):
    when it is next due, and what it last found."""

    __tablename__ = "chores"
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    next_at: Mapped[datetime]
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ServerRulesRow(Base):
    """The rules an account's server publishes (Mastodon ``GET /api/v2/instance``, ``rules[]``)."""

    __tablename__ = "server_rules"
    account_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    rules: Mapped[list[Any]] = mapped_column(default=list)  # [{"id", "text", "hint"}]
    read_at: Mapped[datetime]
