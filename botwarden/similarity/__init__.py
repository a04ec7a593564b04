"""Text normalisation and duplicate detection."""

from botwarden.similarity.normalize import normalize, text_hash

__all__ = ["normalize", "text_hash"]
