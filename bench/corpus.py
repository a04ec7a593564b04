"""Shared data for the benchmarks: synthetic posts of about 20 words and edits of them, and the real items of
``../shared/corpora/feeds/``. Everything is seeded, so two runs measure the same data."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from botwarden.similarity.stopwords import STOPWORDS as _STOP

ROOT = Path(__file__).resolve().parent.parent
FEEDS = ROOT.parent / "shared" / "corpora" / "feeds"
STOPWORDS = sorted(_STOP)


def _vocabulary(size: int, rng: random.Random) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    seen: set[str] = set()
    while len(seen) < size:
        seen.add("".join(rng.choice(letters) for _ in range(rng.randint(4, 10))))
    return sorted(seen)


class Synthetic:
    """Posts of 20 words: 6 stopwords and 14 content words drawn from a Zipf-like vocabulary, the shape of
    news headlines with a sentence of summary."""

    def __init__(self, seed: int = 7, vocabulary: int = 200_000) -> None:
        self.rng = random.Random(seed)
        self.np_rng = np.random.default_rng(seed)
        self.words = _vocabulary(vocabulary, self.rng)
        ranks = np.arange(1, vocabulary + 1, dtype=np.float64)
        # Offset ranks: the most common content word is in about 15 % of posts, as 'this' is in the corpus.
        weights = (ranks + 10) ** -1.05
        self.cdf = np.cumsum(weights / weights.sum())

    def content(self, count: int) -> np.ndarray:
        draws: np.ndarray = np.searchsorted(self.cdf, self.np_rng.random(count))
        return np.minimum(draws, len(self.words) - 1)

    def posts(self, count: int, batch: int = 100_000) -> Iterator[str]:
        words, stop = self.words, STOPWORDS
        for start in range(0, count, batch):
            n = min(batch, count - start)
            content = self.content(n * 14).reshape(n, 14).tolist()
            stops = self.np_rng.integers(0, len(stop), (n, 6)).tolist()
            for row, srow in zip(content, stops, strict=True):
                text = [words[i] for i in row]
                for position, s in zip((1, 3, 6, 9, 12, 15), srow, strict=True):
                    text.insert(position, stop[s])
                yield " ".join(text)

    def edit(self, text: str, changes: int) -> str:
        """Replace ``changes`` distinct content words with fresh ones."""
        tokens = text.split()
        content = [i for i, t in enumerate(tokens) if t not in _STOP]
        for i in self.rng.sample(content, changes):
            tokens[i] = self.words[self.rng.randrange(len(self.words))]
        return " ".join(tokens)


def feed_items(limit: int | None = None) -> list[str]:
    """Title plus the start of the summary of every item in the shared feed corpus."""
    import feedparser

    from botwarden.compose.plain import plain_text

    texts: list[str] = []
    for path in sorted(FEEDS.glob("*")):
        parsed = feedparser.parse(path.read_bytes())
        for entry in parsed.entries:
            title = plain_text(entry.get("title") or "")
            summary = plain_text(entry.get("summary") or "")[:160]
            if title:
                texts.append(f"{title} {summary}".strip())
        if limit and len(texts) >= limit:
            break
    return texts
