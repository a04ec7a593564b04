"""Network adapters and the outcome taxonomy."""

from botwarden.errors import NetworkUnavailable
from botwarden.networks.base import (
    RETRY_LATER,
    STOPS_ACCOUNT,
    InboundMessage,
    LinkCard,
    Media,
    Network,
    Outcome,
    OutcomeKind,
    Post,
    Profile,
)
from botwarden.networks.credentials import Credentials, MemoryCredentials
from botwarden.networks.local import FaultPlan, LocalNetwork

# Networks this version can publish to.
PUBLISHING_NETWORKS = ("local", "x", "mastodon", "bluesky")

__all__ = [
    "PUBLISHING_NETWORKS",
    "RETRY_LATER",
    "STOPS_ACCOUNT",
    "Credentials",
    "FaultPlan",
    "InboundMessage",
    "LinkCard",
    "LocalNetwork",
    "Media",
    "MemoryCredentials",
    "Network",
    "NetworkUnavailable",
    "Outcome",
    "OutcomeKind",
    "Post",
    "Profile",
]
