"""What botwarden knows about hosts: shorteners and interstitial/ad hosts (data files it maintains), and
registered domains (tldextract's bundled public suffix list; nothing is fetched)."""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib import resources
from urllib.parse import urlsplit

import tldextract

_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@cache
def _hosts(name: str) -> frozenset[str]:
    text = resources.files("botwarden.links").joinpath("data", name).read_text(encoding="utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


# A URL whose host is plain letters, digits, dots and hyphens, right after the scheme: urlsplit would
# find the same host, and this takes a fraction of its time (every new link is looked up several times).
_PLAIN_HOST = re.compile(r"https?://([a-z0-9.-]+)(?:[/?#]|$)", re.IGNORECASE)


@lru_cache(maxsize=8192)
def host_of(url: str) -> str:
    plain = _PLAIN_HOST.match(url)
    if plain is not None:
        return plain.group(1).lower().rstrip(".")
    try:
        return (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def _listed(host: str, listed: frozenset[str]) -> bool:
    parts = host.split(".")
    return any(".".join(parts[i:]) in listed for i in range(len(parts)))


def is_shortener(url: str) -> bool:
    return _listed_host(host_of(url), "shorteners.txt")


def is_interstitial(url: str) -> bool:
    return _listed_host(host_of(url), "interstitials.txt")


@lru_cache(maxsize=8192)  # by host: a feed's links are all new, its few hosts repeat
def _listed_host(host: str, listing: str) -> bool:
    return _listed(host, _hosts(listing))


def listed_in(host: str, listing: str) -> bool:
    """Whether ``host`` (or a domain above it) is in the data file ``listing``."""
    return _listed_host(host, listing)


def registered_domain(url: str) -> str:
    return _registered_domain_of_host(host_of(url))


@lru_cache(maxsize=8192)  # by host: a feed's links differ, its few hosts repeat
def _registered_domain_of_host(host: str) -> str:
    parts = _EXTRACT(host)
    # A suffix the list does not know (.example, .internal): take the last two labels.
    return parts.top_domain_under_public_suffix or ".".join(host.split(".")[-2:])


def hop_kinds(
    chain: tuple[str, ...],
    *,
    shorteners: frozenset[str] = frozenset(),
    interstitials: frozenset[str] = frozenset(),
) -> tuple[str, ...]:
    """What each hop of a redirect chain is: ``landing``, ``shortener`` or ``content``, from the built-in
    host lists and the operator's own additions (host names; subdomains match)."""
    kinds = []
    for hop in chain:
        host = host_of(hop)
        if is_interstitial(hop) or _listed(host, interstitials):
            kinds.append("landing")
        elif is_shortener(hop) or _listed(host, shorteners):
            kinds.append("shortener")
        else:
            kinds.append("content")
    return tuple(kinds)
