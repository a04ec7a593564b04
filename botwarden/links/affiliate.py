"""Whether a link earns its poster a commission (BW805): an affiliate network's click host
(``data/affiliates.txt``), or a shop's own affiliate parameter (Amazon's ``tag``, Rakuten's
``ranMID``, Awin's ``awc``, the common ``aff_id``)."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qsl, urlsplit

from botwarden.links.knowledge import host_of, listed_in, registered_domain

#: Query parameters that name an affiliate, on any host.
_PARAMS = frozenset(
    {"aff_id", "affid", "affiliate_id", "affiliateid", "aff_sub", "awc", "ranmid", "ransiteid"}
)
#: Amazon's associate parameter, only on Amazon's shops (``tag`` means other things elsewhere).
_AMAZON_TAG = "tag"


@lru_cache(maxsize=4096)
def affiliate_reason(url: str) -> str:
    """Why ``url`` is an affiliate link ('' when it is not one)."""
    host = host_of(url)
    if not host:
        return ""
    if listed_in(host, "affiliates.txt"):
        return f"{host} is an affiliate click host"
    try:
        params = {k.lower() for k, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)}
    except ValueError:
        return ""
    named = sorted(params & _PARAMS)
    if named:
        return f"the link carries the affiliate parameter {named[0]}"
    if _AMAZON_TAG in params and registered_domain(url).startswith("amazon."):
        return "the Amazon link carries an associate tag"
    return ""
