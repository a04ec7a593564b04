"""The normalised form of a post, folding what bots vary between copies of the same message.

Folded: URLs (removed), a trailing run of hashtags (removed) and the '#' of inline ones, case, Unicode
compatibility forms, emoji variation selectors and joiners, punctuation, whitespace, and "BREAKING:"-style
prefixes. Two posts with the same normalised text are the same post to a reader and to a spam filter.
"""

from __future__ import annotations

import hashlib
import unicodedata

import regex

_URL = regex.compile(r"(?:https?://|www\.)\S+", regex.IGNORECASE)
_TRAILING_TAGS = regex.compile(r"(?:\s*#[\p{L}\p{N}_]+)+\s*$")
_PREFIX = regex.compile(
    r"^\s*(?:breaking(?:\s+news)?|update[d]?|just\s+in|new|live|watch|developing|alert)\s*[:\-–—|]\s*",
    regex.IGNORECASE,
)
_INVISIBLE = regex.compile(r"[\uFE00-\uFE0F\u200B-\u200D\u2060\uFEFF\U000E0100-\U000E01EF]")
_PUNCT = regex.compile(r"[\p{P}\p{S}--[#@]]+", regex.VERSION1)
_SPACE = regex.compile(r"\s+")


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _URL.sub(" ", text)
    text = _TRAILING_TAGS.sub("", text)
    text = _PREFIX.sub("", text)
    text = text.casefold().replace("#", "")
    text = _PUNCT.sub(" ", text)
    folded: str = _SPACE.sub(" ", text).strip()
    return folded


def text_hash(text: str) -> str:
    """A short stable hash of the normalised text (what BW101 compares)."""
    return hashlib.sha256(normalize(text).encode()).hexdigest()[:32]
