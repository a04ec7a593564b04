"""Replaying an account's history through the rule engine, in time order, to see what it would have said.

This is the same engine the worker and ``check`` use, not a second implementation: every post is checked
against the posts before it (of every account in the diagnosis: one operator's fleet), then entered into
history whatever the verdict, because it was posted. Rules whose facts no export holds are left out
(consent for replies and messages, live rate limits, account state, spend, account setup), and so is the
length check: the network accepted every post in an export.

Beside the rules, the diagnosis measures one pattern no single action shows: a machine-regular rhythm
(most gaps between posts the same length to within seconds).
"""

from __future__ import annotations

import itertools
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from botwarden import settings as settings_table
from botwarden.checking import Checks
from botwarden.diagnose.model import HistoryPost
from botwarden.rules import AccountInfo, Action, Engine, MemoryHistory, PastPost, Severity
from botwarden.rules.facts import Facts, LinkFacts, Trend
from botwarden.similarity import text_hash
from botwarden.typed_settings import Settings

OPERATOR = ""  # every account of one diagnosis is one operator's, whose name the exports do not say
#: Rules an export cannot inform: consent and engagement (BW4xx-BW7xx), live budgets, account state and
#: spend (BW901, BW904, BW905), length and cashtags (the network took the post) and account setup (BW95x).
NOT_FROM_HISTORY = ("BW4", "BW5", "BW6", "BW7", "BW901", "BW904", "BW905", "BW906", "BW908", "BW95")
DUPLICATE_CODES = frozenset({"BW101", "BW102", "BW103"})
RHYTHM = "rhythm"  # the pattern beside the rule codes
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Flag:
    """A finding (warn or stronger) on one post of the history."""

    code: str
    slug: str
    severity: Severity
    message: str
    post: HistoryPost
    evidence: dict[str, Any]

    @property
    def related_account(self) -> str | None:
        """The other account a cross-account finding points at."""
        other = self.evidence.get("other_account")
        return str(other) if other else None


@dataclass(frozen=True, slots=True)
class Rhythm:
    """How regular an account's posting is: the commonest gap and the share of gaps within seconds of it."""

    account: str
    gaps: int
    typical_gap: timedelta
    share: float  # of gaps within ``tolerance`` of the typical one
    spread: float  # coefficient of variation of the gaps
    regular_posts: tuple[HistoryPost, ...] = ()  # the posts whose gap before them is the typical one

    @property
    def machine_regular(self) -> bool:
        return self.gaps >= 12 and self.share >= 0.5


@dataclass(slots=True)
class Analysis:
    posts: list[HistoryPost]
    flags: list[Flag]
    rhythms: dict[str, Rhythm]
    clusters: list[list[tuple[HistoryPost, HistoryPost | None, float]]] = field(default_factory=list)

    @property
    def accounts(self) -> list[str]:
        return sorted({p.account for p in self.posts})


def analyze(
    posts: Iterable[HistoryPost],
    *,
    settings: Settings | None = None,
    trends: Sequence[Trend] = (),
    links: Iterable[LinkFacts] = (),
    progress: Progress | None = None,
) -> Analysis:
    ordered = sorted(posts, key=lambda p: (p.at, p.account, p.id))
    resolved = settings or settings_table.resolve({}, env={})
    engine = Engine(select=resolved["select"], ignore=[*resolved["ignore"], *NOT_FROM_HISTORY])
    facts = Facts(trends=list(trends))
    for link in links:
        facts.add_link(link)
    for post in ordered:
        if post.account not in facts.accounts:
            facts.add_account(AccountInfo(post.account, post.network, OPERATOR))
    checks = Checks(resolved, facts, engine=engine)
    history = MemoryHistory()
    by_id: dict[str, HistoryPost] = {}
    flags: list[Flag] = []
    for done, post in enumerate(ordered):
        action = Action(
            post.id,
            "reply" if post.reply else "post",
            post.account,
            post.at,
            post.text,
            post.links,
            post.network,
        )
        for finding in checks.check(action, facts.accounts[post.account], history).findings:
            if finding.severity >= Severity.WARN:
                flags.append(
                    Flag(
                        finding.code, finding.slug, finding.severity, finding.message, post, finding.evidence
                    )
                )
        history.add(PastPost(post.id, post.account, post.at, post.text, text_hash(post.text), post.links))
        by_id[post.id] = post
        if progress is not None and (done % 500 == 0 or done == len(ordered) - 1):
            progress(done + 1, len(ordered))
    per_account: dict[str, list[HistoryPost]] = {}
    for post in ordered:  # one walk, not one per account
        per_account.setdefault(post.account, []).append(post)
    rhythms = {account: rhythm_of(account, account_posts) for account, account_posts in per_account.items()}
    return Analysis(ordered, flags, rhythms, _clusters(flags, by_id))


def rhythm_of(account: str, posts: Sequence[HistoryPost], tolerance: float = 10.0) -> Rhythm:
    """The typical gap (gaps rounded to 10 s, the commonest) and how many gaps are within ``tolerance``
    seconds of it. Schedulers post on a beat; people and feeds with real news do not."""
    gaps = [(b.at - a.at).total_seconds() for a, b in itertools.pairwise(posts)]
    positive = [g for g in gaps if g > 0]
    if len(positive) < 2:
        return Rhythm(account, len(positive), timedelta(0), 0.0, 0.0)
    typical = Counter(round(g / 10) * 10 for g in positive).most_common(1)[0][0]
    on_beat = [posts[i + 1] for i, g in enumerate(gaps) if g > 0 and abs(g - typical) <= tolerance]
    spread = statistics.pstdev(positive) / statistics.fmean(positive)
    return Rhythm(
        account,
        len(positive),
        timedelta(seconds=typical),
        len(on_beat) / len(positive),
        spread,
        tuple(on_beat),
    )


def _clusters(
    flags: list[Flag], by_id: dict[str, HistoryPost]
) -> list[list[tuple[HistoryPost, HistoryPost | None, float]]]:
    """Groups of posts linked by duplicate findings: each post with the earlier one it copies and how
    similar they are, earliest first; biggest groups first."""
    parent: dict[str, str] = {}

    def root(post_id: str) -> str:
        while parent.get(post_id, post_id) != post_id:
            post_id = parent[post_id]
        return post_id

    links: dict[str, tuple[str, float]] = {}
    for flag in flags:
        earlier = str(flag.evidence.get("earlier_id") or "")
        if flag.code not in DUPLICATE_CODES or earlier not in by_id:
            continue
        score = float(flag.evidence.get("similarity", 1.0))
        links.setdefault(flag.post.id, (earlier, score))
        parent.setdefault(earlier, earlier)
        parent.setdefault(flag.post.id, flag.post.id)
        parent[root(flag.post.id)] = root(earlier)
    groups: dict[str, list[str]] = {}
    for post_id in parent:
        groups.setdefault(root(post_id), []).append(post_id)
    clusters = []
    for members in groups.values():
        rows = []
        for post_id in sorted(members, key=lambda i: (by_id[i].at, i)):
            earlier, score = links.get(post_id, ("", 0.0))
            rows.append((by_id[post_id], by_id.get(earlier), score))
        clusters.append(rows)
    clusters.sort(key=lambda rows: (-len(rows), rows[0][0].at))
    return clusters
