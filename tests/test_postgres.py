"""Several workers sharing one PostgreSQL store (a real throwaway cluster): each post goes out once, one
account's posts keep their interval across workers, and workers killed with SIGKILL lose nothing and
double nothing."""

from __future__ import annotations

import itertools
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from botwarden import config as config_module
from botwarden.run.loop import Runtime
from botwarden.store import make_engine, session_factory
from botwarden.store.models import HistoryRow, LocalPostRow, QueueRow

from .conftest import ROOT, rss
from .pg import ThrowawayCluster

T0 = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)
# `make test` runs 300 posts; `make test-full` (BOTWARDEN_FULL_SCALE=1) the full size: 2,000 accounts, each
# with its own feed of 10 items, 20,000 posts, which takes several minutes on two cores.
FULL_SCALE = os.environ.get("BOTWARDEN_FULL_SCALE") == "1"
FEEDS, ITEMS, ACCOUNTS_PER_FEED = (2000, 10, 1) if FULL_SCALE else (4, 25, 3)
WORKERS, KILLS, DEADLINE_SECONDS = (4, 10, 1800) if FULL_SCALE else (4, 6, 150)
INTERVAL_MINUTES = 5
SPEED = 600.0  # simulated seconds per real second: ten minutes a second


def _words(rng: random.Random, count: int) -> str:
    return " ".join(
        "".join(rng.choice("bcdfghjklmnprstvwz") + rng.choice("aeiou") for _ in range(3))
        for _ in range(count)
    )


def _feeds(docs) -> None:
    rng = random.Random(11)
    for feed in range(FEEDS):
        items = [
            {
                "guid": f"f{feed}-{n}",
                "title": _words(rng, 8),
                "link": f"https://site{feed}.example/{n}",
                "pubDate": format_datetime(T0 - timedelta(hours=2, minutes=n)),
            }
            for n in range(ITEMS)
        ]
        docs.put(f"/feed{feed}.rss", rss(*items))


def _config(tmp_path: Path, base_url: str, database: str) -> Path:
    lines = [
        "[settings]",
        f'database_url = "{database}"',
        'allow_hosts = ["127.0.0.1"]',
        f"min_interval_minutes = {INTERVAL_MINUTES}",
        "jitter_seconds = 0",
        "burst_max = 1000",
        "daily_cap = 1000",
        'first_run = "all"',
        "lease_seconds = 1800",  # three real seconds at SPEED: longer than any pass, as a lease must be
        f"fetch_interval_minutes = {600 if FULL_SCALE else 30}",  # 2,000 feeds: fetched once a minute
        "resolve_links = false",
    ]
    for feed in range(FEEDS):
        lines += ["[[feeds]]", f'id = "feed{feed}"', f'url = "{base_url}/feed{feed}.rss"']
        for copy in range(ACCOUNTS_PER_FEED):
            account = f"acct{feed}-{copy}"
            lines += ["[[accounts]]", f'id = "{account}"', 'network = "local"', f'operator = "{account}"']
            lines += ["[[routes]]", f'feed = "feed{feed}"', f'account = "{account}"']
            lines += [f'template = "{"Also: " * copy}{{title}} {{link}}"']
    path = tmp_path / "workers.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _start(config: Path, worker: str, begun: float, log: Path, stop: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.pg_worker", str(config), worker, T0.isoformat(), str(begun), str(SPEED),
         str(log), str(stop)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log.with_suffix(".err").open("wb"),  # read by the test: a worker must not crash
    )  # fmt: skip


@pytest.mark.timeout(DEADLINE_SECONDS + 300)
def test_workers_share_the_queue_post_once_and_survive_sigkill(
    postgres: ThrowawayCluster, site, tmp_path: Path
) -> None:
    docs, server = site
    _feeds(docs)
    database = postgres.new_database()
    config = _config(tmp_path, server.base_url, database)
    Runtime(config_module.load(config, env={})).close()  # migrate and sync once, as an operator would
    sessions = session_factory(make_engine(database))
    expected = FEEDS * ITEMS * ACCOUNTS_PER_FEED
    stop, begun, rng = tmp_path / "stop", time.time(), random.Random(5)
    logs = [tmp_path / f"w{n}.log" for n in range(WORKERS)]
    workers = {n: _start(config, f"w{n}", begun, logs[n], stop) for n in range(WORKERS)}
    kills, generation = 0, WORKERS
    started = time.monotonic()
    deadline = started + DEADLINE_SECONDS
    # At full size the kills are spread over the run (one per 1/(KILLS + 1) of the posts); the small run
    # is over in seconds, so there a worker is killed at every look once posts are flowing.
    kill_every = expected // (KILLS + 1) if FULL_SCALE else 0
    try:
        while time.monotonic() < deadline:
            time.sleep(rng.uniform(0.8, 1.6))
            with sessions() as session:
                sent = session.scalar(select(func.count()).where(QueueRow.state == "sent"))
            if sent == expected:
                break
            if kills < KILLS and sent and sent >= kill_every * (kills + 1):
                victim = rng.choice(sorted(workers))
                os.kill(workers[victim].pid, signal.SIGKILL)
                workers[victim].wait()
                kills += 1
                log = tmp_path / f"w{generation}.log"
                logs.append(log)
                workers[victim] = _start(config, f"w{generation}", begun, log, stop)
                generation += 1
    finally:
        stop.touch()
        for process in workers.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()

    with sessions() as session:
        states = Counter(session.scalars(select(QueueRow.state)))
        history = session.scalar(select(func.count()).select_from(HistoryRow))
        posts = list(
            session.execute(select(LocalPostRow.account_id, LocalPostRow.at).order_by(LocalPostRow.at))
        )
    crashes = [log.name for log in logs if "Traceback" in log.with_suffix(".err").read_text()]
    lines = [line.split() for log in logs if log.exists() for line in log.read_text().splitlines()]
    tries = Counter(words[1] for words in lines if words[0] == "try")
    answers = [(words[1], words[2]) for words in lines if words[0] == "answer"]
    unanswered = tries - Counter(key for key, _ in answers)
    publishers = {log.name for log in logs if log.exists() and log.read_text().strip()}

    elapsed = time.monotonic() - started
    print(f"\n{expected:,} posts by {WORKERS} workers, {kills} killed with SIGKILL, in {elapsed:.0f} s")
    assert kills >= KILLS - 1, "the workers finished before enough of them could be killed"
    assert not crashes, crashes  # every worker ran until stopped or killed
    assert states == {"sent": expected}, states  # nothing lost
    assert len(posts) == history == expected
    # Nothing sent twice, even after SIGKILL: the network never had a post delivered again (it answers
    # a key it already has with 'duplicate'). A kill cuts at most one call short; such a post was either
    # found on the network afterwards (and not resent) or never reached it (and was sent again).
    assert len(tries) == expected
    assert [kind for _, kind in answers].count("posted") == len(answers), Counter(k for _, k in answers)
    assert sum(unanswered.values()) <= kills, unanswered
    assert len(publishers) >= WORKERS  # the work was shared
    per_account = defaultdict(list)
    for account, at in posts:
        per_account[account].append(at)
    gaps = [b - a for times in per_account.values() for a, b in itertools.pairwise(times)]
    # One account's posts are never closer than its interval, whichever workers sent them.
    assert min(gaps) >= timedelta(minutes=INTERVAL_MINUTES)


def test_the_whole_pipeline_runs_on_postgresql(postgres: ThrowawayCluster, site, make_config) -> None:
    docs, server = site
    docs.put(
        "/feed.rss", rss({"guid": "1", "title": "Harbour news on PostgreSQL", "link": "https://e.org/1"})
    )
    cfg = make_config(server.base_url, database_url=postgres.new_database())
    runtime = Runtime(cfg, rng=random.Random(1))
    report = runtime.run_pass(T0)
    assert (report.ingest.queued, report.publish.posted) == (1, 1)
    runtime.run_pass(T0 + timedelta(minutes=10))
    with runtime.sessions() as session:
        assert list(session.scalars(select(LocalPostRow.text))) == [
            "Harbour news on PostgreSQL https://e.org/1"
        ]
        at = session.scalar(select(HistoryRow.at))
    assert at == T0 and at.tzinfo is not None
    runtime.close()
