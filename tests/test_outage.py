"""PostgreSQL stopped for 30 seconds under a running worker: the worker keeps running, says the database
is away, picks up when it is back, and in the end every post went out exactly once."""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from sqlalchemy import select

from botwarden.store import make_engine, session_factory
from botwarden.store.models import LocalPostRow, QueueRow
from tests.conftest import ROOT, rss
from tests.pg import ThrowawayCluster

T0 = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)
ITEMS = 60


def test_a_30_second_database_outage_loses_and_doubles_nothing(
    tmp_path: Path, postgres: ThrowawayCluster
) -> None:
    database = postgres.new_database()
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
database_url = "{database}"
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
    stop = tmp_path / "stop"
    log = (tmp_path / "worker.log").open("w")
    # 240 simulated seconds a real second: four posts a real second, so the outage falls mid-run.
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.outage_worker", str(config), T0.isoformat(), "240", str(stop)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        time.sleep(5)
        sessions = session_factory(engine := make_engine(database))
        with sessions() as session:
            before = Counter(session.scalars(select(QueueRow.state))).get("sent", 0)
        engine.dispose()
        assert 0 < before < ITEMS, f"the outage should fall mid-run ({before} of {ITEMS} sent before it)"
        postgres.halt()
        time.sleep(30)
        assert worker.poll() is None, "the worker died while the database was away"
        postgres.resume()
        deadline = time.monotonic() + 120
        engine = make_engine(database)
        sessions = session_factory(engine)
        while time.monotonic() < deadline:
            with sessions() as session:
                states = Counter(session.scalars(select(QueueRow.state)))
            if states.get("sent") == ITEMS:
                break
            time.sleep(1)
        stop.touch()
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
        log.close()
    output = (tmp_path / "worker.log").read_text()
    with sessions() as session:
        posted = Counter(session.scalars(select(LocalPostRow.text)))
        states = Counter(session.scalars(select(QueueRow.state)))
    engine.dispose()
    away = output.count("unavailable")
    print(
        f"\n{away} passes found the database away; {len(posted)} posts, "
        f"doubled {sum(n - 1 for n in posted.values())}"
    )
    assert away >= 5 and "database is back" in output
    assert states == {"sent": ITEMS}
    assert len(posted) == ITEMS and all(n == 1 for n in posted.values())
    assert "Traceback" not in output
