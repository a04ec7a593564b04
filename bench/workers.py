"""End to end: feeds on a loopback server to posts on the local network, with 1, 2 and 4 worker processes
sharing one PostgreSQL (a throwaway cluster, as the tests start) and with one process on SQLite.

    .venv/bin/python bench/workers.py                      # 50 accounts, 2,000 posts
    .venv/bin/python bench/workers.py --accounts 200 --items 20

Each account has its own feed of ``--items`` items (posted in full: first_run = all, pacing off, so the
figure is botwarden's own throughput, not an interval). Items per second is posts sent over the wall time
from the moment every worker has started (imported, connected: about two seconds a process) to the last
post, every rule checked on every post; the figure from the processes' spawn is printed beside it. On
this 2-core machine the goal for 2 workers is at least 1.7 times one.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select

from botwarden import config as config_module
from botwarden.demo.server import FeedServer
from botwarden.run.loop import Runtime
from botwarden.store import make_engine, session_factory
from botwarden.store.models import QueueRow
from tests.conftest import Site, rss
from tests.pg import ThrowawayCluster, available

T0 = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parent.parent


def feeds(site: Site, accounts: int, items: int) -> None:
    rng = random.Random(3)
    syllables = [a + b for a in "bcdfghjklmnprstvwz" for b in "aeiou"]
    for feed in range(accounts):
        site.put(
            f"/f{feed}.rss",
            rss(
                *[
                    {
                        "guid": f"{feed}-{n}",
                        "title": " ".join("".join(rng.sample(syllables, 3)) for _ in range(9)),
                        "link": f"https://site{feed}.example/{n}",
                        "pubDate": format_datetime(T0 - timedelta(minutes=n + 1)),
                    }
                    for n in range(items)
                ]
            ),
        )


def config(folder: Path, base_url: str, database: str, accounts: int) -> Path:
    lines = [
        "[settings]",
        f'database_url = "{database}"',
        'allow_hosts = ["127.0.0.1"]',
        "min_interval_minutes = 0",
        "jitter_seconds = 0",
        "burst_max = 100000",
        "daily_cap = 100000",
        'first_run = "all"',
        "fetch_interval_minutes = 600",
        "resolve_links = false",
    ]
    for n in range(accounts):
        lines += ["[[feeds]]", f'id = "f{n}"', f'url = "{base_url}/f{n}.rss"']
        lines += ["[[accounts]]", f'id = "a{n}"', 'network = "local"', f'operator = "op{n}"']
        lines += ["[[routes]]", f'feed = "f{n}"', f'account = "a{n}"', 'template = "{title} {link}"']
    path = folder / "bench.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def run(path: Path, database: str, workers: int, expected: int) -> tuple[float, float]:
    """Posts per second from the moment every worker is ready (started, connected), and from the moment
    the processes were spawned (which adds each worker's start-up of about two seconds)."""
    Runtime(config_module.load(path, env={})).close()  # migrate and sync before the clock starts
    sessions = session_factory(make_engine(database))
    run_id = time.monotonic_ns()  # new files each run: an old stop file would stop the workers at once
    stop, go = path.parent / f"stop-{run_id}", path.parent / f"go-{run_id}"
    logs = [path.parent / f"w{workers}-{n}-{run_id}.log" for n in range(workers)]
    spawned = time.perf_counter()
    begun = time.time()
    command = [sys.executable, "-m", "tests.pg_worker", str(path)]
    processes = [
        subprocess.Popen(
            [*command, f"w{n}", T0.isoformat(), str(begun), "1", str(logs[n]), str(stop), str(go)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n in range(workers)
    ]
    try:
        while not all(Path(f"{log}.ready").exists() for log in logs):
            if any(process.poll() is not None for process in processes):
                raise SystemExit(f"{workers} worker(s): a worker exited before it was ready")
            time.sleep(0.01)
        go.touch()
        started = time.perf_counter()
        while True:
            time.sleep(0.25)
            with sessions() as session:
                rows = session.execute(select(QueueRow.state, func.count()).group_by(QueueRow.state)).all()
                states: dict[str, int] = {row[0]: row[1] for row in rows}
            open_work = sum(n for state, n in states.items() if state in ("pending", "ready", "sending"))
            if sum(states.values()) >= expected and not open_work:
                # Every post decided; a few random titles can trip a rule (held or denied), not counted.
                done = time.perf_counter()
                sent = states.get("sent", 0)
                return sent / (done - started), sent / (done - spawned)
            if time.perf_counter() - started > 900:
                raise SystemExit(f"{workers} worker(s): {states} after 15 minutes")
    finally:
        stop.touch()
        for process in processes:
            process.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--items", type=int, default=40)
    args = parser.parse_args()
    why = available()
    if why:
        raise SystemExit(f"cannot start PostgreSQL here: {why}")
    expected = args.accounts * args.items
    site = Site()
    feeds(site, args.accounts, args.items)
    results = []
    cluster = ThrowawayCluster().start()
    try:
        with FeedServer(site) as server, tempfile.TemporaryDirectory() as folder:
            base = Path(folder)
            sqlite = f"sqlite:///{base / 'bench.db'}"
            results.append(
                (
                    "SQLite, 1 process",
                    run(config(base, server.base_url, sqlite, args.accounts), sqlite, 1, expected),
                )
            )
            for workers in (1, 2, 4):
                database = cluster.new_database()
                path = config(base, server.base_url, database, args.accounts)
                results.append((f"PostgreSQL, {workers} worker(s)", run(path, database, workers, expected)))
    finally:
        cluster.stop()
    one, one_started = results[1][1]
    print(
        f"\nEnd to end: {args.accounts} accounts × {args.items} items = {expected:,} posts, all rules checked"
    )
    print(f"  {'setup':<26}{'posts/s':>10}{'vs 1 PG worker':>16}{'with start-up':>16}{'vs 1':>8}")
    for label, (rate, with_start) in results:
        ratio, ratio_started = rate / one, with_start / one_started
        print(f"  {label:<26}{rate:10.1f}{ratio:15.2f}x{with_start:16.1f}{ratio_started:7.2f}x")
    print("  (posts/s from the moment every worker is ready; 'with start-up' from their spawn)")


if __name__ == "__main__":
    main()
