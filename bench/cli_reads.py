"""The commands an operator runs all day, timed end to end as a shell runs them: `status`, `queue`, `spend`
and `accounts check`, each a fresh process, on a store of 10,000 queue entries.

    .venv/bin/python bench/cli_reads.py                  # 10,000 entries, 20 accounts, 5 runs each
    .venv/bin/python bench/cli_reads.py --entries 50000 --runs 9

Goal: each under 0.5 s (wall clock, the median of the runs, after one warm-up run that compiles bytecode
as an installed package already has it). The processor time each took is printed beside it: on a machine
that others share, it is the figure that does not depend on how busy the machine is.

The store is SQLite with 10,000 entries in every state, their verdicts, 7,000 posts in the history with
their cost, and the audit trail. `accounts check` reads 19 local accounts and one Mastodon account from a
fake Mastodon server on loopback (tests/fakes), with its token stored encrypted as `accounts login`
stores it. `--help` is timed too, as the floor: starting Python and the command line alone.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.fernet import Fernet

from botwarden import config as config_module
from botwarden.store import open_store
from botwarden.store.credentials import CredentialStore
from botwarden.store.models import EventRow, HistoryRow, ItemRow, QueueRow, VerdictRow
from botwarden.store.sync import sync_config
from tests.fakes.mastodon import FakeMastodon

NOW = datetime.now(UTC).replace(microsecond=0)
STATES = [
    ("sent", 0.70),
    ("ready", 0.08),
    ("pending", 0.02),
    ("held", 0.08),
    ("denied", 0.07),
    ("failed", 0.05),
]
GOAL = 0.5


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, FakeMastodonServer() as mastodon:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env |= {"BOTWARDEN_SECRET_KEY": Fernet.generate_key().decode(), "COLUMNS": "120"}
        config = build(Path(folder), args.entries, args.accounts, mastodon, env)
        print(f"store: {args.entries:,} queue entries of {args.accounts} accounts (SQLite); {args.runs} runs")
        commands = {
            "--help": ["--help"],
            "status": ["status", "-c", str(config)],
            "queue": ["queue", "-c", str(config)],
            "spend": ["spend", "-c", str(config)],
            "accounts check": ["accounts", "check", "-c", str(config)],
        }
        print(f"{'command':<16}{'median':>9}{'min':>9}{'max':>9}{'cpu':>9}  goal {GOAL} s (wall, median)")
        for name, command in commands.items():
            times, cpu = timed(command, env, args.runs)
            median = statistics.median(times)
            verdict = "" if name == "--help" else ("ok" if median < GOAL else "OVER")
            print(
                f"{name:<16}{median:>8.3f}s{min(times):>8.3f}s{max(times):>8.3f}s"
                f"{statistics.median(cpu):>8.3f}s  {verdict}"
            )
        print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def timed(command: list[str], env: dict[str, str], runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and processor seconds of each run, after a warm-up that is not counted."""
    argv = [sys.executable, "-m", "botwarden", *command]
    times, cpu = [], []
    for run in range(runs + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(argv, env=env, capture_output=True, text=True)
        took = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")
        if run:
            times.append(took)
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return times, cpu


class FakeMastodonServer:
    def __enter__(self) -> FakeMastodon:
        self.fake = FakeMastodon()
        self.fake.start()
        return self.fake

    def __exit__(self, *_: object) -> None:
        self.fake.stop()


def build(folder: Path, entries: int, accounts: int, mastodon: FakeMastodon, env: dict[str, str]) -> Path:
    """A configuration file and its store: accounts, feeds, routes, and ``entries`` queue entries."""
    database = f"sqlite:///{folder / 'bw.db'}"
    ids = [f"bot-{n:02d}" for n in range(accounts - 1)] + ["harbour-social"]
    lines = [f'[settings]\ndatabase_url = "{database}"\nresolve_links = false\n']
    for account in ids[:-1]:
        lines.append(f'[[accounts]]\nid = "{account}"\nnetwork = "local"\noperator = "harbour"\n')
    lines.append(f'[[accounts]]\nid = "harbour-social"\nnetwork = "mastodon"\nserver = "{mastodon.url}"\n')
    for n in range(5):
        lines.append(f'[[feeds]]\nid = "feed-{n}"\nurl = "https://feeds.example/{n}.xml"\n')
    for n, account in enumerate(ids):
        lines.append(f'[[routes]]\nfeed = "feed-{n % 5}"\naccount = "{account}"\n')
    path = folder / "bw.toml"
    path.write_text("".join(lines), encoding="utf-8")
    config = config_module.load(path, env=env)
    sessions = open_store(database)
    with sessions.begin() as session:
        sync_config(session, config)
    CredentialStore.open(sessions, config.settings, env).update(
        "harbour-social", mastodon.add_user("harbour_social", bot=True, note="Run by the harbour desk")
    )
    fill(sessions, config, entries)
    return path


def fill(sessions: object, config: config_module.Config, entries: int) -> None:
    rng = random.Random(2026)
    routes = list(config.routes.values())
    with sessions.begin() as session:  # type: ignore[attr-defined]
        for n in range(entries):
            route = routes[n % len(routes)]
            at = NOW - timedelta(minutes=entries - n)
            item = ItemRow(
                feed_id=route.feed,
                identity=f"i{n}",
                content_hash=f"{n:064x}",
                title=f"Headline number {n}",
                link=f"https://news.example/{n}",
                summary="",
                author="",
                categories=[],
                first_seen_at=at,
            )
            session.add(item)
            session.flush()
            state = rng.choices([s for s, _ in STATES], [w for _, w in STATES])[0]
            text = f"Headline number {n} https://news.example/{n}"
            entry = QueueRow(
                route_id=route.id,
                item_id=item.id,
                account_id=route.account,
                state=state,
                text=text,
                length=len(text),
                not_before=at,
                created_at=at,
                updated_at=at,
                idempotency_key=f"k{n}",
                attempts=1 if state == "failed" else 0,
                was_delayed=int(rng.random() < 0.2),
                last_error="transient: 503" if state == "failed" else "",
            )
            session.add(entry)
            session.flush()
            decision = {"held": "hold", "denied": "deny"}.get(state, "allow")
            codes = {"hold": ["BW801"], "deny": ["BW101"]}.get(decision, [])
            findings = [
                {
                    "code": c,
                    "slug": "s",
                    "severity": decision,
                    "message": f"{c} saw something",
                    "evidence": {},
                }
                for c in codes
            ]
            session.add(
                VerdictRow(
                    queue_id=entry.id,
                    at=at,
                    decision=decision,
                    codes=codes,
                    findings=findings,
                    reason=findings[0]["message"] if findings else "",
                )
            )
            if state == "sent":
                session.add(
                    HistoryRow(
                        account_id=route.account,
                        at=at,
                        text=text,
                        text_hash=f"{n:064x}",
                        link=f"https://news.example/{n}",
                        queue_id=entry.id,
                        cost_usd=0.015,
                    )
                )
            session.add(
                EventRow(at=at, kind="queued", account_id=route.account, queue_id=entry.id, message="q")
            )


if __name__ == "__main__":
    main()
