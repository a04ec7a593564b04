"""How well the content rules judge by meaning, and what they would hold of real feeds.

    .venv/bin/python bench/content_rules.py
    .venv/bin/python bench/content_rules.py --limit 1000     # the first 1,000 corpus items only

1. Labelled sets in ``bench/content_rules/`` (each line a text, its label, its source: ``feed:<site>`` for
   text from ../shared/corpora/feeds/, ``written`` for wordings written here; and its set: ``dev``, or a
   ``held-out-N`` written later and measured once before any change; bench/content_rules/README.md
   has those first measures):
   ``asks.jsonl`` (requests for private data in posts and messages: BW503, BW504), ``private.jsonl`` (a
   person's private data against listings, businesses, tips lines, authors' own addresses, model numbers
   and code: BW801), ``mentions.jsonl`` (what each network would make a mention of: BW106 on posts,
   BW406 on mentions with no opt-in). Each rule's precision and recall is printed per set.
2. Every item of ../shared/corpora/feeds/ composed as a post for X, Mastodon and Bluesky
   (``{title} {summary} {link}``, fitted by the composer): how many each rule would hold or deny. The
   corpus is ordinary feed posting, so BW503 and BW801 should find nothing; BW106 holds the posts whose
   feed text @mentions real accounts, which are listed.
3. What each rule's check costs on those posts (median and 99th percentile): cold, where the rule is the
   first to read the post's word set, and warm, where another rule of the check already has (a whole check
   reads it once; BW409, BW503 and BW803 share it).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import FEEDS

from botwarden.compose.draft import ItemFields, compose
from botwarden.language.tokens import words_of
from botwarden.rules import AccountInfo, Action, CheckContext, MemoryHistory, Rule, load_registry
from botwarden.rules.facts import Facts
from botwarden.text import load_x_patterns

DATA = Path(__file__).resolve().parent / "content_rules"
AT = datetime(2026, 2, 19, 12, tzinfo=UTC)
NETWORKS = ("x", "mastodon", "bluesky")
TEMPLATE = "{title} {summary} {link}"
CODES = ("BW503", "BW801", "BW106")


def rules() -> dict[str, Rule]:
    wanted = {"BW106", "BW406", "BW503", "BW504", "BW801"}
    return {rule.code: rule for rule in load_registry() if rule.code in wanted}


def context(network: str) -> CheckContext:
    facts = Facts()
    account = AccountInfo("bench", network, "bench-operator", automated_label=True, bot_flag=True)
    facts.add_account(account)
    return CheckContext(account=account, history=MemoryHistory(), facts=facts)


def fires(rule: Rule, kind: str, text: str, network: str = "x", ctx: CheckContext | None = None) -> bool:
    action = Action("1", kind, "bench", AT, text, (), network)
    return bool(rule.check(action, ctx or context(network)))


def read(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line]


# -- labelled sets -------------------------------------------------------------------------------------


def labelled_cases(by_code: dict[str, Rule]) -> list[tuple[str, str, bool, bool]]:
    """(rule, set, labelled caught, rule fired) for every labelled case."""
    cases = []
    for row in read("asks.jsonl"):
        code = "BW504" if row["kind"] == "dm" else "BW503"
        fired = fires(by_code[code], row["kind"], row["text"])
        cases.append((code, row["set"], row["label"] == "caught", fired))
    for row in read("private.jsonl"):
        fired = fires(by_code["BW801"], "post", row["text"])
        cases.append(("BW801", row["set"], row["label"] == "caught", fired))
    for row in read("mentions.jsonl"):
        network, mentioned = row["network"], bool(row["mentions"])
        fired = fires(by_code["BW106"], "post", row["text"], network)
        cases.append((f"BW106 {network}", row["set"], mentioned, fired))
        fired = fires(by_code["BW406"], "mention", row["text"], network)
        cases.append((f"BW406 {network}", row["set"], mentioned, fired))
    return cases


def print_scores(cases: list[tuple[str, str, bool, bool]]) -> None:
    print("\nLabelled sets (bench/content_rules/): precision and recall per rule")
    print(
        f"{'rule':<18}{'set':<10}{'caught':>7}{'allowed':>8}{'TP':>5}{'FP':>5}{'FN':>5}{'precision':>11}{'recall':>8}"
    )
    for key in sorted({(code, part) for code, part, _, _ in cases}):
        rows = [(label, fired) for code, part, label, fired in cases if (code, part) == key]
        tp = sum(label and fired for label, fired in rows)
        fp = sum(fired and not label for label, fired in rows)
        fn = sum(label and not fired for label, fired in rows)
        caught = sum(label for label, _ in rows)
        precision = f"{tp / (tp + fp):.3f}" if tp + fp else "-"
        recall = f"{tp / caught:.3f}" if caught else "-"
        print(
            f"{key[0]:<18}{key[1]:<10}{caught:>7}{len(rows) - caught:>8}{tp:>5}{fp:>5}{fn:>5}"
            f"{precision:>11}{recall:>8}"
        )


# -- the feed corpus -----------------------------------------------------------------------------------


def corpus_items(limit: int | None) -> list[ItemFields]:
    import feedparser

    items: list[ItemFields] = []
    for path in sorted(FEEDS.glob("*")):
        for entry in feedparser.parse(path.read_bytes()).entries:
            if entry.get("title"):
                items.append(ItemFields(entry["title"], entry.get("link") or "", entry.get("summary") or ""))
        if limit and len(items) >= limit:
            return items[:limit]
    return items


def corpus_run(by_code: dict[str, Rule], items: list[ItemFields]) -> None:
    print(f"\nFeed corpus: {len(items):,} items composed as posts ('{TEMPLATE}') on each network")
    print(f"{'rule':<8}{'network':<10}{'decision':<9}{'posts':>7}{'share':>9}")
    timings: dict[str, list[float]] = {f"{code} {when}": [] for code in CODES for when in ("cold", "warm")}
    mentioned: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    for network in NETWORKS:
        ctx = context(network)
        texts = [compose(item, TEMPLATE, network).text for item in items]
        for code in CODES:
            rule, held = by_code[code], 0
            for text in texts:
                action = Action("1", "post", "bench", AT, text, (), network)
                words_of.cache_clear()
                for when in ("cold", "warm"):
                    started = time.perf_counter()
                    findings = rule.check(action, ctx)
                    timings[f"{code} {when}"].append(time.perf_counter() - started)
                if findings:
                    held += 1
                    examples.setdefault(f"{code} {network}", []).append(text)
                    for user in findings[0].evidence.get("mentions", []):
                        mentioned[f"{network}: @{user}"] += 1
            print(f"{code:<8}{network:<10}{rule.severity.label:<9}{held:>7}{held / len(texts):>9.2%}")
    for key, texts in sorted(examples.items()):
        if not key.startswith("BW106"):
            for text in texts[:10]:
                print(f"  {key}: {text[:120]!r}")
    print("  BW106: the accounts the corpus's feed text mentions, and how many posts name each:")
    print("   ", ", ".join(f"{who} ×{n}" for who, n in sorted(mentioned.items())))
    print("\nCost of one rule's check on the corpus posts (all networks)")
    for code, spent in timings.items():
        spent.sort()
        print(
            f"  {code}: median {statistics.median(spent) * 1e6:.1f} µs, "
            f"p99 {spent[int(len(spent) * 0.99)] * 1e6:.1f} µs, mean {statistics.fmean(spent) * 1e6:.1f} µs"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, default=None, help="corpus items to compose (default all)")
    args = parser.parse_args()
    load_x_patterns()  # as a server does at start, not inside the first timed check
    by_code = rules()
    print_scores(labelled_cases(by_code))
    if FEEDS.is_dir():
        corpus_run(by_code, corpus_items(args.limit))
    else:
        print(f"\n{FEEDS} is not here: the corpus part is left out")


if __name__ == "__main__":
    main()
