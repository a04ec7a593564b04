"""A whole ``check`` of one post against 1,000,000 posts of history, every built-in rule active.

    .venv/bin/python bench/check.py                  # 1,000,000 posts of history
    .venv/bin/python bench/check.py --history 200000

The history: 100 accounts of one operator posting over 30 days (synthetic 20-word posts with links whose
redirect chains are already resolved, as link facts). Each checked post is a fresh post or an edited copy
of a recent one, so BW101-BW105 and the link rules all do real work. The named baseline is the same check
with near-duplicate search done by scoring every post in the window exactly, which is what the engine did
before the index; it runs on fewer checks, since each takes far longer.

A second row checks posts made from the items of ../shared/corpora/feeds/ against the same history: real
headlines bring what synthetic words do not (curly quotes, accents, digits, abbreviations with dots).

The store rows time the path the product runs: the HTTP check's code (``web/checks.Checker``, which the
worker's checks share through ``checking.FleetChecks``) on a real store, SQLite and PostgreSQL (a
throwaway cluster, as the tests start one), for an operator of ``--store-accounts`` accounts with
``--store-days`` days of history at ``--per-day`` posts a day each (1,000 x 7 x 48: 336,000 posts). They
print how long a fresh process takes to be ready (the fleet's recent posts read and indexed) and each
check's time; the named baseline is the same check reading and scoring the whole window from the store,
on a few checks.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import FEEDS, Synthetic, feed_items

from botwarden.rules import AccountInfo, Action, CheckContext, Engine, MemoryHistory, PastPost
from botwarden.rules.facts import Facts, LinkFacts
from botwarden.similarity import text_hash
from botwarden.text import load_x_patterns

START = datetime(2026, 2, 19, tzinfo=UTC)


def build(history_size: int, accounts: int = 100) -> tuple[MemoryHistory, Facts, list[str], datetime]:
    data = Synthetic(seed=3)
    history = MemoryHistory()
    facts = Facts()
    for n in range(accounts):
        facts.add_account(
            AccountInfo(f"acct{n}", "x", "bench-operator", automated_label=True, bio="run by @bench")
        )
    span = timedelta(days=30).total_seconds()
    posts = []
    started = time.perf_counter()
    for i, text in enumerate(data.posts(history_size)):
        at = START + timedelta(seconds=span * i / history_size)
        link = f"https://news{i % 500}.com/story/{i}"
        body = f"{text} {link}"
        history.add(PastPost(str(i), f"acct{i % accounts}", at, body, text_hash(body), (link,)))
        if i % 50 == 0:
            facts.add_link(LinkFacts(link, (link,), ("content",)))
        posts.append(text)
        if i and i % 200_000 == 0:
            print(f"  {i:,} posts of history loaded", file=sys.stderr, flush=True)
    print(
        f"  history of {history_size:,} posts built in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    return history, facts, posts, START + timedelta(seconds=span)


def run(engine: Engine, history: MemoryHistory, facts: Facts, actions: list[Action]) -> list[float]:
    times = []
    for action in actions:
        ctx = CheckContext(account=facts.accounts[action.account], history=history, facts=facts)
        started = time.perf_counter()
        engine.check(action, ctx)
        times.append(time.perf_counter() - started)
    return times


def feed_actions(args: argparse.Namespace, now: datetime) -> list[Action]:
    """A post for each item of the shared feed corpus (up to ``--checks``), its link new, as a feed's is."""
    actions = []
    for n, text in enumerate(feed_items(args.checks)[: args.checks]):
        link = f"https://news{n % 500}.com/feed/{n}"
        at = now + timedelta(minutes=n)
        actions.append(
            Action(f"f{n}", "post", f"acct{n % args.accounts}", at, f"{text} {link}", (link,), "x")
        )
    return actions


def store_rows(args: argparse.Namespace, kind: str) -> None:
    """Whole checks through the HTTP check's code on a real store (see the module doc)."""
    import tempfile

    from sqlalchemy import insert

    from botwarden.config import from_mapping
    from botwarden.replay.lines import ActionLine
    from botwarden.run.loop import Runtime
    from botwarden.similarity.profile import profile
    from botwarden.store import StandingConnection, StoreHistory
    from botwarden.store.models import HistoryRow
    from botwarden.store.tokens import Principal
    from botwarden.web.checks import Checker

    cluster = None
    if kind == "postgresql":
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from tests import pg

        if (why := pg.available()) is not None:
            print(f"  (PostgreSQL row left out: {why})")
            return
        cluster = pg.ThrowawayCluster().start()
        url = cluster.new_database()
    else:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='bw-bench-')}/bw.db"
    accounts = [f"acct{n}" for n in range(args.store_accounts)]
    raw = {
        "settings": {"database_url": url, "daily_cap": 1000, "burst_max": 1000},
        "accounts": [{"id": a, "network": "local", "operator": "bench"} for a in accounts],
    }
    config = from_mapping(raw, label="bench", env={})
    Runtime(config, env={}).close()  # a migrated store with the accounts
    now = datetime.now(UTC)
    total = args.store_accounts * args.store_days * args.per_day
    span = timedelta(days=args.store_days).total_seconds()
    data = Synthetic(seed=5)
    posts: list[str] = []
    started = time.perf_counter()
    sessions = Runtime(config, env={}).sessions
    rows = []
    for i, text in enumerate(data.posts(total)):
        link = f"https://news{i % 500}.com/story/{i}"
        body = f"{text} {link}"
        at = now - timedelta(seconds=span * (1 - i / total))
        rows.append({"account_id": accounts[i % len(accounts)], "at": at, "text": body,
                     "text_hash": text_hash(body), "link": link,
                     "profile": profile(body).to_bytes()})  # as the worker stores a sent post  # fmt: skip
        posts.append(text)
        if len(rows) == 20_000 or i == total - 1:
            with sessions.begin() as session:
                session.execute(insert(HistoryRow), rows)
            rows = []
    print(
        f"  {kind}: {total:,} posts of history written in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
        flush=True,
    )
    checker = Checker(config, sessions)
    admin = Principal(0, None, "bench")
    started = time.perf_counter()
    db = StandingConnection(sessions)
    db.run(lambda reader: checker.checks.history(reader, datetime.now(UTC)))
    ready = time.perf_counter() - started
    edits = Synthetic(seed=21)
    fresh = list(Synthetic(seed=78).posts(args.checks))
    lines = []
    for n in range(args.checks):
        text = edits.edit(posts[len(posts) - 1 - (n * 37) % 5000], 2) if n % 2 else fresh[n]
        link = f"https://news{n % 500}.com/story/new{n}"
        at = datetime.now(UTC) + timedelta(seconds=n)
        lines.append(ActionLine.model_validate({"type": "action", "id": str(n), "kind": "post",
                                                "account": accounts[n % len(accounts)], "at": at.isoformat(),
                                                "text": f"{text} {link}", "links": [link]}))  # fmt: skip
    times, caught = [], 0
    for line in lines:
        begun = time.perf_counter()
        verdict = checker.check_line(admin, line)
        times.append(time.perf_counter() - begun)
        caught += bool(verdict and verdict.codes)
    baseline = []
    for line in lines[: args.baseline_checks]:

        def scan(reader: object, line: ActionLine = line) -> object:
            account = checker.checks.account(reader, line.account)  # type: ignore[arg-type]
            from botwarden.replay.run import to_action

            return checker.checks.check(to_action(line, "local"), account, StoreHistory(reader))  # type: ignore[arg-type]

        begun = time.perf_counter()
        db.run(scan)
        baseline.append(time.perf_counter() - begun)
    print(f"\nWhole check on {kind}: an operator of {len(accounts):,} accounts, {total:,} posts in "
          f"{args.store_days} days; a fresh process ready in {ready:.1f} s")  # fmt: skip
    print(f"  {'':<28}{'median µs':>12}{'p99 µs':>12}{'checks':>10}")
    for label, values in (("botwarden (fleet in memory)", times), ("baseline (window from store)", baseline)):
        p99 = sorted(values)[int(0.99 * (len(values) - 1))]
        print(f"  {label:<28}{statistics.median(values) * 1e6:12.1f}{p99 * 1e6:12.1f}{len(values):10}")
    print(f"  speed-up (median): {statistics.median(baseline) / statistics.median(times):.0f}x; "
          f"{caught} of {len(times)} checks had findings at warn or above")  # fmt: skip
    if cluster is not None:
        cluster.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--history", type=int, default=1_000_000)
    parser.add_argument("--checks", type=int, default=2000)
    parser.add_argument("--baseline-checks", type=int, default=20)
    parser.add_argument("--accounts", type=int, default=100, help="the operator's accounts (default 100)")
    parser.add_argument("--store", default="sqlite,postgresql", help="store rows to run ('' for none)")
    parser.add_argument("--store-accounts", type=int, default=1000)
    parser.add_argument("--store-days", type=int, default=7)
    parser.add_argument("--per-day", type=int, default=48)
    args = parser.parse_args()
    for kind in filter(None, args.store.split(",")):
        store_rows(args, kind)
    if args.history <= 0:
        return
    history, facts, posts, now = build(args.history, args.accounts)
    data = Synthetic(seed=21)
    fresh = list(Synthetic(seed=77).posts(args.checks))
    actions = []
    for n in range(args.checks):
        account = f"acct{n % args.accounts}"
        at = now + timedelta(minutes=n)
        # Every other check is a near-copy of a recent post, so BW102/BW103 have something to find.
        text = data.edit(posts[len(posts) - 1 - (n * 37) % 5000], 2) if n % 2 else fresh[n]
        link = f"https://news{n % 500}.com/story/new{n}"
        actions.append(Action(str(n), "post", account, at, f"{text} {link}", (link,), "x"))
    engine = Engine()
    load_x_patterns()  # as a server does at start, not inside the first timed check
    print(f"\nWhole check against {len(history):,} posts of history, {len(engine.rules)} rules active")
    times = run(engine, history, facts, actions)
    caught = sum(
        1
        for a in actions[:200]
        if engine.check(a, CheckContext(facts.accounts[a.account], history, facts=facts)).codes
    )
    rows = [("botwarden (LSH index)", times)]
    if FEEDS.is_dir():
        rows.append(("  feed-corpus posts", run(engine, history, facts, feed_actions(args, now))))
    history.EXACT_WINDOW = history.EXACT_FLEET = 10**9  # the baseline: every window scored exactly
    rows.append(
        ("baseline (exact window scan)", run(engine, history, facts, actions[: args.baseline_checks]))
    )
    print(f"  {'':<28}{'median µs':>12}{'p99 µs':>12}{'checks':>10}")
    for label, values in rows:
        p99 = sorted(values)[int(0.99 * (len(values) - 1))]
        print(f"  {label:<28}{statistics.median(values) * 1e6:12.1f}{p99 * 1e6:12.1f}{len(values):10}")
    base = rows[-1][1]
    print(f"  speed-up (median): {statistics.median(base) / statistics.median(times):.0f}x")
    print(f"  (of the first 200 checks, {caught} had findings at warn or above)")


if __name__ == "__main__":
    main()
