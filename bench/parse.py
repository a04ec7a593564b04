"""Feed parsing: botwarden.feeds.parse (fast path, feedparser as fallback) against plain feedparser, field by
field, on two corpora in the same run:

- the 200 real feeds of ``../shared/corpora/feeds/``;
- feedparser's own test corpus (about 2,100 small feeds, many broken on purpose), from the source
  distribution of the locked feedparser: read from ``.cache/`` or downloaded from the URL in uv.lock and
  checked against its hash (the corpus is skipped, with a note, when the registry cannot be reached).

    .venv/bin/python bench/parse.py              # both corpora, 3 rounds, the best round counts
    .venv/bin/python bench/parse.py --rounds 1 --show 5

Both sides produce botwarden's Items (feedparser's results go through the conversion the fallback uses),
so the comparison is of what botwarden would store. For each field (title, link, id, published, updated,
categories, enclosures) it prints the share of items on which the two agree; an item one side has and the
other lacks disagrees on every field. Goal: at least 99.9 % on every field of each corpus, and at least 5x
feedparser's speed on the real feeds. feedparser runs as botwarden's fallback runs it
(botwarden/feeds/fallback.py: ids kept as written, the encoding decided by the document alone). feedparser
reads no JSON Feed, so JSON feeds (botwarden's own reader) are timed but not compared.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import tarfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from botwarden.errors import FeedError
from botwarden.feeds import parse
from botwarden.feeds.fastparse import parse_fast
from botwarden.feeds.jsonfeed import looks_like_json_feed
from botwarden.feeds.model import Feed, Item
from botwarden.feeds.parse import make_item, parse_with_feedparser

ROOT = Path(__file__).resolve().parent.parent
REAL_FEEDS = ROOT.parent / "shared" / "corpora" / "feeds"
FIELDS = ("title", "link", "id", "published", "updated", "categories", "enclosures", "media")
FEED_SUFFIXES = (".xml", ".rdf", ".rss", ".atom", ".json")
GOAL_SHARE, GOAL_SPEEDUP = 0.999, 5.0

Documents = list[tuple[str, bytes]]


@dataclass
class Agreement:
    items: int = 0
    same: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    differing: list[str] = field(default_factory=list)

    def add(self, name: str, theirs: list[Item], ours: list[Item]) -> None:
        self.items += max(len(theirs), len(ours))
        for index, (a, b) in enumerate(zip(theirs, ours, strict=False)):
            for name_ in FIELDS:
                if getattr(a, name_) == getattr(b, name_):
                    self.same[name_] += 1
                else:
                    self.differing.append(
                        f"{name} item {index} {name_}: {getattr(a, name_)!r} != {getattr(b, name_)!r}"
                    )
        if len(theirs) != len(ours):
            self.differing.append(f"{name}: feedparser has {len(theirs)} items, botwarden {len(ours)}")

    def share(self, name: str) -> float:
        return self.same[name] / self.items if self.items else 1.0


def real_feeds(corpus: Path) -> Documents:
    return [(p.name, p.read_bytes()) for p in sorted(corpus.iterdir()) if p.is_file()]


def feedparser_corpus() -> Documents | str:
    """The feeds of feedparser's test suite, or why they are not at hand."""
    lock = (ROOT / "uv.lock").read_text(encoding="utf-8")
    block = lock.split('name = "feedparser"\n', 1)[1].split("[[package]]", 1)[0]
    found = re.search(r'sdist = \{ url = "([^"]+)", hash = "sha256:([0-9a-f]+)"', block)
    if found is None:
        return "uv.lock names no feedparser sdist"
    url, digest = found.groups()
    path = ROOT / ".cache" / url.rsplit("/", 1)[-1]
    if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
        try:
            answer = httpx.get(url, timeout=60, follow_redirects=True)
            answer.raise_for_status()
        except httpx.HTTPError as exc:
            return f"the package registry cannot be reached ({exc})"
        if hashlib.sha256(answer.content).hexdigest() != digest:
            return "the downloaded sdist does not match uv.lock"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(answer.content)
    documents = []
    with tarfile.open(path) as archive:
        for member in archive.getmembers():
            if member.isfile() and "/tests/" in member.name and member.name.endswith(FEED_SUFFIXES):
                handle = archive.extractfile(member)
                if handle is not None:
                    documents.append((member.name.split("/tests/", 1)[1], handle.read()))
    return documents


def _run(parser: Callable[[bytes, str], Feed], documents: Documents) -> list[Feed | None]:
    out: list[Feed | None] = []
    for name, data in documents:
        try:
            out.append(parser(data, f"https://feeds.example/{name}"))
        except FeedError:
            out.append(None)
    return out


def _timed(
    parser: Callable[[bytes, str], Feed], documents: Documents, rounds: int
) -> tuple[float, list[Feed | None]]:
    best, result = float("inf"), []
    for _ in range(rounds):
        begun = time.perf_counter()
        result = _run(parser, documents)
        best = min(best, time.perf_counter() - begun)
    return best, result


def compare(label: str, documents: Documents, rounds: int, show: int) -> tuple[bool, float]:
    """Print the corpus's figures; returns whether every field met the goal, and the speed-up."""
    size = sum(len(d) for _, d in documents) / 1e6
    baseline_s, baseline = _timed(parse_with_feedparser, documents, rounds)
    ours_s, ours = _timed(parse, documents, rounds)
    fast = sum(
        parse_fast(data, f"https://feeds.example/{name}", make_item) is not None for name, data in documents
    )
    agreement, json_feeds = Agreement(), 0
    for (name, data), theirs, mine in zip(documents, baseline, ours, strict=True):
        if looks_like_json_feed(data):
            json_feeds += 1
            continue
        agreement.add(name, theirs.items if theirs else [], mine.items if mine else [])

    print(f"\n{label}: {len(documents)} feeds, {size:.1f} MB, {agreement.items} items compared; "
          f"{fast} feeds read by the fast path, {json_feeds} JSON feeds not compared; "
          f"best of {rounds} round(s)")  # fmt: skip
    print(f"  {'parser':<26} {'seconds':>8} {'feeds/s':>8} {'MB/s':>6} {'speed-up':>8}")
    for name, seconds in (("feedparser", baseline_s), ("botwarden.feeds.parse", ours_s)):
        print(
            f"  {name:<26} {seconds:>8.2f} {len(documents) / seconds:>8.1f} {size / seconds:>6.1f} "
            f"{baseline_s / seconds:>7.1f}x"
        )
    print("  agreement with feedparser, per field:")
    for name in FIELDS:
        print(
            f"    {name:<11} {agreement.same[name]:>6} of {agreement.items:<6} {agreement.share(name):>8.3%}"
        )
    for line in agreement.differing[:show]:
        print(f"  differs: {line}")
    return all(agreement.share(name) >= GOAL_SHARE for name in FIELDS), baseline_s / ours_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=REAL_FEEDS, help="the real feeds")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--show", type=int, default=0, help="print this many differing fields per corpus")
    args = parser.parse_args()

    real_met, speedup = compare("real feeds", real_feeds(args.corpus), args.rounds, args.show)
    corpus = feedparser_corpus()
    if isinstance(corpus, str):
        print(f"\nfeedparser's test corpus: skipped, {corpus}")
        own_met = False
    else:
        own_met, _ = compare("feedparser's test corpus", corpus, args.rounds, args.show)
    met = real_met and own_met and speedup >= GOAL_SPEEDUP
    print(
        f"\ngoal (>= {GOAL_SHARE:.1%} on every field of both corpora, >= {GOAL_SPEEDUP:g}x feedparser "
        f"on the real feeds): {'met' if met else 'not met'}"
    )


if __name__ == "__main__":
    main()
