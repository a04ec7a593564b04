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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--history", type=int, default=1_000_000)
    parser.add_argument("--checks", type=int, default=2000)
    parser.add_argument("--baseline-checks", type=int, default=20)
    parser.add_argument("--accounts", type=int, default=100, help="the operator's accounts (default 100)")
    args = parser.parse_args()
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
