"""Parsing at the size cap: botwarden.feeds.parse on 10 MB documents that no feed resembles (1.4 million
nested or side-by-side elements, well-formed or not). Each runs in a process of its own, which prints its
time and its peak resident memory (the interpreter and its libraries included).

    .venv/bin/python bench/parse_bounds.py
    .venv/bin/python bench/parse_bounds.py --feedparser    # also plain feedparser.parse, unbounded (slow)

Goal: each is refused (or read) in seconds with bounded memory; before the bounds, the nested document
took 35 s and 674 MB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
N = 1_400_000
RSS = "b'<rss version=\"2.0\"><channel><title>{title}</title>'"
DOCUMENTS = {  # Python expressions, evaluated in the child
    "nested": f"{RSS.format(title='t')} + b'<a>' * {N} + b'</a>' * {N}",
    "nested, not well-formed": f"{RSS.format(title='&x;')} + b'<a>' * {N * 2}",
    "side by side": f"{RSS.format(title='t')} + b'<item/>' * {N} + b'</channel></rss>'",
    "side by side, not well-formed": f"{RSS.format(title='&x;')} + b'<item/>' * {N}",
}
CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
import feedparser
from botwarden.errors import FeedError
from botwarden.feeds import parse
document = {document}
begun = time.perf_counter()
if {feedparser!r}:
    feedparser.parse(document)
    outcome = "read"
else:
    try:
        outcome = f"read, {{len(parse(document, 'https://e.org/feed').items)}} items"
    except FeedError as exc:
        outcome = "refused: " + str(exc).split(": ", 1)[1][:60] + "..."
seconds = time.perf_counter() - begun
print(json.dumps([len(document), seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, outcome]))
"""


def run(document: str, *, feedparser: bool) -> tuple[int, float, int, str]:
    code = CHILD.format(root=str(ROOT), document=document, feedparser=feedparser)
    answer = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    size, seconds, peak_kb, outcome = json.loads(answer.stdout.strip().splitlines()[-1])
    return size, seconds, peak_kb, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feedparser", action="store_true", help="also time plain feedparser (minutes)")
    args = parser.parse_args()
    readers = [("botwarden.feeds.parse", False)] + ([("feedparser.parse", True)] if args.feedparser else [])
    print(f"{'document':<31} {'reader':<22} {'MB':>5} {'seconds':>8} {'peak MB':>8}  outcome")
    for name, document in DOCUMENTS.items():
        for label, plain in readers:
            size, seconds, peak_kb, outcome = run(document, feedparser=plain)
            print(
                f"{name:<31} {label:<22} {size / 1e6:>5.1f} {seconds:>8.2f} {peak_kb / 1024:>8.0f}  {outcome}"
            )


if __name__ == "__main__":
    main()
