"""Network adapters and the outcome taxonomy."""

from botwarden.networks.base import RETRY_LATER, STOPS_ACCOUNT, Network, Outcome, OutcomeKind
from botwarden.networks.local import FaultPlan, LocalNetwork

# Networks this version can publish to; the others can be previewed and checked but not yet posted to.
PUBLISHING_NETWORKS = ("local",)

__all__ = [
    "PUBLISHING_NETWORKS",
    "RETRY_LATER",
    "STOPS_ACCOUNT",
    "FaultPlan",
    "LocalNetwork",
    "Network",
    "Outcome",
    "OutcomeKind",
]
