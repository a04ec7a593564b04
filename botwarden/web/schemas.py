"""The HTTP API's request and answer shapes (they are its OpenAPI document)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, Field


class ErrorBody(BaseModel):
    status: int
    code: str = Field(
        description="A stable name: unauthorized, forbidden, not_found, invalid, conflict, internal, "
        "unavailable"
    )
    message: str = Field(description="What went wrong and what to do, for a person")
    detail: list[dict[str, Any]] = []


class ErrorAnswer(BaseModel):
    """Every error of the API has this one shape."""

    error: ErrorBody


class Health(BaseModel):
    status: str
    version: str
    database: str


class FindingOut(BaseModel):
    code: str
    slug: str
    severity: str
    message: str
    evidence: dict[str, Any]


class VerdictOut(BaseModel):
    id: str
    decision: str = Field(description="allow, delay, hold or deny")
    codes: list[str]
    findings: list[FindingOut]
    not_before: datetime | None


class PostedIn(BaseModel):
    """A post the caller made on one of its accounts, reported so that the history and the cross-account
    rules judge its next posts by it, as they do botwarden's own."""

    account: str = Field(description="The account that posted it (one of the caller's)")
    id: str = Field(
        min_length=1,
        max_length=200,
        description="The caller's own id for the post: reporting the same id again records nothing new",
    )
    at: AwareDatetime = Field(description="When it was posted (ISO 8601 with a zone)")
    text: str = Field(min_length=1, max_length=100_000, description="The text as posted")
    links: list[str] = Field(default=[], max_length=50, description="Links the post carries besides its text")


class PostedOut(BaseModel):
    account: str
    id: str
    at: datetime
    text: str
    created: bool = Field(description="True when this request recorded it; false when it was already")


class AccountIn(BaseModel):
    """A new account for the check service and the dashboard. The worker publishes only for the accounts
    of its configuration file, which also decides an account's operator when both name it."""

    id: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$",
        description="Letters, digits and _ . @ -, at most 100, beginning with the owning operator's name "
        "and a hyphen (`harbour-weather`)",
    )
    network: Literal["local", "x", "mastodon", "bluesky"]
    operator: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="The owning operator: an operator's token may only name its own (the default); "
        "an admin token must name one",
    )


class AccountOut(BaseModel):
    id: str
    network: str
    operator: str
    status: str
    status_since: datetime | None
    status_reason: str
    queue: dict[str, int]
    spent_today_usd: float


class SetupFinding(BaseModel):
    code: str
    message: str


class SetupOut(BaseModel):
    account: str
    handle: str
    error: str
    findings: list[SetupFinding]
    notes: list[str]


class FeedOut(BaseModel):
    id: str
    url: str
    title: str
    last_status: str
    last_fetched_at: datetime | None
    next_fetch_at: datetime | None
    error_streak: int
    last_error: str


class RouteOut(BaseModel):
    id: str
    feed: str
    account: str
    template: str


class QueueEntryOut(BaseModel):
    id: int
    account: str
    route: str
    state: str
    text: str
    not_before: datetime
    attempts: int
    last_error: str
    approved_by: str | None
    verdict: VerdictOut | None


class ReviewAnswer(BaseModel):
    entry: QueueEntryOut
    approved_codes: list[str] = []
    released: bool = Field(
        default=False, description="Back in the queue to be checked again (false: still held, or rejected)"
    )
    message: str = Field(default="", description="What the decision did, for a person")


class PostOut(BaseModel):
    id: int
    account: str
    at: datetime
    text: str
    remote_id: str | None
    cost_usd: float


class RuleOut(BaseModel):
    code: str
    slug: str
    family: str
    severity: str
    enforced: str
    section: str
    summary: str
    explanation: str
