"""The account an action is taken for, as the rules see it (its own module, so that the context and the
operator's facts both import it and neither imports the other)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class AccountInfo:
    id: str
    network: str
    operator: str = "default"
    status: str = "ok"
    status_since: datetime | None = None
    status_reason: str = ""
    verified: bool = False
    bio: str = ""
    automated_label: bool = False
    bot_flag: bool = False
    sensitive_media: bool = False
    daily_cap: int | None = None
    spend_cap_usd: float | None = None  # this account's own cap (BW905), over the setting
    # What the network says of the account, where it says it (BW909): when it was created, its
    # followers, how many posts it has, whether it has a picture. None: not known.
    created_at: datetime | None = None
    followers: int | None = None
    posts: int | None = None
    has_avatar: bool | None = None
    # X: the API access the account's app has (self-serve unless a level that offers more: BW411, BW607),
    # the developer app it posts through ('' is the configuration's one app: BW901, BW957), the use case
    # that app serves, and whether X approved its AI-written replies (BW412).
    access: str = "self-serve"
    app: str = ""
    use_case: str = ""
    ai_replies_approved: bool = False
