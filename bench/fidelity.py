"""How right the judgement is: precision and recall of "the same text" and "substantially similar" on the
labelled development set, false denials and holds when real feeds are posted as usual, and how many of a
news desk's repeated stories are caught.

    .venv/bin/python bench/fidelity.py                  # everything (about a minute)
    .venv/bin/python bench/fidelity.py --threshold 0.45 # another near_duplicate_threshold

1. Development set (``fidelity_sets.py``): for each source of labelled pairs and for all of them, the
   precision of *the same text* (equal normalised text: what BW101 denies) and precision, recall and F1 of
   *substantially similar* (the measure at the threshold: what BW102/BW103 hold; two posts of one feed
   are judged as one account's posts with their links, through the replay engine).
2. Ordinary posting: each of the 200 feeds of ``../shared/corpora/feeds/`` is one account of its own
   operator; each item is composed with the route defaults and posted at its own date, in time order,
   through the replay engine (``botwarden check --replay``'s code). Every verdict that is not an allow
   is counted by rule; a post whose composed text is the same as one its account already made inside the
   window is a real repeat, not a legitimate post, and is counted apart.
3. News desk: every news feed of the corpus is one account of one operator on one network, items of
   13-18 Feb 2026 in time order. A post repeats a story when the person-made story labels put an earlier
   post of another outlet in the same story within the week; BW103 should catch it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fidelity_sets as sets

from botwarden.compose import DEFAULT_TEMPLATE, ItemFields, compose
from botwarden.replay.run import Replay, read_lines
from botwarden.rules.model import Decision
from botwarden.similarity import text_hash
from botwarden.similarity.profile import similarity

NETWORK = "mastodon"
EXAMPLES = 12
WINDOW = timedelta(days=30)
HOUR = timedelta(hours=1)  # BW101's default window: a repeat inside it is a real repeat


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, flagged: bool, same: bool) -> None:
        if flagged and same:
            self.tp += 1
        elif flagged:
            self.fp += 1
        elif same:
            self.fn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def development(threshold: float) -> None:
    pairs = sets.development_pairs()
    exact: dict[str, Counts] = {}
    similar: dict[str, Counts] = {}
    for pair in pairs:
        same_text = bool(text_hash(pair.a)) and text_hash(pair.a) == text_hash(pair.b)
        flagged = (
            _held_as_repeat(pair, threshold) if any(pair.links) else similarity(pair.a, pair.b) >= threshold
        )
        for source in (pair.source, "all"):
            exact.setdefault(source, Counts()).add(same_text, pair.same)
            similar.setdefault(source, Counts()).add(flagged, pair.same)
    print(f"\n1. Development set: {len(pairs)} labelled pairs (threshold {threshold})")
    print(f"{'source':<14}{'pairs':>8}{'same':>7} | {'same text: P':>13}{'n':>6} | {'similar: P':>11}"
          f"{'R':>7}{'F1':>7}  (tp/fp/fn)")  # fmt: skip
    for source in sorted(similar, key=lambda s: (s == "all", s)):
        e, s = exact[source], similar[source]
        total = sum(1 for p in pairs if source in ("all", p.source))
        print(
            f"{source:<14}{total:>8}{s.tp + s.fn:>7} | {e.precision:>13.3f}{e.tp + e.fp:>6} | "
            f"{s.precision:>11.3f}{s.recall:>7.3f}{s.f1:>7.3f}  ({s.tp}/{s.fp}/{s.fn})"
        )
    if not sets.corpus_available():
        print("(../shared/corpora/feeds is not beside the checkout: the corpus pairs are left out)")


def _held_as_repeat(pair: sets.Pair, threshold: float) -> bool:
    """Whether one account's second post is judged the same or substantially similar to its first (BW101
    or BW102), the posts carrying their items' links as the product would post them."""
    at = datetime(2026, 2, 16, 12, tzinfo=UTC)
    first, second = (
        f"{text} {link}".strip() for text, link in zip((pair.a, pair.b), pair.links, strict=True)
    )
    lines = [
        _line(type="config", near_duplicate_threshold=threshold),
        _line(type="account", id="feed", network=NETWORK, operator="desk", bot_flag=True),
        _line(type="posted", account="feed", at=at.isoformat(), text=first),
        _line(
            type="action", id="second", kind="post", account="feed", at=(at + HOUR).isoformat(), text=second
        ),
    ]
    (verdict,) = _replay(lines)
    return bool({"BW101", "BW102"} & set(verdict.codes))


def _line(**fields: Any) -> str:
    return json.dumps(fields, default=str)


def _post_text(item: sets.FeedItem, template: str) -> str:
    fields = ItemFields(item.title, item.link, item.summary, item.categories)
    return compose(fields, template, NETWORK).text


def _replay(lines: list[str]) -> list[Any]:
    replay = Replay()
    return list(replay.run(read_lines(lines, "fidelity"), "fidelity"))


def ordinary_posting(template: str, threshold: float) -> None:
    """Every feed posting as usual: what the engine denies and holds."""
    # Pacing delays are not judgements: caps high enough that none is met.
    context = [_line(type="config", daily_cap=1000, burst_max=1000, near_duplicate_threshold=threshold)]
    actions: list[tuple[datetime, str]] = []
    expected_repeat: dict[str, bool] = {}
    posts = 0
    for feed in sorted(p.name for p in sets.FEEDS.iterdir()):
        try:
            items = sets.feed_items(feed)
        except Exception:  # an unreadable feed of the corpus posts nothing
            continue
        context.append(_line(type="account", id=feed, network=NETWORK, operator=feed, bot_flag=True))
        seen: dict[str, datetime] = {}
        dated = sorted(
            (datetime.fromisoformat(i.at), n, i)
            for n, i in enumerate(items.values())
            if i.at[:2] in ("19", "20") and i.title
        )
        for at, n, item in dated:
            text = _post_text(item, template)
            key = text_hash(text)
            action_id = f"{feed}/{n}"
            expected_repeat[action_id] = bool(key) and key in seen and at - seen[key] <= WINDOW
            seen[key] = at
            action = _line(type="action", id=action_id, kind="post", account=feed, at=at.isoformat(),
                           text=text, trigger="feed")  # fmt: skip
            actions.append((at, action))
            posts += 1
    actions.sort(key=lambda pair: pair[0])
    started = time.perf_counter()
    verdicts = _replay(context + [text for _, text in actions])
    elapsed = time.perf_counter() - started
    repeats = sum(expected_repeat.values())
    legitimate = posts - repeats
    denied, held, warned = Counter[str](), Counter[str](), Counter[str]()
    false_denials = false_holds = repeats_denied = 0
    examples: list[str] = []
    for verdict in verdicts:
        if verdict.decision is Decision.ALLOW:
            warned.update(verdict.codes)
        if verdict.decision not in (Decision.DENY, Decision.HOLD):
            continue
        repeat = expected_repeat[verdict.action_id]
        codes = " ".join(verdict.codes)
        if repeat:
            repeats_denied += verdict.decision is Decision.DENY
            continue
        if verdict.decision is Decision.DENY:
            false_denials += 1
            denied[codes] += 1
        else:
            false_holds += 1
            held[codes] += 1
        if len(examples) < EXAMPLES:
            examples.append(
                f"   {verdict.decision.value:<5}{codes:<14}{verdict.action_id:<26}{verdict.reason()[:120]}"
            )
    name = "title only" if template == DEFAULT_TEMPLATE else "title and summary"
    print(f"\n2. Ordinary posting ({name}: {template!r}), {posts} posts of 200 feeds in {elapsed:.1f} s")
    print(f"   real repeats (same text again inside {WINDOW.days} days): {repeats}, denied {repeats_denied}")
    print(f"   legitimate posts: {legitimate}")
    print(f"   false denials: {false_denials} ({false_denials / legitimate:.2%})  {dict(denied)}")
    print(f"   false holds:   {false_holds} ({false_holds / legitimate:.2%})  {dict(held)}")
    print(f"   warnings on allowed posts: {dict(warned.most_common())}")
    for example in examples:
        print(example)


def news_desk(threshold: float) -> None:
    """All news feeds as one operator's accounts on one network: how many repeated stories BW103 holds."""
    stories = sets.news_stories()
    story_of = {(i.feed, i.id): n for n, story in enumerate(stories) for i in story}
    items = sorted(sets.news_items(), key=lambda i: (i.at, i.feed, i.id))
    lines = [_line(type="config", daily_cap=1000, burst_max=1000, near_duplicate_threshold=threshold)]
    for feed in sorted({i.feed for i in items}):
        lines.append(_line(type="account", id=feed, network=NETWORK, operator="desk", bot_flag=True))
    repeats: dict[str, bool] = {}
    earlier: list[tuple[datetime, str, int | None]] = []
    for n, item in enumerate(items):
        at = datetime.fromisoformat(item.at)
        story = story_of.get((item.feed, item.id))
        repeats[str(n)] = story is not None and any(
            s == story and f != item.feed and at - t <= timedelta(days=7) for t, f, s in earlier
        )
        earlier.append((at, item.feed, story))
        text = _post_text(item, DEFAULT_TEMPLATE)
        lines.append(_line(type="action", id=str(n), kind="post", account=item.feed, at=item.at, text=text,
                           trigger="feed"))  # fmt: skip
    verdicts = {v.action_id: v for v in _replay(lines)}
    counts = Counts()
    for action_id, repeat in repeats.items():
        counts.add("BW103" in verdicts[action_id].codes, repeat)
    print(f"\n3. News desk: {len(items)} posts of {len({i.feed for i in items})} outlets, 13-18 Feb 2026, "
          f"{sum(repeats.values())} repeat a story another outlet carried")  # fmt: skip
    print(f"   BW103 caught {counts.tp} of {counts.tp + counts.fn} repeats: recall {counts.recall:.1%}, "
          f"precision {counts.precision:.1%} ({counts.fp} held that repeat nothing)")  # fmt: skip


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--threshold", type=float, default=None, help="near_duplicate_threshold to measure")
    args = parser.parse_args(argv)
    from botwarden.settings import BY_NAME

    threshold = (
        args.threshold if args.threshold is not None else float(BY_NAME["near_duplicate_threshold"].default)
    )
    development(threshold)
    if not sets.corpus_available():
        print("\n../shared/corpora/feeds is not beside the checkout: the replays need it")
        return
    for template in (DEFAULT_TEMPLATE, "{title}\n\n{summary}\n\n{link}"):
        ordinary_posting(template, threshold)
    news_desk(threshold)


if __name__ == "__main__":
    main()
