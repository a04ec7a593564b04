"""Ranking what most likely got an account locked: the 72 hours before each lock against the account's
own baseline.

For each pattern (a rule code, or the posting rhythm) the diagnosis counts how often it showed per day in
the window and per day before it, and ranks by the excess, weighted by how serious the rule is. A cause
that was as common before the lock as in the days leading up to it is a poor explanation, however often it
shows. A lock on one account also counts the cross-account findings of the operator's other accounts that
point at it: a headline that three accounts carry is what a spam system sees on each of them.

The platforms publish no thresholds. These are botwarden's rule patterns, not the platform's classifier.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from botwarden.diagnose.analyze import RHYTHM, Analysis, Flag
from botwarden.diagnose.model import HistoryPost, Lock
from botwarden.rules import Severity

WINDOW = timedelta(hours=72)
WEIGHTS = {Severity.WARN: 1.0, Severity.DELAY: 1.5, Severity.HOLD: 2.0, Severity.DENY: 3.0}
RHYTHM_WEIGHT = 1.5
EXAMPLES = 5


@dataclass(slots=True)
class Cause:
    code: str  # a rule code, or "rhythm"
    slug: str
    message: str  # what one of its findings said
    in_window: int
    window_per_day: float
    baseline_per_day: float
    score: float
    examples: list[HistoryPost] = field(default_factory=list)


@dataclass(slots=True)
class LockReport:
    lock: Lock
    account: str  # the account locked, or "all accounts"
    window_start: datetime
    posts_in_window: int
    causes: list[Cause]


def rank_locks(analysis: Analysis, locks: list[Lock], window: timedelta = WINDOW) -> list[LockReport]:
    return [_rank(analysis, lock, window) for lock in sorted(locks, key=lambda lock: lock.at)]


def overall(analysis: Analysis) -> list[Cause]:
    """Without a lock to compare against: each pattern over the whole history, weighted, commonest first."""
    days = _days(analysis.posts[0].at, analysis.posts[-1].at) if analysis.posts else 1.0
    grouped: dict[str, list[Flag]] = {}
    for flag in analysis.flags:
        grouped.setdefault(flag.code, []).append(flag)
    causes = [
        Cause(
            code,
            group[0].slug,
            group[0].message,
            len(group),
            len(group) / days,
            0.0,
            WEIGHTS[max(f.severity for f in group)] * len(group) / days,
            [f.post for f in group[:EXAMPLES]],
        )
        for code, group in grouped.items()
    ]
    causes += _rhythm_causes(analysis, analysis.accounts, None, None, days, 0.0)
    return sorted(causes, key=lambda c: (-c.score, c.code))


def per_day(analysis: Analysis) -> dict[date, Counter[str]]:
    """Findings per day and code (for the report's chart and JSON)."""
    days: dict[date, Counter[str]] = {}
    for flag in analysis.flags:
        days.setdefault(flag.post.at.date(), Counter())[flag.code] += 1
    return dict(sorted(days.items()))


def _rank(analysis: Analysis, lock: Lock, window: timedelta) -> LockReport:
    start, end = lock.at - window, lock.at
    accounts = [lock.account] if lock.account else analysis.accounts
    mine = [p for p in analysis.posts if p.account in accounts and p.at < end]
    first = mine[0].at if mine else start
    baseline_days = _days(first, start) if first < start else 0.0
    window_days = window.total_seconds() / 86400
    relevant = [f for f in analysis.flags if f.post.at < end and _concerns(f, lock)]
    by_id = {post.id: post for post in analysis.posts}
    causes = []
    for code in sorted({f.code for f in relevant}):
        flags = [f for f in relevant if f.code == code]
        inside = [f for f in flags if f.post.at >= start]
        if not inside:
            continue
        # Counted in the locked account's own posts: a story its sister accounts copied three times is
        # one of its posts, not three (the copies stay among the examples).
        counted = _posts_concerned(inside, lock, by_id)
        before = len(_posts_concerned(flags, lock, by_id) - counted)
        weight = WEIGHTS[max(f.severity for f in inside)]
        window_rate = len(counted) / window_days
        base_rate = before / baseline_days if baseline_days else 0.0
        causes.append(
            Cause(
                code,
                inside[0].slug,
                inside[-1].message,
                len(counted),
                window_rate,
                base_rate,
                weight * (window_rate - base_rate),
                _examples([f.post for f in inside]),
            )
        )
    causes += _rhythm_causes(analysis, accounts, start, end, window_days, baseline_days)
    causes.sort(key=lambda c: (-c.score, c.code))
    in_window = sum(1 for p in mine if p.at >= start)
    return LockReport(lock, lock.account or "all accounts", start, in_window, causes)


def _posts_concerned(flags: list[Flag], lock: Lock, by_id: dict[str, HistoryPost]) -> set[str]:
    """The locked account's posts these findings are about: the flagged post when it is the account's,
    else (a sister account's copy) the account's post it copies."""
    ids = set()
    for flag in flags:
        if lock.account is None or flag.post.account == lock.account:
            ids.add(flag.post.id)
            continue
        earlier = by_id.get(str(flag.evidence.get("earlier_id") or ""))
        if earlier is not None and earlier.account == lock.account:
            ids.add(earlier.id)
    return ids


def _concerns(flag: Flag, lock: Lock) -> bool:
    """A finding on the locked account, or a cross-account one of another account that points at it."""
    return lock.account is None or flag.post.account == lock.account or flag.related_account == lock.account


def _rhythm_causes(
    analysis: Analysis,
    accounts: list[str],
    start: datetime | None,
    end: datetime | None,
    window_days: float,
    baseline_days: float,
) -> list[Cause]:
    causes = []
    for account in accounts:
        rhythm = analysis.rhythms.get(account)
        if rhythm is None or not rhythm.machine_regular:
            continue
        beats = [p for p in rhythm.regular_posts if end is None or p.at < end]
        inside = [p for p in beats if start is None or p.at >= start]
        if not inside:
            continue
        before = len(beats) - len(inside)
        window_rate = len(inside) / window_days
        base_rate = before / baseline_days if baseline_days else 0.0
        minutes = rhythm.typical_gap.total_seconds() / 60
        causes.append(
            Cause(
                RHYTHM,
                "machine-regular-rhythm",
                f"{account}: {rhythm.share:.0%} of the gaps between posts are {minutes:g} minutes to within "
                "10 seconds: a beat only a scheduler keeps (add jitter; post when there is news)",
                len(inside),
                window_rate,
                base_rate,
                RHYTHM_WEIGHT * (window_rate - base_rate),
                _examples(inside),
            )
        )
    return causes


def _examples(posts: list[HistoryPost]) -> list[HistoryPost]:
    return posts[-EXAMPLES:]


def _days(first: datetime, last: datetime) -> float:
    return max((last - first).total_seconds() / 86400, 1.0)
