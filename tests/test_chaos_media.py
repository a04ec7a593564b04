"""Chaos with images and threads: a worker posting feed items with images to the fake X, long ones as
threads, is SIGKILLed right after X has an image it uploaded (before the post that attaches it), right
after X has a thread's part (before the next part), and at a first post; restarted each time. In the
end every item is on X once, every thread whole and in order, every first post with its one image:
0 lost, 0 doubled."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from botwarden import config as config_module
from botwarden.networks.build import credential_store
from botwarden.store import make_engine, migrate, session_factory
from botwarden.store.models import EventRow, QueueRow
from tests.conftest import Site
from tests.fakes.server import Request
from tests.fakes.x import FakeX
from tests.media_files import media_rss, photo

ROOT = Path(__file__).resolve().parents[1]
ACCOUNTS, ITEMS = 3, 6
T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
NUMBERED = re.compile(r" \((\d+)/(\d+)\)$")
WORDS = [
    a + b for a in ("ba", "ke", "li", "mo", "nu", "ra", "si", "to") for b in ("n", "r", "da", "ve", "xi")
]
# Which matching request of each kind kills the worker, once its work is done (counted over the run).
KILL_AT = {"upload": {2, 5, 9}, "part": {1, 3, 6}, "first": {4}}


def _setup(tmp_path: Path, docs: Site, base: str, fake: FakeX) -> tuple[Path, dict[str, set[str]]]:
    docs.put("/photo.jpg", photo(1800, 1200, seed=4), "image/jpeg")
    rng = random.Random(1124)
    accounts, feeds, routes, titles = [], [], [], {}
    for a in range(ACCOUNTS):
        handle = f"harbour_{a}"
        items = [
            {
                "guid": f"{a}-{n}",
                "title": f"Harbour {a} story {n} about the ferry",
                "link": f"https://news{a}.example/{n}",
                "summary": _summary(rng, 120 if n % 2 else 12),  # every other item is a thread
                "image": f"{base}/photo.jpg",
                "description": f"Photo for story {n}",
            }
            for n in range(ITEMS)
        ]
        docs.put(f"/{handle}.rss", media_rss(items, when=T0, step=timedelta(minutes=1)))
        titles[handle] = {item["title"] for item in items}
        accounts.append(
            f'[[accounts]]\nid = "{handle}"\nnetwork = "x"\noperator = "op-{a}"\nserver = "{fake.url}"\n'
        )
        feeds.append(f'[[feeds]]\nid = "feed-{a}"\nurl = "{base}/{handle}.rss"\n')
        routes.append(
            f'[[routes]]\nfeed = "feed-{a}"\naccount = "{handle}"\n'
            'template = "{title}: {summary} {link}"\n'
            "[routes.post]\nthread = true\nthread_max = 3\n"
        )
    config = tmp_path / "bw.toml"
    config.write_text(
        f"""[settings]
database_url = "sqlite:///{tmp_path / "chaos.db"}"
secret_key_file = "{tmp_path / "secret.key"}"
allow_hosts = ["127.0.0.1"]
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
    for handle in titles:
        store.update(handle, fake.add_oauth1_user(handle))
    engine.dispose()
    return config, titles


def _summary(rng: random.Random, words: int) -> str:
    """Words no other item says: each post (and each part of a thread) is its own, as news is."""
    letters = "bdfgklmnprstvz"
    made = ("".join(rng.choice(letters) + rng.choice("aeiou") for _ in range(3)) for _ in range(words))
    return " ".join(made).capitalize() + "."


class Killer:
    """Kills the running worker right after X did the work of chosen requests."""

    def __init__(self) -> None:
        self.pid: int | None = None
        self.seen: Counter[str] = Counter()
        self.kills: Counter[str] = Counter()

    def __call__(self, request: Request) -> None:
        kind = self._kind(request)
        if kind is None or self.pid is None:
            return
        self.seen[kind] += 1
        if self.seen[kind] in KILL_AT[kind]:
            os.kill(self.pid, signal.SIGKILL)
            self.pid = None
            self.kills[kind] += 1

    @staticmethod
    def _kind(request: Request) -> str | None:
        if request.method != "POST":
            return None
        if request.path == "/2/media/metadata":  # uploaded and described: the post is next
            return "upload"
        if request.path == "/2/tweets":
            return "part" if b'"reply"' in request.body else "first"
        return None


def _worker(config: Path, start: datetime) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.x_chaos_worker", str(config), start.isoformat()],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.mark.timeout(600)
def test_sigkill_between_an_upload_and_its_post_and_between_thread_parts_loses_and_doubles_nothing(
    tmp_path: Path, site: tuple[Site, Any]
) -> None:
    docs, server = site
    fake = FakeX(reject_duplicates=False)  # X would refuse a double; the fake counts it instead
    killer = Killer()
    fake.after_work = killer
    fake.start()
    try:
        config, titles = _setup(tmp_path, docs, server.base_url, fake)
        start = T0 + timedelta(days=23)
        for _run in range(20):
            worker = _worker(config, start)
            assert worker.stdout is not None
            worker.stdout.readline()  # "started"
            killer.pid = worker.pid
            _, errors = worker.communicate(timeout=240)
            if worker.returncode == 0:
                break
            assert worker.returncode == -9, errors.decode()[-2000:]
            start += timedelta(hours=1)  # the killed worker's leases have lapsed when the next one starts
        assert worker.returncode == 0

        with fake.lock:
            tweets = {u.username: list(u.tweets) for u in fake.users.values()}
        doubled = sum(n - 1 for ts in tweets.values() for n in Counter(t["sent_text"] for t in ts).values())
        lost, broken = 0, 0
        for handle, expected in titles.items():
            by_id = {t["id"]: t for t in tweets[handle]}
            roots = [t for t in tweets[handle] if not t["in_reply_to"]]
            lost += len(expected - {t["sent_text"].split(":")[0] for t in roots})
            for root in roots:
                chain, current = [root], root
                while (
                    nxt := next((t for t in by_id.values() if t["in_reply_to"] == current["id"]), None)
                ) is not None:
                    chain.append(nxt)
                    current = nxt
                numbers = [NUMBERED.search(t["sent_text"]) for t in chain]
                if numbers[0] is not None:  # a thread: parts 1..n, each once, in order
                    count = int(numbers[0].group(2))
                    broken += [int(m.group(1)) if m else 0 for m in numbers] != list(range(1, count + 1))
                broken += (
                    len(root["media"]) != 1
                    or root["media"][0]["alt"] != f"Photo for story {root['sent_text'].split(' ')[3]}"
                )
                broken += sum(len(t["media"]) for t in chain[1:])  # later parts carry no image
        engine = make_engine(f"sqlite:///{tmp_path / 'chaos.db'}")
        with session_factory(engine)() as session:
            states = Counter(session.scalars(select(QueueRow.state)))
            reconciled = session.scalar(
                select(func.count()).select_from(EventRow).where(EventRow.kind == "reconciled")
            )
        engine.dispose()
        print(
            f"\nkills {dict(killer.kills)}, {sum(len(t) for t in tweets.values())} posts on X, "
            f"{reconciled} reconciliations, lost {lost}, doubled {doubled}, broken threads or images {broken}"
        )
        assert killer.kills == {"upload": 3, "part": 3, "first": 1}, killer.kills
        assert reconciled
        assert (lost, doubled, broken) == (0, 0, 0)
        assert states == {"sent": ACCOUNTS * ITEMS}
    finally:
        fake.stop()
