"""Text normalisation, exact hashes and near-duplicate search."""

from botwarden.similarity.index import Match, SimilarityIndex, jaccard, words
from botwarden.similarity.normalize import normalize, text_hash

__all__ = ["Match", "SimilarityIndex", "jaccard", "normalize", "text_hash", "words"]
