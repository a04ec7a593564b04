"""Near-duplicate index: botwarden's SimilarityIndex against two MinHash LSH indexes, same data, same run:
datasketch's MinHashLSH (Python) and rensa's RMinHashLSH (Rust, the fastest we know of).

    .venv/bin/python bench/similarity.py                 # 1,000,000 synthetic posts, then the feed corpus
    .venv/bin/python bench/similarity.py --posts 200000  # a quicker run

botwarden indexes its profiles and answers with posts at least ``--threshold`` similar by its own measure
(``profile.resemblance``, what BW102/BW103 hold at); the MinHash indexes index the posts' word sets.
Queries are indexed posts edited three ways: one word changed, three words changed, and *reworded* (half
the content words replaced, the rest shuffled), each counted only where botwarden's measure still puts it
at the threshold or above: that is the level the product judges at. For each MinHash index, the LSH
threshold is lowered until its recall on the reworded queries reaches botwarden's (``--match-recall``),
so the query times compared are those at the same recall. Measured: insert time, query time (median and
p99), recall per kind of edit, false matches for unrelated posts, and memory per post (botwarden:
``nbytes``; all: growth of the process's resident memory).
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import Synthetic, feed_items

from botwarden.similarity import SimilarityIndex, words
from botwarden.similarity.profile import similarity
from botwarden.similarity.stopwords import STOPWORDS

AT = datetime(2026, 3, 21, tzinfo=UTC)
NUM_PERM = 128


class Engine(Protocol):
    name: str

    def insert(self, key: int, text: str) -> None: ...
    def query(self, text: str) -> list[int]: ...
    def nbytes(self) -> int | None: ...


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


def timed(fn: Callable[[str], list[int]], items: Sequence[str]) -> tuple[list[float], list[list[int]]]:
    times, results = [], []
    for item in items:
        start = time.perf_counter()
        results.append(fn(item))
        times.append(time.perf_counter() - start)
    return times, results


def us(values: list[float], q: float | None = None) -> str:
    if q is None:
        return f"{statistics.median(values) * 1e6:8.1f}"
    return f"{sorted(values)[int(q * (len(values) - 1))] * 1e6:8.1f}"


class Botwarden:
    name = "botwarden"

    def __init__(self, threshold: float) -> None:
        self.index = SimilarityIndex()
        self.threshold = threshold

    def insert(self, key: int, text: str) -> None:
        self.index.add(str(key), text, account="bench", at=AT)

    def query(self, text: str) -> list[int]:
        return [int(key) for key, _ in self.index.query_keys(text, threshold=self.threshold)]

    def nbytes(self) -> int | None:
        return self.index.nbytes


class Datasketch:
    def __init__(self, threshold: float) -> None:
        from datasketch import MinHash, MinHashLSH

        self.name = f"datasketch@{threshold:.2f}"
        self.minhash = MinHash
        self.lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)

    def _sketch(self, text: str) -> object:
        sketch = self.minhash(num_perm=NUM_PERM)
        sketch.update_batch([w.encode() for w in words(text)])
        return sketch

    def insert(self, key: int, text: str) -> None:
        self.lsh.insert(key, self._sketch(text), check_duplication=False)

    def query(self, text: str) -> list[int]:
        return list(self.lsh.query(self._sketch(text)))

    def nbytes(self) -> int | None:
        return None


class Rensa:
    def __init__(self, threshold: float) -> None:
        from rensa import RMinHash, RMinHashLSH

        self.name = f"rensa@{threshold:.2f}"
        self.minhash = RMinHash
        bands = _bands_for(threshold)
        self.lsh = RMinHashLSH(threshold=threshold, num_perm=NUM_PERM, num_bands=bands)

    def _sketch(self, text: str) -> object:
        sketch = self.minhash(num_perm=NUM_PERM, seed=42)
        sketch.update(list(words(text)))
        return sketch

    def insert(self, key: int, text: str) -> None:
        self.lsh.insert(key, self._sketch(text))

    def query(self, text: str) -> list[int]:
        return list(self.lsh.query(self._sketch(text)))

    def nbytes(self) -> int | None:
        return None


def _bands_for(threshold: float) -> int:
    """The band count (of a power of two dividing NUM_PERM) whose LSH curve crosses 50 % nearest the
    threshold, as datasketch chooses its own."""
    choices = [b for b in (4, 8, 16, 32, 64) if NUM_PERM % b == 0]
    return min(choices, key=lambda b: abs((1 / b) ** (b / NUM_PERM) - threshold))


def reworded(text: str, rng: random.Random, fresh: Callable[[], str]) -> str:
    """Half the content words replaced by fresh ones, the words then shuffled in runs of three."""
    tokens = text.split()
    content = [i for i, t in enumerate(tokens) if t not in STOPWORDS]
    for i in rng.sample(content, len(content) // 2):
        tokens[i] = fresh()
    runs = [tokens[i : i + 3] for i in range(0, len(tokens), 3)]
    rng.shuffle(runs)
    return " ".join(t for run in runs for t in run)


def measure(
    engine: Engine,
    posts: list[str],
    queries: dict[str, list[tuple[int, str]]],
    unrelated: list[str],
) -> dict[str, str]:
    times = np.zeros(len(posts))  # allocated and touched before the memory is measured
    gc.collect()
    before = rss_bytes()
    for i, text in enumerate(posts):
        start = time.perf_counter()
        engine.insert(i, text)
        times[i] = time.perf_counter() - start
        if i and i % 200_000 == 0:
            print(f"  {engine.name}: {i:,} inserted", file=sys.stderr, flush=True)
    gc.collect()
    grown = rss_bytes() - before
    nbytes = engine.nbytes()
    row = {
        "engine": engine.name,
        "insert mean µs": f"{times.mean() * 1e6:8.1f}",
        "insert median µs": f"{np.median(times) * 1e6:8.1f}",
        # A small run fits in memory the process freed earlier, so it may not grow at all: no figure then.
        "RSS B/post": f"{grown / len(posts):8.0f}" if grown > 0 else "       -",
        "nbytes B/post": f"{nbytes / len(posts):8.0f}" if nbytes else "       -",
    }
    all_times: list[float] = []
    for label, pairs in queries.items():
        q_times, results = timed(engine.query, [q for _, q in pairs])
        all_times += q_times
        found = sum(key in result for (key, _), result in zip(pairs, results, strict=True))
        row[f"recall {label}"] = f"{found / len(pairs):7.1%}"
    u_times, results = timed(engine.query, unrelated)
    all_times += u_times
    row["false matches"] = f"{sum(bool(r) for r in results) / len(unrelated):7.2%}"
    row["query median µs"] = us(all_times)
    row["query p99 µs"] = us(all_times, 0.99)
    return row


def matching_threshold(
    make: Callable[[float], Engine], posts: list[str], pairs: list[tuple[int, str]], target: float
) -> float:
    """The highest LSH threshold at which the engine finds at least ``target`` of the reworded queries,
    tried on the first 20,000 posts holding the queries' originals (recall does not depend on size)."""
    sample = sorted({key for key, _ in pairs})[:200]
    wanted = [(key, text) for key, text in pairs if key in set(sample)]
    for threshold in (0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1):
        engine = make(threshold)
        for key in sample:
            engine.insert(key, posts[key])
        found = sum(key in engine.query(text) for key, text in wanted)
        if found / len(wanted) >= target:
            return threshold
    return 0.1


def compare(title: str, posts: list[str], queries: dict[str, list[tuple[int, str]]], unrelated: list[str],
            args: argparse.Namespace) -> None:  # fmt: skip
    ours = measure(Botwarden(args.threshold), posts, queries, unrelated)
    rows = [ours]
    target = float(ours["recall reworded"].strip("% ")) / 100 if args.match_recall else 0.0
    for name, make in (("datasketch", Datasketch), ("rensa", Rensa)):
        if name in args.skip:
            continue
        threshold = matching_threshold(make, posts, queries["reworded"], target) if target else args.threshold
        gc.collect()
        rows.append(measure(make(threshold), posts, queries, unrelated))
    table(rows, title)


def table(rows: list[dict[str, str]], title: str) -> None:
    print(f"\n{title}")
    keys = list(rows[0])
    width = max(len(k) for k in keys)
    for key in keys:
        print(f"  {key:<{width}}  " + "  ".join(f"{row.get(key, ''):>16}" for row in rows))
    ours = float(rows[0]["query median µs"])
    for row in rows[1:]:
        label = "botwarden faster than " + row["engine"]
        print(f"  {label:<{width}}  {float(row['query median µs']) / ours:12.1f}x")


def edits(
    posts: list[str], picks: list[int], data: Synthetic, threshold: float
) -> dict[str, list[tuple[int, str]]]:
    """Edited copies of the picked posts, each kept only when the measure still puts it at the threshold."""
    rng = random.Random(3)

    def fresh() -> str:
        return data.words[rng.randrange(len(data.words))]

    made = {
        "1-word edit": [(i, data.edit(posts[i], 1)) for i in picks],
        "3-word edit": [(i, data.edit(posts[i], 3)) for i in picks],
        "reworded": [(i, reworded(posts[i], rng, fresh)) for i in picks],
    }
    return {
        label: [(i, q) for i, q in pairs if similarity(q, posts[i]) >= threshold]
        for label, pairs in made.items()
    }


def synthetic(args: argparse.Namespace) -> None:
    data = Synthetic(seed=7)
    posts = list(data.posts(args.posts))
    step = max(1, len(posts) // args.queries)
    picks = list(range(0, len(posts), step))[: args.queries]
    queries = edits(posts, picks, data, args.threshold)
    unrelated = list(Synthetic(seed=99).posts(args.queries))
    counts = ", ".join(f"{len(pairs)} {label}" for label, pairs in queries.items())
    compare(f"Synthetic: {len(posts):,} posts of 20 words, threshold {args.threshold} ({counts} queries)",
            posts, queries, unrelated, args)  # fmt: skip


def realistic(args: argparse.Namespace) -> None:
    """The shared feed corpus: every item indexed; queries are the items themselves edited."""
    items = feed_items()
    data = Synthetic(seed=11, vocabulary=20_000)
    picks = [i for i in range(0, len(items), max(1, len(items) // 1000)) if len(words(items[i])) >= 6]
    queries = edits(items, picks, data, args.threshold)
    unrelated = list(Synthetic(seed=5).posts(len(picks)))
    counts = ", ".join(f"{len(pairs)} {label}" for label, pairs in queries.items())
    compare(f"Feed corpus: {len(items):,} items of ../shared/corpora/feeds/, threshold {args.threshold} "
            f"({counts} queries)", items, queries, unrelated, args)  # fmt: skip


def main() -> None:
    from botwarden.settings import BY_NAME

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--threshold", type=float, default=BY_NAME["near_duplicate_threshold"].default)
    parser.add_argument("--skip", nargs="*", default=[], choices=["datasketch", "rensa"])
    parser.add_argument("--skip-corpus", action="store_true")
    parser.add_argument(
        "--match-recall",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="lower each MinHash index's threshold to botwarden's recall on rewordings",
    )
    args = parser.parse_args()
    synthetic(args)
    if not args.skip_corpus:
        realistic(args)


if __name__ == "__main__":
    main()
