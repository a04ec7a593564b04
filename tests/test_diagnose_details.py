"""Details of `diagnose` an operator trips on: a locked account's cross-account row counts its own posts
(not each sister account's copy), no placeholder operator name, a plain sentence when nothing explains a
lock, and an HTML report whose labels stay readable (the lock label at the chart's edge, long cluster
labels) with no column that is always empty."""

from __future__ import annotations

import html
import io
import random
import re
from datetime import UTC, datetime, timedelta

from rich.console import Console

from botwarden.diagnose import diagnose, dumps, to_html
from botwarden.diagnose.model import HistoryPost, Lock
from botwarden.diagnose.report import NOTHING_AT_ALL, NOTHING_BEFORE_LOCK, print_summary

START = datetime(2026, 4, 1, tzinfo=UTC)
WORDS = (
    "harbour", "quay", "ferry", "tide", "lifeboat", "school", "library", "festival", "market", "council",
    "museum", "bakery", "cinema", "regatta", "bridge", "parking", "garden", "beach", "pier", "theatre",
    "rowing", "clinic", "housing", "budget",
)  # fmt: skip


def _distinct(account: str, count: int, seed: int, start: datetime = START) -> list[HistoryPost]:
    rng = random.Random(seed)
    posts, at = [], start
    for n in range(count):
        at += timedelta(hours=5, minutes=rng.randint(-90, 90), seconds=rng.randint(0, 59))
        words = rng.sample(WORDS, 6)
        text = f"{words[0].title()} {words[1]} {words[2]}: {words[3]} {words[4]} {words[5]} ({seed}-{n})"
        posts.append(HistoryPost(f"{account}-{n}", account, "x", at, text, (f"https://e{seed}.org/{n}",)))
    return posts


def _text(report: object) -> str:
    stream = io.StringIO()
    print_summary(report, Console(file=stream, width=160, color_system=None))  # type: ignore[arg-type]
    return stream.getvalue()


def test_a_locked_accounts_cross_account_row_counts_its_own_posts() -> None:
    mine = _distinct("news", 30, 1)
    lock = mine[-1].at + timedelta(hours=2)
    copies = []
    for sister, delay in (("alerts", 20), ("weather", 40)):  # each copies the last ten, minutes later
        for post in mine[-10:]:
            at = post.at + timedelta(minutes=delay)
            copies.append(HistoryPost(f"{sister}-{post.id}", sister, "x", at, post.text, post.links))
    report = diagnose(mine + copies, [Lock(lock, "news")], sources=["t"])
    [locked] = report.locks
    [row] = [c for c in locked.causes if c.code == "BW103"]
    in_window = [p for p in mine[-10:] if p.at >= lock - timedelta(hours=72)]
    assert row.in_window == len(in_window) <= locked.posts_in_window  # not the 2 copies of each
    assert {p.account for p in row.examples} <= {"alerts", "weather"}  # the copies stay as examples


def test_no_placeholder_operator_is_named() -> None:
    posts = _distinct("news", 5, 1)
    posts.append(HistoryPost("dup", "alerts", "x", posts[-1].at + timedelta(hours=1), posts[-1].text))
    report = diagnose(posts, [Lock(posts[-1].at + timedelta(hours=2), "news")], sources=["t"])
    for shown in (_text(report), dumps(report), to_html(report)):
        assert "your-fleet" not in shown
        assert "of operator ," not in shown
    assert "another x account of the same operator" in dumps(report)


def test_when_nothing_explains_a_lock_the_report_says_so() -> None:
    posts = _distinct("quiet", 40, 7)
    report = diagnose(posts, [Lock(posts[-1].at + timedelta(hours=3), "quiet")], sources=["t"])
    [locked] = report.locks
    assert locked.causes == [] and report.ranked == []
    text = _text(report)
    assert NOTHING_BEFORE_LOCK in " ".join(text.split())
    assert NOTHING_AT_ALL in text
    assert "┏" not in text  # no empty tables
    page = to_html(report)
    assert html.escape(NOTHING_BEFORE_LOCK) in page and html.escape(NOTHING_AT_ALL) in page


def test_the_html_keeps_its_labels_readable_and_drops_the_empty_column() -> None:
    long = "An extraordinarily long headline about the harbour bridge closure and its detours"
    posts = _distinct("news", 20, 3)
    last = posts[-1].at
    first = posts[0]
    posts += [
        HistoryPost("c0", "alerts", "x", first.at + timedelta(days=2), first.text),  # a copy two days later
        HistoryPost("c1", "news", "x", last + timedelta(minutes=1), long),
        HistoryPost("c2", "alerts", "x", last + timedelta(minutes=2), long),  # a copy a minute later
    ]
    lock = last + timedelta(minutes=3)  # at the very end of the chart
    page = to_html(diagnose(posts, [Lock(lock, "news")], sources=["t"]))
    lock_label = r"<text x=([\d.]+) y=[\d.]+ font-size=12 fill='#dc2626' text-anchor=(\w+)>locked</text>"
    labels = re.findall(lock_label, page)
    assert labels and all(anchor == "end" and float(x) <= 1000 for x, anchor in labels)
    cluster = re.search(r"aria-label='duplicate clusters'>(.*?)</svg>", page, re.S)
    assert cluster is not None
    shown = re.findall(r"<text x=6 [^>]*><title>[^<]*</title>([^<]*)</text>", cluster.group(1))
    assert shown and all(len(label) <= 28 for label in shown) and shown[0].endswith("…")
    # Dots two days apart have room for their score; dots a minute apart keep it as a tooltip.
    assert cluster.group(1).count("100%</text>") == 1 and cluster.group(1).count("100% similar") == 2
    whole = page.split("Patterns over the whole history", 1)[1]
    assert "before, per day" not in whole
