"""Link knowledge: shorteners, interstitial hosts, registered domains."""

from botwarden.links.knowledge import host_of, is_interstitial, is_shortener, registered_domain

__all__ = ["host_of", "is_interstitial", "is_shortener", "registered_domain"]
