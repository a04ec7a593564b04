"""The normalised form of a post: what "the same text" means for BW101 and BW103.

Folded: URLs (removed), case, Unicode compatibility forms, emoji variation selectors and joiners,
punctuation and symbols, whitespace, the '#' of hashtags, and "BREAKING:"-style prefixes. Kept: every
word in order, however short or common, and numbers whole ("3.5", "10:40", "1,000", "-5"), so that
"Bookshelf #11" and "Bookshelf #12", "-5 °C" and "5 °C", or "View to Presenter" and "Presenter to View"
stay different posts. A text with no words left (a bare link) has no normalised form and is never the
same text as anything.

Most posts are plain ASCII, and every check normalises the text it checks, so ASCII text takes a path of
``str`` methods and stdlib ``re`` that gives the same result several times faster.
"""

from __future__ import annotations

import hashlib
import re
import string
import unicodedata
from functools import lru_cache

import regex

_URL = regex.compile(r"(?:https?://|www\.)\S+", regex.IGNORECASE)
# A run of hashtags at the end of a post, links and spaces between them allowed: the labels a composer adds.
# A tag of digits only ("#12") is a number, not a label.
_TAG = r"#(?=[\p{N}_]*\p{L})[\p{L}\p{N}_]+"
_LINK = r"(?:https?://|www\.)\S+"
_TAG_BLOCK = regex.compile(rf"(?:\s*(?:{_TAG}|{_LINK}))*\s*{_TAG}(?:\s*{_LINK})*\s*$", regex.IGNORECASE)
_PREFIX_WORDS = r"(?:breaking(?:\s+news)?|update[d]?|just\s+in|new|live|watch|developing|alert)"
_PREFIX = regex.compile(rf"^\s*{_PREFIX_WORDS}\s*[:\-–—|]\s*", regex.IGNORECASE)
_INVISIBLE = regex.compile(r"[\uFE00-\uFE0F\u200B-\u200D\u2060\uFEFF\U000E0100-\U000E01EF]")
# Punctuation and symbols fold to a space, except what belongs to a number: a separator between two
# digits ("3.5", "10:40", "1,000", "24/7") and a sign directly before one ("-5", "+2"). Those characters
# are kept by the first pass and folded by the second where they are not part of a number.
_PUNCT = regex.compile(r"[\p{P}\p{S}--[@.,:/\-+]]+", regex.VERSION1)
_STRAY = regex.compile(r"[.,:/](?!\d)|(?<!\d)[.,:/]|[-+](?!\d)|(?<=[\p{L}\p{N}_])[-+]")

# The ASCII path works on the lower-cased text, where case-sensitive patterns are the quicker kind. Its
# spaces are the Unicode path's (stdlib \s would also take the separators \x1c-\x1f).
_S, _NS = r"[ \t\n\x0b\x0c\r]", r"[^ \t\n\x0b\x0c\r]"
_ASCII_URL = re.compile(rf"(?:https?://|www\.){_NS}+")
_ASCII_PREFIX = re.compile(
    rf"^{_S}*(?:breaking(?:{_S}+news)?|updated?|just{_S}+in|new|live|watch|developing|alert){_S}*[:\-|]{_S}*"
)
# The characters a number may keep, where they are not part of one: folded after the table below (the
# Unicode path's second pass, for ASCII).
_ASCII_STRAY = re.compile(r"[.,:/](?!\d)|(?<!\d)[.,:/]|[-+](?!\d)|(?<=[a-z0-9_])[-+]")
# Punctuation but '@' and what numbers keep becomes a space, as bytes: translating bytes is far quicker.
_KEPT = "@.,:/-+"
_ASCII_FOLD = bytes(
    ord(" ") if chr(c) in string.punctuation and chr(c) not in _KEPT else c for c in range(256)
)
_NUMBER_PUNCT = frozenset(".,:/-+")


def normalize(text: str) -> str:
    """The normalised text: its words in order, separated by single spaces ('' when none is left)."""
    return " ".join(tokens(text))


def tokens(text: str) -> list[str]:
    """The words of the normalised text, in order."""
    return folded(text).split()


@lru_cache(maxsize=4096)  # a check folds the same text for BW101, BW103 and the content rules
def folded(text: str) -> str:
    """The normalised text before its words are split apart: words separated by whitespace."""
    return _folded_ascii(text) if text.isascii() else _folded_unicode(text)


def _folded_ascii(text: str) -> str:
    """The same words as ``_folded_unicode`` for ASCII text, several times faster."""
    text = text.lower()
    if "://" in text or "www." in text:
        text = _ASCII_URL.sub(" ", text)
    if ":" in text or "-" in text or "|" in text:
        text = _ASCII_PREFIX.sub("", text)
    text = text.encode().translate(_ASCII_FOLD).decode()
    if not _NUMBER_PUNCT.isdisjoint(text):
        text = _ASCII_STRAY.sub(" ", text)
    return text


def _folded_unicode(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("\u2212", "-")  # the minus sign is a sign too
    text = _INVISIBLE.sub("", text)
    text = _URL.sub(" ", text)
    text = _PREFIX.sub("", text)
    text = _PUNCT.sub(" ", text.casefold())
    return _STRAY.sub(" ", text) if not _NUMBER_PUNCT.isdisjoint(text) else text


def without_tag_block(text: str) -> str:
    """``text`` without the run of hashtags that ends it (and links among them): labels such as the
    categories a composer adds, which say what kind of post it is rather than what it says."""
    return _TAG_BLOCK.sub("", text) if "#" in text else text


@lru_cache(maxsize=4096)  # BW101 and BW103 each ask for the hash of the text being checked
def text_hash(text: str) -> str:
    """A short stable hash of the normalised text (what BW101 compares); '' for a text with no words,
    which is never the same text as another."""
    normal = normalize(text)
    return hashlib.sha256(normal.encode()).hexdigest()[:32] if normal else ""
