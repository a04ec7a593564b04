"""Chaos: 500 queued posts across 20 accounts against the fake X, the worker SIGKILLed at random moments
and restarted, answers lost on the way; in the end every post exists on X exactly once. On SQLite and on
PostgreSQL."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from botwarden import config as config_module
from botwarden.networks.build import credential_store
from botwarden.store import make_engine, migrate, session_factory
from botwarden.store.models import EventRow, QueueRow
from tests.conftest import rss
from tests.fakes.x import FakeX

ROOT = Path(__file__).resolve().parents[1]
ACCOUNTS, PER_ACCOUNT, KILLS = 20, 25, 20
WORDS = [
    a + b + c
    for a in ("ba", "ke", "li", "mo", "nu", "ra", "si", "to")
    for b in ("n", "r", "l", "")
    for c in ("da", "po", "ve", "xi", "gu")
]


def _headline(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(9)).capitalize()


def _setup(tmp_path: Path, fake: FakeX, database_url: str) -> tuple[Path, dict[str, set[str]]]:
    rng = random.Random(7)
    t0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    accounts, feeds, routes, expected = [], [], [], {}
    for a in range(ACCOUNTS):
        handle = f"harbour_{a:02d}"
        items = [
            {
                "guid": f"{a}-{n}",
                "title": _headline(rng),
                "link": f"https://news{a}.example/{n}",
                "pubDate": format_datetime(t0 - timedelta(minutes=n)),
            }
            for n in range(PER_ACCOUNT)
        ]
        (tmp_path / f"{handle}.xml").write_bytes(rss(*items))
        expected[handle] = {f"{i['title']} {i['link']}" for i in items}
        accounts.append(
            f'[[accounts]]\nid = "{handle}"\nnetwork = "x"\noperator = "customer-{a}"\n'
            f'server = "{fake.url}"\n'
        )
        feeds.append(f'[[feeds]]\nid = "feed-{a}"\nurl = "{tmp_path / f"{handle}.xml"}"\n')
        routes.append(
            f'[[routes]]\nfeed = "feed-{a}"\naccount = "{handle}"\ntemplate = "{{title}} {{link}}"\n'
        )
    config = tmp_path / "bw.toml"
    config.write_text(
        f"""[settings]
database_url = "{database_url}"
secret_key_file = "{tmp_path / "secret.key"}"
min_interval_minutes = 0
jitter_seconds = 0
burst_max = 1000
daily_cap = 1000
lease_seconds = 60
first_run = "all"
resolve_links = false
network_timeout_seconds = 5
"""
        + "".join(accounts)
        + "".join(feeds)
        + "".join(routes)
    )
    cfg = config_module.load(config, env={})
    engine = make_engine(cfg.settings["database_url"])
    migrate(engine)
    store = credential_store(cfg, session_factory(engine), env={})
    for handle in expected:
        store.update(handle, fake.add_oauth1_user(handle))
    engine.dispose()
    return config, expected


def _worker(config: Path, start: datetime) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.x_chaos_worker", str(config), start.isoformat()],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.mark.timeout(600)  # 20 kills, each after the worker's first post, and a final worker: minutes
def test_sigkill_chaos_against_x_loses_nothing_and_doubles_nothing(tmp_path: Path, database_url: str) -> None:
    fake = FakeX(reject_duplicates=False)  # X would refuse a double; the fake counts it instead
    fake.latency, fake.drop_rate = (0.002, 0.03), 0.02
    fake.start()
    try:
        config, expected = _setup(tmp_path, fake, database_url)
        rng = random.Random(20261124)
        start = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
        kills = 0
        while kills < KILLS:
            worker = _worker(config, start)
            assert worker.stdout is not None
            worker.stdout.readline()  # "started": killing it while Python imports would prove nothing
            # Killed while it publishes: a pass begins with feeds and the accounts' watch, and a kill
            # there would prove nothing about sending, so the kill waits for its first post on X.
            posted, waited = len(fake.all_texts()), time.monotonic() + 60
            while len(fake.all_texts()) == posted and worker.poll() is None and time.monotonic() < waited:
                time.sleep(0.005)
            time.sleep(rng.uniform(0.0, 0.8))
            if worker.poll() is not None:
                break  # it finished everything before this kill
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait()
            kills += 1
            print(f"kill {kills}: {len(fake.all_texts())} on X")
            start += timedelta(hours=1)  # the killed worker's leases have lapsed when the next one starts
        # The last worker runs to the end with answers still being lost: the kills leave only a few dozen
        # posts on X (an account posts once per interval), too few to be sure one answer was lost there.
        final = _worker(config, start + timedelta(hours=1))
        _, errors = final.communicate(timeout=300)
        assert final.returncode == 0, errors.decode()[-2000:]

        on_x = Counter(
            (user.username, text)
            for user in fake.users.values()
            for text in (t["sent_text"] for t in user.tweets)
        )
        doubled = sum(n - 1 for n in on_x.values())
        lost = sum(1 for handle, texts in expected.items() for text in texts if (handle, text) not in on_x)
        engine = make_engine(database_url)
        with session_factory(engine)() as session:
            states = Counter(session.scalars(select(QueueRow.state)))
            lost_answers = session.scalar(
                select(func.count()).select_from(EventRow).where(EventRow.kind == "answer_lost")
            )
            reconciled = session.scalar(
                select(func.count()).select_from(EventRow).where(EventRow.kind == "reconciled")
            )
        engine.dispose()
        print(
            f"\n{database_url.split(':')[0]}: {kills} SIGKILLs, {len(on_x)} posts on X, "
            f"{reconciled} reconciliations, "
            f"{lost_answers} answers lost and settled, "
            f"lost {lost}, doubled {doubled}"
        )
        assert kills >= KILLS
        assert reconciled and lost_answers  # both paths were exercised, not just clean runs
        assert (lost, doubled) == (0, 0)
        assert states == {"sent": ACCOUNTS * PER_ACCOUNT}
    finally:
        fake.stop()
