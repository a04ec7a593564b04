"""Near-duplicate search: Jaccard similarity of normalised word sets, through an inverted index.

This is the exact baseline: every candidate sharing a word is scored exactly, so recall is complete. It is
meant for per-account and per-operator windows (thousands of posts); the indexed form for millions of
posts, with its benchmark against datasketch, is tracked separately.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from botwarden.similarity.normalize import normalize

# Words this common say nothing about whether two posts are the same story.
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "to",
        "was",
        "were",
        "will",
        "with",
    ]
)


@dataclass(frozen=True, slots=True)
class Match:
    key: str
    account: str
    score: float
    at: datetime


def words(text: str) -> frozenset[str]:
    tokens = normalize(text).split()
    meaningful = frozenset(t for t in tokens if t not in _STOP)
    return meaningful or frozenset(tokens)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


class SimilarityIndex:
    def __init__(self) -> None:
        self._entries: dict[str, tuple[frozenset[str], str, datetime]] = {}
        self._postings: dict[str, set[str]] = defaultdict(set)

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, key: str, text: str, *, account: str, at: datetime) -> None:
        if key in self._entries:
            self.remove(key)
        tokens = words(text)
        self._entries[key] = (tokens, account, at)
        for token in tokens:
            self._postings[token].add(key)

    def remove(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        for token in entry[0]:
            keys = self._postings[token]
            keys.discard(key)
            if not keys:
                del self._postings[token]

    def query(
        self,
        text: str,
        *,
        account: str | None = None,
        since: datetime | None = None,
        threshold: float = 0.0,
        limit: int = 10,
    ) -> list[Match]:
        """Indexed posts similar to ``text``, best first; ``account``/``since`` narrow the search."""
        tokens = words(text)
        overlap: Counter[str] = Counter()
        for token in tokens:
            overlap.update(self._postings.get(token, ()))
        matches = []
        for key, shared in overlap.items():
            other, owner, at = self._entries[key]
            if (account is not None and owner != account) or (since is not None and at < since):
                continue
            score = shared / (len(tokens) + len(other) - shared)
            if score >= threshold:
                matches.append(Match(key, owner, round(score, 4), at))
        matches.sort(key=lambda m: (-m.score, m.key))
        return matches[:limit]

    @property
    def nbytes(self) -> int:
        """Approximate memory held by the index's own structures."""
        total = sys.getsizeof(self._entries) + sys.getsizeof(self._postings)
        for key, (tokens, _account, _at) in self._entries.items():
            total += sys.getsizeof(key) + sys.getsizeof(tokens) + 64
        for token, keys in self._postings.items():
            total += sys.getsizeof(token) + sys.getsizeof(keys)
        return total
