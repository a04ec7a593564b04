"""Near-duplicate index: botwarden's SimilarityIndex against datasketch's MinHashLSH, same data, same run.

    .venv/bin/python bench/similarity.py                 # 1,000,000 synthetic posts, then the feed corpus
    .venv/bin/python bench/similarity.py --posts 200000  # a quicker run

Both libraries index the same word sets (botwarden's normalised words, stopwords left out) and are asked
for posts at least ``--threshold`` similar. Measured: insert time, query time (median and p99) for edited
copies of indexed posts, recall for one-word and three-word edits, false matches for unrelated posts, and
memory per post (botwarden: ``nbytes``; both: growth of the process's resident memory).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import Synthetic, feed_items

from botwarden.similarity import SimilarityIndex, jaccard, words

AT = datetime(2026, 3, 21, tzinfo=UTC)


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


def timed(fn: Callable[[str], object], items: Sequence[str]) -> tuple[list[float], list[object]]:
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

    def insert(self, key: str, text: str) -> None:
        self.index.add(key, text, account="bench", at=AT)

    def query(self, text: str) -> list[str]:
        return [m.key for m in self.index.query(text, threshold=self.threshold)]

    def nbytes(self) -> int | None:
        return self.index.nbytes


class Datasketch:
    name = "datasketch"

    def __init__(self, threshold: float, num_perm: int = 128) -> None:
        from datasketch import MinHash, MinHashLSH

        self.minhash, self.num_perm = MinHash, num_perm
        self.lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)

    def _sketch(self, text: str) -> object:
        sketch = self.minhash(num_perm=self.num_perm)
        sketch.update_batch([w.encode() for w in words(text)])
        return sketch

    def insert(self, key: str, text: str) -> None:
        self.lsh.insert(key, self._sketch(text), check_duplication=False)

    def query(self, text: str) -> list[str]:
        return list(self.lsh.query(self._sketch(text)))

    def nbytes(self) -> int | None:
        return None


def measure(
    engine: Botwarden | Datasketch,
    posts: list[str],
    queries: dict[str, list[tuple[str, str]]],
    unrelated: list[str],
    threshold: float,
) -> dict[str, str]:
    times = np.zeros(len(posts))  # allocated and touched before the memory is measured
    gc.collect()
    before = rss_bytes()
    for i, text in enumerate(posts):
        start = time.perf_counter()
        engine.insert(str(i), text)
        times[i] = time.perf_counter() - start
        if i and i % 200_000 == 0:
            print(f"  {engine.name}: {i:,} inserted", file=sys.stderr, flush=True)
    gc.collect()
    grown = rss_bytes() - before
    row = {
        "engine": engine.name,
        "insert mean µs": f"{times.mean() * 1e6:8.1f}",
        "insert median µs": f"{np.median(times) * 1e6:8.1f}",
        # A small run fits in memory the process freed earlier, so it may not grow at all: no figure then.
        "RSS B/post": f"{grown / len(posts):8.0f}" if grown > 0 else "       -",
        "nbytes B/post": f"{engine.nbytes() / len(posts):8.0f}" if engine.nbytes() else "       -",
    }
    all_times: list[float] = []
    for label, pairs in queries.items():
        q_times, results = timed(engine.query, [q for _, q in pairs])
        all_times += q_times
        found = sum(key in result for (key, _), result in zip(pairs, results, strict=True))  # type: ignore[operator]
        row[f"recall {label}"] = f"{found / len(pairs):7.1%}"
    u_times, results = timed(engine.query, unrelated)
    all_times += u_times
    false = sum(bool(r) for r in results)  # type: ignore[arg-type]
    row["false matches"] = f"{false / len(unrelated):7.2%}"
    row["query median µs"] = us(all_times)
    row["query p99 µs"] = us(all_times, 0.99)
    return row


def table(rows: list[dict[str, str]], title: str) -> None:
    print(f"\n{title}")
    keys = list(rows[0])
    width = max(len(k) for k in keys)
    for key in keys:
        print(f"  {key:<{width}}  " + "  ".join(f"{row.get(key, ''):>12}" for row in rows))
    if len(rows) == 2:
        a, b = (float(r["query median µs"]) for r in rows)
        print(f"  {'speed-up (median query)':<{width}}  {b / a:12.1f}x")


def synthetic(args: argparse.Namespace) -> None:
    data = Synthetic(seed=7)
    posts = list(data.posts(args.posts))
    step = max(1, len(posts) // args.queries)
    picks = list(range(0, len(posts), step))[: args.queries]
    queries = {
        "1-word edit": [(str(i), data.edit(posts[i], 1)) for i in picks],
        "3-word edit": [(str(i), data.edit(posts[i], 3)) for i in picks],
    }
    unrelated = list(Synthetic(seed=99).posts(args.queries))
    rows = [measure(Botwarden(args.threshold), posts, queries, unrelated, args.threshold)]
    if not args.skip_datasketch:
        rows.append(measure(Datasketch(args.threshold), posts, queries, unrelated, args.threshold))
    table(rows, f"Synthetic: {len(posts):,} posts of 20 words, threshold {args.threshold}")


def realistic(args: argparse.Namespace) -> None:
    """The shared feed corpus: every item indexed; queries are the items themselves with one or three
    words changed, and ground truth is exact Jaccard, so templated headlines count when truly similar."""
    items = feed_items()
    data = Synthetic(seed=11, vocabulary=20_000)
    picks = [i for i in range(0, len(items), max(1, len(items) // 1000)) if len(words(items[i])) >= 6]
    sets = [words(t) for t in items]
    # Ground truth is exact Jaccard: an edit that leaves a short item under the threshold is no longer a
    # near-copy of it, so it is left out rather than counted as a miss.
    queries = {
        f"{n}-word edit": [
            (str(i), edited)
            for i in picks
            if jaccard(words(edited := data.edit(items[i], n)), sets[i]) >= args.threshold
        ]
        for n in (1, 3)
    }
    unrelated = list(Synthetic(seed=5).posts(len(picks)))
    rows = [measure(Botwarden(args.threshold), items, queries, unrelated, args.threshold)]
    if not args.skip_datasketch:
        rows.append(measure(Datasketch(args.threshold), items, queries, unrelated, args.threshold))
    table(
        rows,
        f"Feed corpus: {len(items):,} items of ../shared/corpora/feeds/, threshold {args.threshold} "
        f"(queries still at least that similar to their item: {len(queries['1-word edit'])} one-word and "
        f"{len(queries['3-word edit'])} three-word edits of {len(picks)} items)",
    )
    similar_pairs = sum(
        1 for i in picks for j in range(len(sets)) if i != j and jaccard(sets[i], sets[j]) >= args.threshold
    )
    print(
        f"  (templated items: {similar_pairs} other items are at least {args.threshold} similar to the "
        f"{len(picks)} queried ones; RSS '-': the process did not grow, having memory free from earlier)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--skip-datasketch", action="store_true")
    parser.add_argument("--skip-corpus", action="store_true")
    args = parser.parse_args()
    synthetic(args)
    if not args.skip_corpus:
        realistic(args)


if __name__ == "__main__":
    main()
