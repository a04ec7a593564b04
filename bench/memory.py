"""Memory per account and per feed: a worker configured for N accounts, each with its own feed of ten items,
after one pass (every feed fetched, every route seeded, the newest item of each posted).

    .venv/bin/python bench/memory.py                  # 100 and 1,000 accounts
    .venv/bin/python bench/memory.py --sizes 500 2000

The per-account figure is the growth between the two sizes divided by the difference in accounts, so the
fixed cost of the process (Python, libraries, the rule catalogue) is left out. Python's own allocations are
counted with tracemalloc; RSS is read from /proc.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from botwarden import config as config_module
from botwarden.demo.server import FeedServer
from botwarden.run.loop import Runtime
from tests.conftest import Site, rss

T0 = datetime(2026, 6, 1, tzinfo=UTC)


def rss_bytes() -> int:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096


def measure(accounts: int, site: Site, base_url: str, folder: Path) -> tuple[int, int]:
    raw = {
        "settings": {
            "database_url": f"sqlite:///{folder / f'm{accounts}.db'}",
            "allow_hosts": ["127.0.0.1"],
            "resolve_links": False,
            "fetch_concurrency": 16,
        },
        "accounts": [{"id": f"a{n}", "network": "local", "operator": f"op{n % 20}"} for n in range(accounts)],
        "feeds": [{"id": f"f{n}", "url": f"{base_url}/f{n}.rss"} for n in range(accounts)],
        "routes": [{"feed": f"f{n}", "account": f"a{n}"} for n in range(accounts)],
    }
    gc.collect()
    before_heap, before_rss = tracemalloc.get_traced_memory()[0], rss_bytes()
    runtime = Runtime(config_module.from_mapping(raw, label="bench", env={}))
    runtime.run_pass(T0)
    gc.collect()
    heap, resident = tracemalloc.get_traced_memory()[0] - before_heap, rss_bytes() - before_rss
    runtime.close()
    return heap, resident


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs=2, default=(100, 1000))
    args = parser.parse_args()
    small, large = args.sizes
    site = Site()
    for n in range(large):
        items = [
            {"guid": f"{n}-{i}", "title": f"Feed {n} story {i}", "link": f"https://s{n}.example/{i}"}
            for i in range(10)
        ]
        site.put(f"/f{n}.rss", rss(*items))
    tracemalloc.start()
    with FeedServer(site) as server, tempfile.TemporaryDirectory() as folder:
        measure(10, site, server.base_url, Path(folder))  # warm up imports and caches
        results = {size: measure(size, site, server.base_url, Path(folder)) for size in (small, large)}
    heap = (results[large][0] - results[small][0]) / (large - small)
    resident = (results[large][1] - results[small][1]) / (large - small)
    print(
        f"\nMemory of a worker with one feed per account, after one pass ({small:,} and {large:,} accounts)"
    )
    print(f"  {'accounts':>10}{'Python heap MB':>16}{'RSS growth MB':>16}")
    for size, (h, r) in results.items():
        print(f"  {size:>10,}{h / 1e6:16.1f}{r / 1e6:16.1f}")
    print(f"  per account and its feed: {heap / 1024:.1f} KiB of Python heap, {resident / 1024:.1f} KiB RSS")


if __name__ == "__main__":
    main()
