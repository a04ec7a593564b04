"""A long item as a thread: the first post as the route's template makes it, the rest of the summary in
the posts after it.

When the summary does not fit one post, the first post keeps the title, the link and the hashtags with as
many whole words of the summary as fit, and each following post carries the next words, each measured
exactly as the network counts it (with the route's content warning on Mastodon) and numbered ``(2/3)``.
At most ``max_parts`` posts: what does not fit in them is cut with '…', as a single post would be.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from botwarden.compose.draft import ELLIPSIS, Draft, HashtagPolicy, ItemFields, compose, shorten
from botwarden.compose.plain import plain_text
from botwarden.text import measure

# Networks where a post can answer the account's own post, so a thread reads as one.
THREADING = frozenset({"x", "mastodon", "bluesky"})
DEFAULT_HASHTAGS = HashtagPolicy()


def compose_thread(
    item: ItemFields,
    template: str,
    network: str,
    *,
    max_parts: int,
    limit: int | None = None,
    hashtags: HashtagPolicy = DEFAULT_HASHTAGS,
    trending: frozenset[str] = frozenset(),
    content_warning: str = "",
    tracking: frozenset[str] = frozenset(),
) -> tuple[Draft, ...]:
    """The posts of the item: one when it fits (or threads are off, or the network has none), else up to
    ``max_parts``. ``tracking``: the operator's own tracking parameters, as for ``compose``."""

    def draft(summary: str, suffix: str = "") -> Draft:
        return compose(
            replace(item, summary=summary),
            template + suffix,
            network,
            limit=limit,
            hashtags=hashtags,
            trending=trending,
            content_warning=content_warning,
            tracking=tracking,
        )

    single = draft(item.summary)
    words = plain_text(item.summary).split()
    if max_parts < 2 or network not in THREADING or single.fits is False or not _shortened(single, words):
        return (single,)
    marker = f" (1/{max_parts})"
    taken = _most(len(words), lambda n: _whole(draft(_head(words, n), marker)))
    first = draft(_head(words, taken), marker)
    if taken == len(words) or not _whole(first):
        return (single,)
    rest = _rest(words[taken:], network, limit, content_warning, max_parts)
    count = 1 + len(rest)
    first = draft(_head(words, taken), f" (1/{count})")
    parts = [first]
    for number, text in enumerate(rest, start=2):
        numbered = f"{text} ({number}/{count})"
        size = measure(numbered, network, limit=limit, content_warning=content_warning)
        parts.append(Draft(network, numbered, "", size))
    return tuple(parts)


def _shortened(single: Draft, words: list[str]) -> bool:
    return bool(words) and any(note.startswith("summary shortened") for note in single.notes)


def _whole(draft: Draft) -> bool:
    """The draft fits without shortening anything."""
    return draft.fits and not any("shortened" in note for note in draft.notes)


def _head(words: list[str], count: int) -> str:
    return " ".join(words[:count]) + (ELLIPSIS if 0 < count < len(words) else "")


def _rest(
    words: list[str], network: str, limit: int | None, content_warning: str, max_parts: int
) -> list[str]:
    """The remaining words as the texts of the posts after the first (numbers added by the caller)."""
    marker = f" ({max_parts}/{max_parts})"

    def fits(text: str) -> bool:
        return measure(text + marker, network, limit=limit, content_warning=content_warning).valid

    texts: list[str] = []
    while words and len(texts) < max_parts - 1:
        left = words
        count = _most(len(left), lambda n: fits(_middle(left, n)))  # noqa: B023 (used at once)
        if count == 0:  # one word longer than a post: cut it
            texts.append(_longest(words[0], fits))
            words = words[1:]
            continue
        texts.append(_middle(words, count))
        words = words[count:]
    return texts


def _middle(words: list[str], count: int) -> str:
    """A later part: the next ``count`` words, with '…' where the text goes on."""
    return ELLIPSIS + " ".join(words[:count]) + (ELLIPSIS if count < len(words) else "")


def _most(upper: int, fits: Callable[[int], bool]) -> int:
    """The largest n in 0..upper with fits(n) (fits is monotone: fewer words always fit)."""
    low, high, best = 1, upper, 0
    while low <= high:
        mid = (low + high) // 2
        if fits(mid):
            best, low = mid, mid + 1
        else:
            high = mid - 1
    return best


def _longest(word: str, fits: Callable[[str], bool]) -> str:
    size = _most(len(word), lambda n: fits(ELLIPSIS + shorten(word, n)))
    return ELLIPSIS + shorten(word, max(size, 1))
