"""Restarts and crashes lose nothing and post nothing twice."""

from __future__ import annotations

import random
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from sqlalchemy import func, select, text

from botwarden.demo import run as demo
from botwarden.demo.server import FeedServer
from botwarden.run.loop import Runtime
from botwarden.store import make_engine, session_factory
from botwarden.store.models import EventRow, ItemRow, LocalPostRow, QueueRow

from .conftest import ROOT, rss


def _day(database: Path, restart_at: int | None) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Run the demo day (jitter off), optionally restarting the process state at minute ``restart_at``."""
    day = demo._SimulatedDay()
    with FeedServer(day.documents) as server:
        cfg = demo.demo_config(server.base_url, database, overrides={"jitter_seconds": "0"})
        runtime = Runtime(cfg, faults=day.faults, rng=random.Random(0))
        for minute in range(0, 24 * 60, 5):
            if minute == restart_at:
                runtime.close()
                runtime = Runtime(cfg, faults=day.faults, rng=random.Random(0))
            day.now = demo.DAY + timedelta(minutes=minute)
            runtime.run_pass(day.now)
        with runtime.sessions() as session:
            posted = [
                (a, t)
                for a, t in session.execute(
                    select(LocalPostRow.account_id, LocalPostRow.text).order_by(LocalPostRow.id)
                )
            ]
            states = [
                (a, s)
                for a, s in session.execute(select(QueueRow.account_id, QueueRow.state).order_by(QueueRow.id))
            ]
        runtime.close()
    return posted, states


def test_restart_mid_day_changes_nothing(tmp_path: Path) -> None:
    straight = _day(tmp_path / "straight.db", None)
    restarted = _day(tmp_path / "restarted.db", 12 * 60)
    posted, states = restarted
    assert restarted == straight
    assert len(posted) == len(set(posted)), "a post was sent twice"
    assert Counter(s for _a, s in states)["sent"] == len(posted)


def _crash_config(tmp_path: Path, items: int) -> Path:
    t0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    feed = tmp_path / "feed.xml"
    feed.write_bytes(
        rss(
            *[
                {
                    "guid": f"g{n}",
                    "title": f"Item {n} of the day",
                    "link": f"https://e.org/{n}",
                    "pubDate": format_datetime(t0 - timedelta(minutes=n)),
                }
                for n in range(items)
            ]
        )
    )
    config = tmp_path / "bw.toml"
    config.write_text(f"""
[settings]
database_url = "sqlite:///{tmp_path / "crash.db"}"
min_interval_minutes = 0
jitter_seconds = 0
burst_max = 1000
daily_cap = 1000
lease_seconds = 60
first_run = "all"
[[accounts]]
id = "a"
network = "local"
operator = "customer-a"
[[accounts]]
id = "b"
network = "local"
operator = "customer-b"
[[feeds]]
id = "f"
url = "{feed}"
[[routes]]
feed = "f"
account = "a"
[[routes]]
feed = "f"
account = "b"
""")
    return config


def test_sigkill_mid_publish_loses_nothing_and_doubles_nothing(tmp_path: Path) -> None:
    items = 25
    config = _crash_config(tmp_path, items)
    rng = random.Random(20260601)
    start = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    kills = 0
    for run in range(40):
        kill_at = rng.randint(1, 6)
        mode = "before" if run % 2 else "after"
        done = subprocess.run(
            [sys.executable, "-m", "tests.crash_worker", str(config), start.isoformat(), str(kill_at), mode],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        start += timedelta(hours=3)  # the next run starts after the dead worker's lease expired
        if done.returncode == 0:
            break
        assert done.returncode == -9, done.stderr
        kills += 1
    assert kills >= 8, "the worker should have been killed repeatedly"

    # One more clean run to reconcile whatever the last kill left.
    subprocess.run(
        [sys.executable, "-m", "tests.crash_worker", str(config), start.isoformat(), "0", "after"],
        cwd=ROOT,
        check=True,
        timeout=120,
    )
    sessions = session_factory(make_engine(f"sqlite:///{tmp_path / 'crash.db'}"))
    with sessions() as session:
        posted = Counter(session.execute(select(LocalPostRow.account_id, LocalPostRow.text)))
        states = Counter(session.scalars(select(QueueRow.state)))
        reconciled = session.scalar(
            select(func.count()).select_from(EventRow).where(EventRow.kind == "reconciled")
        )
    doubled = sum(n - 1 for n in posted.values() if n > 1)
    lost = 2 * items - len(posted)
    print(f"\n{kills} SIGKILLs, {reconciled} reconciliations, lost {lost}, doubled {doubled}")
    assert (lost, doubled) == (0, 0)
    assert states == {"sent": 2 * items}
    assert reconciled >= kills - 1


def _ingest_config(tmp_path: Path, feeds: int, items: int) -> Path:
    t0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    sections = []
    for f in range(feeds):
        entries = [
            {
                "guid": f"f{f}-{n}",
                "title": f"Feed {f} item {n}: " + " ".join(f"w{k}" for k in range(12)),
                "link": f"https://e.org/{f}/{n}",
                "pubDate": format_datetime(t0 - timedelta(minutes=n)),
                "description": "A summary of some length. " * 8,
            }
            for n in range(items)
        ]
        (tmp_path / f"feed{f}.xml").write_bytes(rss(*entries))
        sections.append(f'[[feeds]]\nid = "f{f}"\nurl = "{tmp_path / f"feed{f}.xml"}"\n')
        sections += [f'[[routes]]\nfeed = "f{f}"\naccount = "{a}"\n' for a in ("a", "b")]
    config = tmp_path / "bw.toml"
    config.write_text(
        f'[settings]\ndatabase_url = "sqlite:///{tmp_path / "ingest.db"}"\nfirst_run = "all"\n'
        'resolve_links = false\ndaily_cap = 100000\n[[accounts]]\nid = "a"\nnetwork = "local"\n'
        '[[accounts]]\nid = "b"\nnetwork = "local"\n' + "\n".join(sections)
    )
    return config


def _ingested(database: Path) -> tuple[str, dict[str, int], dict[tuple[str, str], int]]:
    """The store's integrity verdict, items per feed, and queue entries per feed and account."""
    engine = make_engine(f"sqlite:///{database}")
    with session_factory(engine)() as session:
        verdict = "; ".join(session.scalars(text("PRAGMA integrity_check")))
        orphans = list(session.execute(text("PRAGMA foreign_key_check")))
        items = dict(session.execute(select(ItemRow.feed_id, func.count()).group_by(ItemRow.feed_id)).all())
        queued = session.execute(
            select(ItemRow.feed_id, QueueRow.account_id, func.count())
            .join(ItemRow, QueueRow.item_id == ItemRow.id)
            .group_by(ItemRow.feed_id, QueueRow.account_id)
        ).all()
    engine.dispose()
    return verdict + (f"; orphans {orphans}" if orphans else ""), items, {(f, a): n for f, a, n in queued}


def test_sigkill_mid_ingest_leaves_each_feed_whole_or_untouched(tmp_path: Path) -> None:
    feeds, items = 12, 200
    config = _ingest_config(tmp_path, feeds, items)
    rng = random.Random(20260602)
    now = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    kills = 0
    for _attempt in range(10):
        worker = subprocess.Popen(
            [sys.executable, "-m", "tests.ingest_worker", str(config), now.isoformat()],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert worker.stdout is not None and worker.stdout.readline().strip() == "ingesting"
        time.sleep(rng.uniform(0.0, 1.0))
        worker.kill()
        kills += worker.wait(timeout=30) == -9
        worker.stdout.close()
        verdict, stored, queued = _ingested(tmp_path / "ingest.db")
        assert verdict == "ok"
        # A feed's pass is one transaction: after a kill it is all there or not there at all.
        assert set(stored.values()) <= {items}, stored
        assert queued == {(f, a): items for f in stored for a in ("a", "b")}
        now += timedelta(minutes=10)  # the dead worker's claims on its feeds have lapsed
    assert kills >= 5, "the worker should have been killed mid-ingest repeatedly"

    subprocess.run(
        [sys.executable, "-m", "tests.ingest_worker", str(config), now.isoformat()],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )
    verdict, stored, queued = _ingested(tmp_path / "ingest.db")
    print(f"\n{kills} SIGKILLs mid-ingest; {len(stored)} of {feeds} feeds whole, integrity {verdict}")
    assert verdict == "ok" and stored == {f"f{f}": items for f in range(feeds)}
    assert queued == {(f"f{f}", a): items for f in range(feeds) for a in ("a", "b")}
