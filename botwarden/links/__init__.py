"""Link knowledge (shorteners, interstitials, registered domains), blocklists, the redirect resolver."""

from botwarden.links.blocklist import Blocklist
from botwarden.links.knowledge import hop_kinds, host_of, is_interstitial, is_shortener, registered_domain
from botwarden.links.resolve import Resolution, ResolveLimits, resolve_chain, resolve_many

__all__ = [
    "Blocklist",
    "Resolution",
    "ResolveLimits",
    "hop_kinds",
    "host_of",
    "is_interstitial",
    "is_shortener",
    "registered_domain",
    "resolve_chain",
    "resolve_many",
]
