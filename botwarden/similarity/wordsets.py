"""Posts as sets of words, and how alike two such sets are."""

from __future__ import annotations

from collections.abc import Collection

from botwarden.similarity.normalize import tokens as normalised_tokens
from botwarden.similarity.stopwords import STOPWORDS


def words(text: str) -> frozenset[str]:
    """The set of normalised words the index compares: stopwords left out unless nothing else is left."""
    tokens = normalised_tokens(text)
    meaningful = frozenset(t for t in tokens if t not in STOPWORDS)
    return meaningful or frozenset(tokens)


def jaccard(a: Collection[object], b: Collection[object]) -> float:
    if not a or not b:
        return 0.0
    shared = len(set(a) & set(b))
    return shared / (len(a) + len(b) - shared)
