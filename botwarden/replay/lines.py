"""The replay format's lines (RULES.md), validated strictly: a wrong line is an error, never a guess."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from botwarden.rules.model import AccessLevel, ActionKind

NetworkName = Literal["x", "mastodon", "bluesky", "local"]
AccountStatus = Literal[
    "ok",
    "locked",
    "spam_flagged",
    "suspended",
    "write_restricted",
    "auth_revoked",
    # What the daily watch stops an account for: a moderation label (Bluesky), limited or suspended as
    # another server sees it (Mastodon).
    "labelled",
    "limited",
    "suspended_elsewhere",
]


class _Line(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ConfigLine(BaseModel):
    """Operator settings to override; checked against the settings table by the reader."""

    model_config = ConfigDict(extra="allow", frozen=True)
    type: Literal["config"]


class AccountLine(_Line):
    type: Literal["account"]
    id: str = Field(min_length=1)
    network: NetworkName
    operator: str = "default"
    verified: bool = False
    bio: str = ""
    automated_label: bool = False
    bot_flag: bool = False
    sensitive_media: bool = False
    daily_cap: int | None = Field(default=None, ge=0)
    server_rules: Any = None
    # What the network says of the account (BW909): when it was created, its followers, how many posts it
    # has and whether it has a profile picture.
    created_at: AwareDatetime | None = None
    followers: int | None = Field(default=None, ge=0)
    posts: int | None = Field(default=None, ge=0)
    avatar: bool | None = None
    # X: the app's API access (BW411, BW607), the developer app (BW901's app budget, BW957) and the use case
    # it serves (BW957), whether X approved the account's AI-written replies (BW412).
    access: AccessLevel = "self-serve"
    app: str = ""
    use_case: str = ""
    ai_replies_approved: bool = False


class PostedLine(_Line):
    type: Literal["posted"]
    account: str
    at: AwareDatetime
    text: str
    id: str | None = None
    links: list[str] = []


class TrendLine(_Line):
    type: Literal["trend"]
    network: NetworkName
    at: AwareDatetime
    terms: list[str]


class LinkLine(_Line):
    type: Literal["link"]
    url: str
    chain: list[str] = Field(min_length=1)
    kinds: list[Literal["shortener", "landing", "ad", "content"]] | None = None
    blocked: bool = False


class OptInLine(_Line):
    type: Literal["opt_in"]
    account: str
    user: str
    at: AwareDatetime
    via: Literal["reply", "mention", "dm", "campaign", "follow"]
    interaction: str | None = None
    sensitive: bool = False


class OptOutLine(_Line):
    type: Literal["opt_out"]
    account: str
    user: str
    at: AwareDatetime


class InteractionEndedLine(_Line):
    type: Literal["interaction_ended"]
    account: str
    user: str
    at: AwareDatetime


class ConsentLine(_Line):
    type: Literal["consent"]
    account: str
    owner: str
    at: AwareDatetime
    actions: list[ActionKind]
    purpose_version: str | int
    delete_notice: bool = False


class PurposeLine(_Line):
    type: Literal["purpose"]
    at: AwareDatetime
    version: str | int


class OwnerOptOutLine(_Line):
    type: Literal["owner_opt_out"]
    account: str
    at: AwareDatetime


class StateLine(_Line):
    type: Literal["state"]
    account: str
    at: AwareDatetime
    status: AccountStatus


class InReplyTo(_Line):
    id: str
    user: str | None = None
    exists: bool = True
    original: bool = True


class Media(_Line):
    sensitive: bool = False


class Campaign(_Line):
    commercial: bool = False
    approved: bool = False


class ActionLine(_Line):
    type: Literal["action"]
    id: str | int
    kind: ActionKind
    account: str
    at: AwareDatetime
    text: str = ""
    links: list[str] = []
    target_user: str | None = None
    target_display_name: str | None = None
    in_reply_to: InReplyTo | None = None
    interaction: str | None = None
    trigger: Literal["schedule", "feed", "keyword_search", "opt_in", "campaign"] | None = None
    on_behalf: bool = False
    media: list[Media] = []
    campaign: Campaign | None = None
    bulk: int | None = Field(default=None, ge=1)
    # X: the post is sent with paid_partnership, X's label for paid promotion (BW805).
    paid_partnership: bool = False
    # The text was written by a generative model (BW412).
    generated: bool = False


ReplayLine = Annotated[
    ConfigLine
    | AccountLine
    | PostedLine
    | TrendLine
    | LinkLine
    | OptInLine
    | OptOutLine
    | InteractionEndedLine
    | ConsentLine
    | PurposeLine
    | OwnerOptOutLine
    | StateLine
    | ActionLine,
    Field(discriminator="type"),
]
LINE_TYPES = (
    "config",
    "account",
    "posted",
    "trend",
    "link",
    "opt_in",
    "opt_out",
    "interaction_ended",
    "consent",
    "purpose",
    "owner_opt_out",
    "state",
    "action",
)
