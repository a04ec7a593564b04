"""Every limit, price and policy of the networks, as data with its source and the date it was read.

The files beside this module (``x.toml``, ``mastodon.toml``, ``bluesky.toml``, ``local.toml``) are the one
place botwarden keeps what the networks allow: request budgets, daily caps, prices and the rules of their
APIs. The pacing defaults, BW901, BW902 and the X access rules read them from here; ``botwarden limits``
prints them; the operator's configuration overrides any value (``[limits.x] post_create_per_user = 80``).
"""

from botwarden.limits.load import Limits, builtin_limits, read_file
from botwarden.limits.model import USES, Limit, fixed_window_start, parse_window

__all__ = ["USES", "Limit", "Limits", "builtin_limits", "fixed_window_start", "parse_window", "read_file"]
