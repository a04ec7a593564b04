"""Link hygiene: the canonical form of a link, without tracking parameters."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that only track the click; they change nothing about what the link shows.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "rb_clickid",
        "s_cid",
        "ncid",
        "cmpid",
        "ocid",
        "sr_share",
        "spm",
        "at_medium",
        "at_campaign",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_tracking_param(name: str, extra: frozenset[str] = frozenset()) -> bool:
    """A built-in tracking parameter, or one of the operator's ``extra`` (lower case; ``ref_*``: a prefix)."""
    lowered = name.lower()
    if lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES) or lowered in extra:
        return True
    return any(lowered.startswith(p[:-1]) for p in extra if p.endswith("*"))


# Lower-case scheme and host, no user, port, query or fragment: nothing for canonical_link to change.
_PLAIN = re.compile(r"https?://[a-z0-9.-]+(?:/[^?#\s\\]*)?")


@lru_cache(maxsize=8192)  # every rule that looks at links asks again for the same few links
def canonical_link(url: str, extra: frozenset[str] = frozenset()) -> str:
    """Lower-case scheme and host, no default port, no fragment, no tracking parameters (the built-in
    ones and the operator's ``extra``, see :func:`is_tracking_param`)."""
    url = url.strip()
    if _PLAIN.fullmatch(url):  # already canonical but perhaps for the path: the common case, quickly
        return url if url.count("/") > 2 else url + "/"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    if parts.scheme.lower() not in _DEFAULT_PORTS or not parts.hostname:
        return url
    scheme = parts.scheme.lower()
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = [(k, v) for k, v in pairs if not is_tracking_param(k, extra)]
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query, doseq=True), ""))


_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)


def links_in(text: str, extra: tuple[str, ...] = ()) -> frozenset[str]:
    """The canonical form of every link in ``text`` plus ``extra`` (a post's own link fields)."""
    found = _links_in_text(text)
    return found.union(_canonical(u) for u in extra) if extra else found


@lru_cache(maxsize=4096)  # a check asks for the links of the same post from several rules
def _links_in_text(text: str) -> frozenset[str]:
    return frozenset(_canonical(u) for u in _URL.findall(text)) if "://" in text else frozenset()


def _canonical(url: str) -> str:
    return canonical_link(url.rstrip(".,;:!?)"))
