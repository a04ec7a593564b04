"""Diagnosing a large history on one core: read an X archive of N posts, replay it through the rules, rank
the causes of a lock and write the reports.

    .venv/bin/python bench/diagnose.py              # 100,000 posts of 20 accounts over 90 days
    .venv/bin/python bench/diagnose.py --posts 20000

Goal: 100,000 posts in 60 s or less. The posts are synthetic headlines of about 20 words with a link each;
every tenth is an edited copy of a recent one, so the duplicate rules and the clusters have work to do.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import zipfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import Synthetic

from botwarden.diagnose import Lock, diagnose, dumps, read_export, to_html

START = datetime(2026, 1, 1, tzinfo=UTC)


def write_archive(path: Path, posts: int, accounts: int) -> None:
    """One X archive per run holding every account's posts (the diagnosis reads accounts from text)."""
    data = Synthetic(seed=5)
    texts = list(data.posts(posts))
    span = timedelta(days=90).total_seconds()
    tweets = []
    for n, text in enumerate(texts):
        if n % 10 == 9:
            text = data.edit(texts[n - 7], 2)
        at = START + timedelta(seconds=span * n / posts)
        link = f"https://news{n % 700}.example/story/{n}"
        tweets.append(
            {
                "tweet": {
                    "id_str": str(n),
                    "created_at": at.strftime("%a %b %d %H:%M:%S +0000 %Y"),
                    "full_text": f"{text} https://t.co/{n:08d}",
                    "entities": {"urls": [{"url": f"https://t.co/{n:08d}", "expanded_url": link}]},
                }
            }
        )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data/tweets.js", "window.YTD.tweets.part0 = " + json.dumps(tweets))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--accounts", type=int, default=20)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the goal says
    with tempfile.TemporaryDirectory() as folder:
        archive = Path(folder) / "archive.zip"
        write_archive(archive, args.posts, args.accounts)
        started = time.perf_counter()
        posts = read_export(archive, account="bench")
        read = time.perf_counter()
        # Spread the posts over the accounts, as an operator's several archives would be.
        posts = [replace(p, account=f"acct{int(p.id) % args.accounts}") for p in posts]
        result = diagnose(posts, [Lock(START + timedelta(days=60), "acct3")])
        analysed = time.perf_counter()
        dumps(result)
        to_html(result)
        reported = time.perf_counter()
    total = reported - started
    print(f"\nDiagnose {len(posts):,} posts of {args.accounts} accounts on one core")
    print(f"  {'step':<34}{'seconds':>10}")
    for step, seconds in (
        ("read the X archive", read - started),
        ("replay through the rules, rank", analysed - read),
        ("JSON and HTML reports", reported - analysed),
        ("total", total),
    ):
        print(f"  {step:<34}{seconds:10.1f}")
    print(
        f"  {len(posts) / total:,.0f} posts/s; {len(result.analysis.flags):,} findings; goal ≤ 60 s: "
        f"{'met' if total <= 60 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
