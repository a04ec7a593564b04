"""Polling many feeds: one worker's pass over N feeds on a loopback server, most of which answer
304 Not Modified (conditional GET with the ETag of the last fetch).

    .venv/bin/python bench/polling.py                 # 10,000 feeds, 5 % of them changed
    .venv/bin/python bench/polling.py --feeds 2000

Goal: one worker polls 10,000 feeds in 60 s or less. The first pass fetches every feed in full; the
second, measured pass finds ``--changed`` of them with a new item and the rest unchanged.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from botwarden import config as config_module
from botwarden.demo.server import FeedServer
from botwarden.run.loop import Runtime
from tests.conftest import Site, rss

T0 = datetime(2026, 6, 1, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--feeds", type=int, default=10_000)
    parser.add_argument("--changed", type=float, default=0.05, help="share of feeds with a new item")
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    site = Site()
    for n in range(args.feeds):
        site.put(
            f"/f{n}.rss",
            rss({"guid": f"{n}-0", "title": f"Feed {n} first", "link": f"https://s{n}.example/0"}),
        )
    with FeedServer(site) as server, tempfile.TemporaryDirectory() as folder:
        raw = {
            "settings": {
                "database_url": f"sqlite:///{Path(folder) / 'poll.db'}",
                "allow_hosts": ["127.0.0.1"],
                "fetch_interval_minutes": 10,
                "fetch_concurrency": args.concurrency,
            },
            "feeds": [{"id": f"f{n}", "url": f"{server.base_url}/f{n}.rss"} for n in range(args.feeds)],
        }
        runtime = Runtime(config_module.from_mapping(raw, label="bench", env={}))
        started = time.perf_counter()
        first = runtime.ingestor.run(T0)
        first_seconds = time.perf_counter() - started
        step = max(int(1 / args.changed), 1) if args.changed else args.feeds + 1
        for n in range(0, args.feeds, step):
            item = {"guid": f"{n}-1", "title": f"Feed {n} second", "link": f"https://s{n}.example/1"}
            site.put(
                f"/f{n}.rss",
                rss(item, {"guid": f"{n}-0", "title": f"Feed {n} first", "link": f"https://s{n}.example/0"}),
            )
        started = time.perf_counter()
        second = runtime.ingestor.run(T0 + timedelta(minutes=11))
        second_seconds = time.perf_counter() - started
        runtime.close()
    print(f"\nPolling {args.feeds:,} feeds on loopback, one worker, {args.concurrency} requests in flight")
    print(f"  {'pass':<34}{'seconds':>9}{'feeds/s':>10}{'200':>8}{'304':>8}{'failed':>8}")
    for label, seconds, report in (
        ("first (every feed in full)", first_seconds, first),
        ("second (mostly 304)", second_seconds, second),
    ):
        counts = f"{report.fetched:8}{report.not_modified:8}{report.failed:8}"
        print(f"  {label:<34}{seconds:9.1f}{args.feeds / seconds:10.0f}{counts}")
    print(f"  goal: the mostly-304 pass in ≤ 60 s: {'met' if second_seconds <= 60 else 'NOT met'}")


if __name__ == "__main__":
    main()
