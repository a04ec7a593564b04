"""The store's faults, one table: the database goes away, is locked by another process, or runs out of disk
under a running worker. For each the worker stays up, logs why each pass gave up, says when the store is
back, and in the end every post went out exactly once, with the database intact."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from botwarden.store import make_engine, session_factory
from botwarden.store.models import LocalPostRow, QueueRow
from tests.conftest import ROOT, rss
from tests.pg import ThrowawayCluster

T0 = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)
ITEMS = 60


@dataclass(frozen=True)
class Store:
    url: str
    inject: Callable[[], None]
    release: Callable[[], None]
    full_file: Path | None = None  # handed to the worker, which refuses growth while the file exists


@dataclass(frozen=True)
class Fault:
    name: str
    seconds: float  # how long the fault lasts
    reason: str  # what each failed pass must log, as a regular expression
    store: Callable[[pytest.FixtureRequest, Path], Store]


def _postgres_stopped(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    cluster: ThrowawayCluster = request.getfixturevalue("postgres")
    return Store(cluster.new_database(), cluster.halt, cluster.resume)


def _sqlite_locked(_request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    path = tmp_path / "store.db"
    holder: list[sqlite3.Connection] = []

    def lock() -> None:
        # Another process's write transaction: in WAL mode readers go on, every writer waits for it.
        connection = sqlite3.connect(path, timeout=30, isolation_level=None)
        connection.execute("BEGIN EXCLUSIVE")
        holder.append(connection)

    def unlock() -> None:
        holder.pop().rollback()

    # The worker waits 1 s for a lock (30 s by default) so that the test needs no minutes.
    return Store(f"sqlite:///{path}?timeout=1", lock, unlock)


def _sqlite_disk_full(_request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    full = tmp_path / "disk-full"
    return Store(f"sqlite:///{tmp_path / 'store.db'}", full.touch, full.unlink, full_file=full)


MATRIX = [
    Fault("postgresql stopped", 30, r"unavailable \(.*(connect|server|terminat)", _postgres_stopped),
    Fault("sqlite locked by another process", 8, r"unavailable \(database is locked\)", _sqlite_locked),
    Fault("sqlite disk full", 8, r"unavailable \(database or disk is full\)", _sqlite_disk_full),
]


def _write_config(tmp_path: Path, database_url: str) -> Path:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(
        rss(
            *[
                {
                    "guid": f"g{n}",
                    "title": f"Item {n}: " + " ".join(f"w{n}x{k}" for k in range(8)),
                    "link": f"https://site.example/{n}",
                    "pubDate": format_datetime(T0 - timedelta(minutes=n)),
                }
                for n in range(ITEMS)
            ]
        )
    )
    config = tmp_path / "bw.toml"
    config.write_text(f"""[settings]
database_url = "{database_url}"
min_interval_minutes = 1
jitter_seconds = 0
burst_max = 1000
daily_cap = 1000
first_run = "all"
resolve_links = false
[[accounts]]
id = "a"
network = "local"
[[feeds]]
id = "f"
url = "{feed}"
[[routes]]
feed = "f"
account = "a"
""")
    return config


def _states(url: str) -> Counter[str]:
    """The queue's states as another process sees them; nothing while the worker has not migrated yet."""
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            return Counter(session.scalars(select(QueueRow.state)))
    except SQLAlchemyError:
        return Counter()
    finally:
        engine.dispose()


@pytest.mark.parametrize("fault", MATRIX, ids=[f.name for f in MATRIX])
def test_a_store_fault_under_a_running_worker_loses_and_doubles_nothing(
    fault: Fault, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    store = fault.store(request, tmp_path)
    config = _write_config(tmp_path, store.url)
    stop = tmp_path / "stop"
    log = (tmp_path / "worker.log").open("w")
    # 240 simulated seconds a real second: four posts a real second, so the fault falls mid-run.
    command = [sys.executable, "-m", "tests.outage_worker", str(config), T0.isoformat(), "240", str(stop)]
    if store.full_file is not None:
        command.append(str(store.full_file))
    worker = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while _states(store.url).get("sent", 0) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        before = _states(store.url).get("sent", 0)
        assert 0 < before < ITEMS, f"the fault should fall mid-run ({before} of {ITEMS} sent before it)"
        store.inject()
        time.sleep(fault.seconds)
        assert worker.poll() is None, "the worker died during the fault"
        store.release()
        deadline = time.monotonic() + 120
        while _states(store.url).get("sent") != ITEMS and time.monotonic() < deadline:
            time.sleep(0.5)
        stop.touch()
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
        log.close()
    output = (tmp_path / "worker.log").read_text()
    engine = make_engine(store.url)
    with session_factory(engine)() as session:
        posted = Counter(session.scalars(select(LocalPostRow.text)))
        states = Counter(session.scalars(select(QueueRow.state)))
        intact = session.scalar(text("PRAGMA integrity_check")) if store.url.startswith("sqlite") else "ok"
    engine.dispose()
    failed = output.count("unavailable (")
    print(
        f"\n{fault.name}: {failed} passes gave up, {len(posted)} posts, "
        f"doubled {sum(n - 1 for n in posted.values())}"
    )
    assert failed >= 3 and re.search(fault.reason, output), output[-2000:]
    assert "database is back" in output
    assert states == {"sent": ITEMS}
    assert len(posted) == ITEMS and all(n == 1 for n in posted.values())
    assert intact == "ok"
    assert "Traceback" not in output
