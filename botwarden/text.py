"""Post length measured the way each network measures it.

- X: twitter-text's weighted length (config v3: most Latin text weighs 1, CJK and emoji 2, every URL 23),
  via the ``twitter-text-parser`` package, which passes the official conformance suite.
- Mastodon: grapheme clusters, every URL counts 23, a mention counts only its local part
  (``@user@server`` counts as ``@user``); the limit is the server's own (500 by default).
- Bluesky: at most 300 grapheme clusters and 3,000 UTF-8 bytes; links count as written.
- local: measured like Mastodon with a 500 limit, so the demo network behaves like a real one.
"""

from __future__ import annotations

import unicodedata
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import regex

with warnings.catch_warnings():
    # twitter-text-parser imports pkg_resources, whose import warns that it is deprecated.
    warnings.simplefilter("ignore")
    from twitter_text import parse_tweet

NETWORKS = ("x", "mastodon", "bluesky", "local")
DEFAULT_LIMITS = {"x": 280, "mastodon": 500, "bluesky": 300, "local": 500}
BLUESKY_MAX_BYTES = 3000
URL_WEIGHT = 23

# twitter-text v3 configuration (emoji count as 2, URLs as 23), as published with the conformance suite.
X_CONFIG: dict[str, Any] = {
    "version": 3,
    "max_weighted_tweet_length": 280,
    "scale": 100,
    "default_weight": 200,
    "emoji_parsing_enabled": True,
    "transformed_url_length": URL_WEIGHT,
    "ranges": [
        {"start": 0, "end": 4351, "weight": 100},
        {"start": 8192, "end": 8205, "weight": 100},
        {"start": 8208, "end": 8223, "weight": 100},
        {"start": 8242, "end": 8247, "weight": 100},
    ],
}

# Mastodon's own URL and mention patterns are looser than twitter-text's; these follow its validator:
# any http(s) URL is replaced by 23 characters, and a remote mention counts only its username part.
_MASTODON_URL = regex.compile(r"https?://[^\s<>\"']+", regex.IGNORECASE)
_MASTODON_MENTION = regex.compile(r"(?<![\w/])@(\w+)@[\w.-]+\w", regex.UNICODE)
_GRAPHEME = regex.compile(r"\X")


@dataclass(frozen=True, slots=True)
class Measure:
    """How long a text is on one network, and whether it fits."""

    network: str
    length: int
    limit: int
    valid: bool
    nbytes: int = 0


def graphemes(text: str) -> int:
    """Count user-perceived characters (extended grapheme clusters)."""
    return len(_GRAPHEME.findall(text))


def measure(text: str, network: str, *, limit: int | None = None) -> Measure:
    """Measure ``text`` as ``network`` counts it; ``limit`` overrides the network's default."""
    if network not in DEFAULT_LIMITS:
        raise ValueError(f"unknown network {network!r}: expected one of {', '.join(NETWORKS)}")
    cap = DEFAULT_LIMITS[network] if limit is None else limit
    if network == "x":
        return _measure_x(text, cap)
    if network == "bluesky":
        return _measure_bluesky(text, cap)
    return _measure_mastodon(text, network, cap)


def _measure_x(text: str, cap: int) -> Measure:
    config = dict(X_CONFIG, max_weighted_tweet_length=cap)
    parsed = parse_tweet(text, options=config)
    # twitter-text treats empty text as invalid; so does every network.
    return Measure(
        "x", parsed.weightedLength, cap, bool(parsed.valid) and bool(text.strip()), len(text.encode())
    )


def weighted_length(text: str, published_config: Mapping[str, Any]) -> tuple[int, bool]:
    """X's weighted length and validity under a twitter-text configuration in its published JSON form
    (``maxWeightedTweetLength``, ``defaultWeight``, ``ranges``...), e.g. an older or newer version."""
    options = {
        "version": published_config["version"],
        "max_weighted_tweet_length": published_config["maxWeightedTweetLength"],
        "scale": published_config["scale"],
        "default_weight": published_config["defaultWeight"],
        "emoji_parsing_enabled": published_config.get("emojiParsingEnabled", False),
        "transformed_url_length": published_config["transformedURLLength"],
        "ranges": [dict(r) for r in published_config["ranges"]],
    }
    parsed = parse_tweet(text, options=options)
    return parsed.weightedLength, bool(parsed.valid)


def _measure_mastodon(text: str, network: str, cap: int) -> Measure:
    countable = _MASTODON_URL.sub("x" * URL_WEIGHT, text)
    countable = _MASTODON_MENTION.sub(lambda m: "@" + m.group(1), countable)
    length = graphemes(countable)
    valid = 0 < length <= cap and bool(text.strip())
    return Measure(network, length, cap, valid, len(text.encode()))


def _measure_bluesky(text: str, cap: int) -> Measure:
    normalised = unicodedata.normalize("NFC", text)
    length = graphemes(normalised)
    nbytes = len(normalised.encode())
    valid = 0 < length <= cap and nbytes <= BLUESKY_MAX_BYTES and bool(text.strip())
    return Measure("bluesky", length, cap, valid, nbytes)
