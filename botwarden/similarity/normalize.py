"""The normalised form of a post, folding what bots vary between copies of the same message.

Folded: URLs (removed), a trailing run of hashtags (removed) and the '#' of inline ones, case, Unicode
compatibility forms, emoji variation selectors and joiners, punctuation, whitespace, and "BREAKING:"-style
prefixes. Two posts with the same normalised text are the same post to a reader and to a spam filter.

Most posts are plain ASCII, and the near-duplicate index normalises every post it sees, so ASCII text takes
a path of ``str`` methods and stdlib ``re`` that gives the same result several times faster.
"""

from __future__ import annotations

import hashlib
import re
import string
import unicodedata
from functools import lru_cache

import regex

_URL = regex.compile(r"(?:https?://|www\.)\S+", regex.IGNORECASE)
_TRAILING_TAGS = regex.compile(r"(?:\s*#[\p{L}\p{N}_]+)+\s*$")
_PREFIX_WORDS = r"(?:breaking(?:\s+news)?|update[d]?|just\s+in|new|live|watch|developing|alert)"
_PREFIX = regex.compile(rf"^\s*{_PREFIX_WORDS}\s*[:\-–—|]\s*", regex.IGNORECASE)
_INVISIBLE = regex.compile(r"[\uFE00-\uFE0F\u200B-\u200D\u2060\uFEFF\U000E0100-\U000E01EF]")
_PUNCT = regex.compile(r"[\p{P}\p{S}--[#@]]+", regex.VERSION1)
_SPACE = regex.compile(r"\s+")

# The ASCII path works on the lower-cased text, where case-sensitive patterns are the quicker kind. Its
# spaces are the Unicode path's (stdlib \s would also take the separators \x1c-\x1f).
_S, _NS = r"[ \t\n\x0b\x0c\r]", r"[^ \t\n\x0b\x0c\r]"
_ASCII_URL = re.compile(rf"(?:https?://|www\.){_NS}+")
_ASCII_TRAILING_TAGS = re.compile(rf"(?:{_S}*#\w+)+{_S}*$", re.ASCII)
_ASCII_PREFIX = re.compile(
    rf"^{_S}*(?:breaking(?:{_S}+news)?|updated?|just{_S}+in|new|live|watch|developing|alert){_S}*[:\-|]{_S}*"
)
# Punctuation but '#' and '@' becomes a space ('#' is deleted), as bytes: translating bytes is far quicker.
_ASCII_FOLD = bytes(
    ord(" ") if chr(c) in string.punctuation and chr(c) not in "#@" else c for c in range(256)
)


def normalize(text: str) -> str:
    return " ".join(tokens(text))


def tokens(text: str) -> list[str]:
    """The words of the normalised text, in order."""
    return folded(text).split()


@lru_cache(maxsize=4096)  # a check folds the same text for BW101, the index and the word rules
def folded(text: str) -> str:
    """The normalised text before its words are split apart: words separated by whitespace."""
    return _folded_ascii(text) if text.isascii() else _folded_unicode(text)


def _folded_ascii(text: str) -> str:
    """The same words as ``_folded_unicode`` for ASCII text, several times faster."""
    text = text.lower()
    if "://" in text or "www." in text:
        text = _ASCII_URL.sub(" ", text)
    if "#" in text:
        text = _ASCII_TRAILING_TAGS.sub("", text)
    if ":" in text or "-" in text or "|" in text:
        text = _ASCII_PREFIX.sub("", text)
    return text.encode().translate(_ASCII_FOLD, b"#").decode()


def _folded_unicode(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _URL.sub(" ", text)
    text = _TRAILING_TAGS.sub("", text)
    text = _PREFIX.sub("", text)
    text = text.casefold().replace("#", "")
    return _PUNCT.sub(" ", text)


@lru_cache(maxsize=4096)  # BW101, BW102 and BW103 each ask for the hash of the text being checked
def text_hash(text: str) -> str:
    """A short stable hash of the normalised text (what BW101 compares)."""
    return hashlib.sha256(normalize(text).encode()).hexdigest()[:32]
