"""Feed parsing: botwarden.feeds.parse (fast path, feedparser as fallback) against plain feedparser, on the
real feeds of ``../shared/corpora/feeds/``, in the same run.

    .venv/bin/python bench/parse.py              # every feed of the corpus, 3 rounds, best round counts
    .venv/bin/python bench/parse.py --rounds 1 --show 5

Both sides produce botwarden's Items (feedparser's results go through the same conversion the fallback
uses), so the comparison is of what botwarden would store: item by item, the same id, link, title,
published and updated date. Goal: at least 5x feedparser's feeds per second, with at least 99 % of the
items the same. (feedparser reads no JSON Feed, so the corpus's one JSON feed counts as a differing feed
with no items to compare.)
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from botwarden.errors import FeedError
from botwarden.feeds import parse
from botwarden.feeds.model import Feed, Item
from botwarden.feeds.parse import parse_with_feedparser

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "feeds"
FIELDS = ("id", "link", "title", "published", "updated")


def _run(parser: Callable[[bytes, str], Feed], documents: list[tuple[str, bytes]]) -> list[Feed | None]:
    out: list[Feed | None] = []
    for name, data in documents:
        try:
            out.append(parser(data, f"https://feeds.example/{name}"))
        except FeedError:
            out.append(None)
    return out


def _timed(
    parser: Callable[[bytes, str], Feed], documents: list[tuple[str, bytes]], rounds: int
) -> tuple[float, list[Feed | None]]:
    best, result = float("inf"), []
    for _ in range(rounds):
        begun = time.perf_counter()
        result = _run(parser, documents)
        best = min(best, time.perf_counter() - begun)
    return best, result


def _key(item: Item) -> tuple[object, ...]:
    return tuple(getattr(item, f) for f in FIELDS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--show", type=int, default=0, help="print this many differing items")
    args = parser.parse_args()
    documents = [(p.name, p.read_bytes()) for p in sorted(args.corpus.iterdir()) if p.is_file()]
    size = sum(len(d) for _, d in documents) / 1e6
    baseline_s, baseline = _timed(parse_with_feedparser, documents, args.rounds)
    ours_s, ours = _timed(parse, documents, args.rounds)

    items = same = feeds_same = 0
    shown = 0
    for (name, _), theirs, mine in zip(documents, baseline, ours, strict=True):
        their_items = theirs.items if theirs else []
        my_items = mine.items if mine else []
        items += len(their_items)
        matches = sum(_key(a) == _key(b) for a, b in zip(their_items, my_items, strict=False))
        same += matches
        feeds_same += matches == len(their_items) == len(my_items)
        for a, b in zip(their_items, my_items, strict=False):
            if _key(a) != _key(b) and shown < args.show:
                shown += 1
                diff = {f: (getattr(a, f), getattr(b, f)) for f in FIELDS if getattr(a, f) != getattr(b, f)}
                print(f"{name}: {diff}")

    print(f"{len(documents)} feeds, {size:.1f} MB, best of {args.rounds} round(s)")
    print(f"{'parser':<34} {'seconds':>8} {'feeds/s':>8} {'MB/s':>6} {'speed-up':>8}")
    for label, seconds in (("feedparser", baseline_s), ("botwarden.feeds.parse", ours_s)):
        print(
            f"{label:<34} {seconds:>8.2f} {len(documents) / seconds:>8.1f} {size / seconds:>6.1f} "
            f"{baseline_s / seconds:>7.1f}x"
        )
    share = same / items if items else 1.0
    speedup = baseline_s / ours_s
    print(
        f"same items (id, link, title, published, updated): {same} of {items} ({share:.2%}); "
        f"feeds entirely the same: {feeds_same} of {len(documents)}"
    )
    met = "met" if speedup >= 5 and share >= 0.99 else "not met"
    print(f"goal (>= 5x feedparser, >= 99 % same items): {met}")


if __name__ == "__main__":
    main()
