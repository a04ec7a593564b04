"""Text normalisation, exact hashes and near-duplicate search.

``SimilarityIndex`` and ``Match`` are imported on first use: the index's compiled kernels take a moment
to load, which commands that never search a large history should not pay.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botwarden.similarity.normalize import normalize, text_hash
from botwarden.similarity.wordsets import jaccard, words

if TYPE_CHECKING:
    from botwarden.similarity.index import Match, SimilarityIndex

__all__ = ["Match", "SimilarityIndex", "jaccard", "normalize", "text_hash", "words"]


def __getattr__(name: str) -> Any:
    if name in ("Match", "SimilarityIndex"):
        from botwarden.similarity import index

        return getattr(index, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
