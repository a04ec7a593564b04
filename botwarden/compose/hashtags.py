"""Hashtags from an item's categories: cleaned, joined into one word, de-duplicated and capped."""

from __future__ import annotations

from collections.abc import Iterable

import regex

_NON_WORD = regex.compile(r"[^\p{L}\p{N}_]+")


def to_hashtag(label: str) -> str | None:
    """``"climate change"`` → ``"#ClimateChange"``; None when nothing usable is left."""
    words = [w for w in _NON_WORD.split(label) if w]
    if not words:
        return None
    tag = words[0] if len(words) == 1 else "".join(w[:1].upper() + w[1:] for w in words)
    if tag.isdigit():  # a hashtag of only digits is not a hashtag on any network
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
