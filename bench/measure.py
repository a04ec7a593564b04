"""X's weighted length: botwarden's count beside twitter-text-parser's ``parse_tweet`` in the same run.

    .venv/bin/python bench/measure.py            # posts made from the shared feed corpus, else synthetic

botwarden counts with the package's own URL, emoji and invalid-character patterns but runs them only where
a match can be, and weighs runs of plain text at once; the figures show why it does not call parse_tweet.
"""

from __future__ import annotations

import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import FEEDS, Synthetic, feed_items

from botwarden.text import X_CONFIG, x_weighted_length

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from twitter_text import parse_tweet


def posts() -> tuple[str, list[str]]:
    if FEEDS.is_dir():
        items = feed_items()
        return "feed corpus", [
            f"{text[:200]} https://example.com/story/{n} #News" for n, text in enumerate(items)
        ]
    return "synthetic", [f"{text} https://example.com/{n}" for n, text in enumerate(Synthetic().posts(5000))]


def timed(function, texts: list[str]) -> list[float]:
    times = []
    for text in texts:
        started = time.perf_counter()
        function(text)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    label, texts = posts()
    options = dict(X_CONFIG)
    ours = timed(x_weighted_length, texts)
    theirs = timed(lambda t: parse_tweet(t, options=options), texts)
    agree = sum(
        x_weighted_length(t) == (p.weightedLength, bool(p.valid))
        for t in texts
        for p in [parse_tweet(t, options=options)]
    )
    non_ascii = sum(not t.isascii() for t in texts)
    print(f"\nX weighted length of {len(texts):,} posts ({label}; {non_ascii:,} with non-ASCII text)")
    print(f"  {'':<34}{'median µs':>12}{'p99 µs':>12}")
    for name, values in (("botwarden x_weighted_length", ours), ("twitter-text parse_tweet", theirs)):
        p99 = sorted(values)[int(0.99 * (len(values) - 1))]
        print(f"  {name:<34}{statistics.median(values) * 1e6:12.1f}{p99 * 1e6:12.1f}")
    print(f"  speed-up (median): {statistics.median(theirs) / statistics.median(ours):.1f}x")
    print(f"  same length and validity: {agree:,} of {len(texts):,}")


if __name__ == "__main__":
    main()
