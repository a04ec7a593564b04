"""Hashtags from an item's categories: cleaned, joined into one word, de-duplicated and capped.

A tag is made of letters (with their combining marks, so Indic and accented words stay whole), digits and
inner underscores only, so no invisible character (a zero-width space or joiner, a variation selector, a
keycap or other mark for symbols) ever reaches one. It holds at least one letter and at most 64
characters: the networks link nothing else as a hashtag (Bluesky's tag facet allows 64 graphemes and needs
a character that is not a digit or punctuation; X and Mastodon need a letter).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

import regex

# Anything but a letter, a digit, "_" or a mark; and the marks that belong to symbols and emoji
# (variation selectors, the keycap and other enclosing marks of U+20D0-U+20FF), which make a tag invisible.
_NON_WORD = regex.compile(r"[^\p{L}\p{N}\p{M}_]+|[\uFE00-\uFE0F\u20D0-\u20FF\U000E0100-\U000E01EF]+")
_LEADING_MARKS = regex.compile(r"^\p{M}+")
_LETTER = regex.compile(r"\p{L}")
_GRAPHEME = regex.compile(r"\X")
MAX_TAG_LENGTH = 64  # graphemes


def to_hashtag(label: str) -> str | None:
    """``"climate change"`` → ``"#ClimateChange"``; None when nothing usable is left."""
    pieces = _NON_WORD.split(unicodedata.normalize("NFC", label))
    words = [w for w in (_LEADING_MARKS.sub("", piece) for piece in pieces) if w]
    if not words:
        return None
    tag = words[0] if len(words) == 1 else "".join(w[:1].upper() + w[1:] for w in words)
    tag = tag.strip("_")  # Bluesky ends a tag before trailing punctuation, "_" among it
    if not _LETTER.search(tag) or len(_GRAPHEME.findall(tag)) > MAX_TAG_LENGTH:
        return None
    return "#" + tag


def hashtags_for(categories: Iterable[str], *, fixed: Iterable[str] = (), limit: int = 2) -> list[str]:
    """Fixed tags first, then tags from categories, case-insensitively unique, at most ``limit``."""
    seen: set[str] = set()
    tags: list[str] = []
    for label in [*fixed, *categories]:
        if len(tags) >= limit:
            break
        tag = to_hashtag(label)
        if tag is None or tag.casefold() in seen:
            continue
        seen.add(tag.casefold())
        tags.append(tag)
    return tags


def is_trending(tag_or_term: str, terms: frozenset[str]) -> bool:
    """Whether a hashtag (with or without '#') or a term is among ``terms`` (case-folded)."""
    folded = tag_or_term.casefold()
    body = folded.lstrip("#")
    return folded in terms or body in terms or "#" + body in terms
