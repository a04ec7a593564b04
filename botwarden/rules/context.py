"""What a rule may look at: the account, its pacing policy, its history and the operator's settings."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, cast

from botwarden import settings as settings_table
from botwarden.compose.links import links_in
from botwarden.limits import Limits, builtin_limits
from botwarden.pacing import PacingPolicy
from botwarden.rules.account import AccountInfo
from botwarden.rules.facts import Facts
from botwarden.similarity.profile import Profile, profile, resemblance
from botwarden.similarity.usual import UsualFeatures
from botwarden.typed_settings import Settings

if TYPE_CHECKING:
    from botwarden.rules.overrides import Override
    from botwarden.similarity import SimilarityIndex


@dataclass(frozen=True, slots=True)
class PastPost:
    """A post an account has made (or one the engine allowed earlier in the same replay)."""

    id: str
    account: str
    at: datetime
    text: str
    text_hash: str
    links: tuple[str, ...] = ()
    kind: str = "post"  # post, reply, quote or mention: X counts replies apart (BW902)
    media: int = 0  # attachments uploaded with it (Mastodon budgets uploads apart: BW901)


class History(Protocol):
    """Read access to posting history; the store and the replay both provide one."""

    def posts_between(self, account: str, start: datetime, end: datetime) -> list[PastPost]:
        """The account's posts with start <= at <= end, oldest first."""
        ...

    def posts_after(self, account: str, start: datetime, end: datetime) -> list[PastPost]:
        """The account's posts with start < at <= end, oldest first: the rolling windows of the pacing
        rules, where a post exactly one window old has left it."""
        ...

    def same_text(self, account: str, text_hash: str, since: datetime) -> PastPost | None:
        """The account's most recent post since ``since`` with this normalised-text hash (none for the empty
        hash of a text without words)."""
        ...

    def same_text_among(self, accounts: Sequence[str], text_hash: str, since: datetime) -> PastPost | None:
        """The most recent post of any of ``accounts`` since ``since`` with this normalised-text hash."""
        ...

    def similar(
        self,
        text: str,
        accounts: Sequence[str],
        since: datetime,
        until: datetime,
        threshold: float,
        *,
        author: str | None = None,
    ) -> list[tuple[float, PastPost]]:
        """Posts of ``accounts`` between the times at least ``threshold`` similar to ``text``, best first.
        Given the ``author`` of ``text``, what the author usually says weighs less (``usual.py``)."""
        ...

    def posts_linking(self, link: str, since: datetime, until: datetime) -> list[PastPost]:
        """Posts with this canonical link, since <= at <= until, oldest first: at least the latest of
        each account that made one (what BW104 asks), or all of them."""
        ...

    def count_among(self, accounts: Sequence[str], start: datetime, end: datetime) -> int:
        """How many posts ``accounts`` made with start < at <= end, all together (an app's budget)."""
        ...


def posts_after(history: History, account: str, start: datetime, end: datetime) -> list[PastPost]:
    """``History.posts_after`` for a history that can only give its window with both ends in: cut by
    bisection, since the list is in time order."""
    posts = history.posts_between(account, start, end)
    first = bisect.bisect_right(posts, start, key=_post_time)
    return posts[first:] if first else posts


def scan_similar(
    history: History,
    mine: Profile,
    accounts: Sequence[str],
    since: datetime,
    until: datetime,
    threshold: float,
) -> list[tuple[float, PastPost]]:
    """Similarity of a profile to every post in the window: for histories whose windows are small."""
    scored = []
    for account in accounts:
        for post in history.posts_between(account, since, until):
            score = resemblance(mine, profile(post.text))
            if score >= threshold:
                scored.append((round(score, 4), post))
    scored.sort(key=_best_first)
    return scored


@dataclass(slots=True)
class CheckContext:
    account: AccountInfo
    history: History
    pacing: PacingPolicy = field(default_factory=PacingPolicy)
    # Every setting, typed (``botwarden/typed_settings.py``): one given only some has the rest filled in
    # at their defaults, so a rule reads ``ctx.settings["name"]`` and never repeats a default.
    settings: Settings = field(default_factory=settings_table.defaults)
    facts: Facts = field(default_factory=Facts)
    # What one rule worked out that another needs too, within one check (keys name the action).
    memo: dict[Any, Any] = field(default_factory=dict)
    # The operator's own severities for this route or account, by code (``overrides.py``).
    overrides: Mapping[str, Override] = field(default_factory=dict)
    # What the networks allow (``botwarden/limits``), with the operator's overrides.
    limits: Limits = field(default_factory=builtin_limits)

    def __post_init__(self) -> None:
        if len(self.settings) < len(settings_table.SETTINGS):
            self.settings = settings_table.complete(self.settings)

    def setting(self, name: str) -> Any:
        """A setting named at run time (a plugin's); built-in rules read ``settings["name"]``, typed."""
        return cast(Mapping[str, Any], self.settings)[name]

    @property
    def _fleet_network(self) -> str | None:
        """The network a fleet is drawn from: the account's own, unless ``fleet_scope`` widens it to every
        account of the operator (the multiple-accounts rules are about one network's accounts)."""
        return None if self.settings["fleet_scope"] == "operator" else self.account.network

    def fleet(self, account: str) -> tuple[str, ...]:
        """The accounts the cross-account rules compare ``account`` with, itself included, sorted."""
        return self.facts.operator_fleet(
            self.account.operator, including=account, network=self._fleet_network
        )

    def fleet_others(self, account: str) -> tuple[str, ...]:
        """The fleet without ``account``, sorted."""
        return self.facts.operator_accounts(
            self.account.operator, besides=account, network=self._fleet_network
        )


class MemoryHistory:
    """History kept in memory, ordered by time (replays, previews, the benchmarks). Once it holds more
    than ``INDEX_FROM`` posts it keeps a near-duplicate index, so a check stays fast against millions of
    posts; smaller histories are searched exactly and never load the index's compiled code."""

    #: Windows up to this many posts are scored exactly; larger ones go through the LSH index.
    EXACT_WINDOW = 256
    #: A fleet of more accounts than this goes through the index without counting its windows first
    #: (counting them costs two searches per account on every check).
    EXACT_FLEET = 64
    #: ``similar`` answers with at most this many posts, the most similar.
    MOST_SIMILAR = 50
    #: The index is built when the history grows past this many posts.
    INDEX_FROM = 4_096

    def __init__(self) -> None:
        self._by_account: dict[str, list[PastPost]] = defaultdict(list)
        self._times: dict[str, list[datetime]] = defaultdict(list)
        self._by_text: dict[str, list[PastPost]] = defaultdict(list)  # every account's posts, by text hash
        self._index: SimilarityIndex | None = None
        self._by_key: dict[str, PastPost] = {}
        self._keys: dict[int, str] = {}  # id(post) -> index key
        self._profiles: dict[int, Profile] = {}  # id(post) -> its profile, until there is an index
        self._usual = UsualFeatures()
        # The times of several accounts' posts together, for the fleets ``count_among`` was asked about,
        # and the lists each account's posts belong to.
        self._fleet_times: dict[tuple[str, ...], list[datetime]] = {}
        self._fleets_of: dict[str, list[list[datetime]]] = defaultdict(list)
        # Canonical link -> account -> its posts with the link, in time order.
        self._by_link: dict[str, dict[str, list[PastPost]]] = defaultdict(dict)

    def __len__(self) -> int:
        return len(self._by_key)

    def add(self, post: PastPost) -> None:
        times = self._times[post.account]
        index = bisect.bisect_right(times, post.at)
        times.insert(index, post.at)
        for fleet_times in self._fleets_of.get(post.account, ()):
            bisect.insort(fleet_times, post.at)
        self._by_account[post.account].insert(index, post)
        if post.text_hash:  # a text with no words is never the same text as another
            bisect.insort(self._by_text[post.text_hash], post, key=_post_time)
        key = str(len(self._by_key))
        self._by_key[key] = post
        self._usual.add(post.account, profile(post.text))
        self._keys[id(post)] = key
        if self._index is not None:
            self._index.add(key, post.text, account=post.account, at=post.at)
        elif len(self._by_key) > self.INDEX_FROM:
            self._build_index()
        else:
            self._profiles[id(post)] = profile(post.text)
        for link in links_in(post.text, post.links):
            linking = self._by_link[link].setdefault(post.account, [])
            if not linking or linking[-1].at <= post.at:
                linking.append(post)
            else:
                bisect.insort(linking, post, key=_post_time)

    def _build_index(self) -> None:
        from botwarden.similarity import SimilarityIndex

        self._index = SimilarityIndex()
        for key, post in self._by_key.items():
            self._index.add(key, post.text, account=post.account, at=post.at)
        self._profiles.clear()

    def posts_linking(self, link: str, since: datetime, until: datetime) -> list[PastPost]:
        """The latest post with the link of each account in the window: however many posts share a link,
        a check reads one per account."""
        latest = []
        for posts in self._by_link.get(link, {}).values():
            last = bisect.bisect_right(posts, until, key=_post_time) - 1
            if last >= 0 and posts[last].at >= since:
                latest.append(posts[last])
        latest.sort(key=_post_time)
        return latest

    def similar(
        self,
        text: str,
        accounts: Sequence[str],
        since: datetime,
        until: datetime,
        threshold: float,
        *,
        author: str | None = None,
    ) -> list[tuple[float, PastPost]]:
        mine = profile(text) if author is None else self._usual.adjusted(author, profile(text))
        if self._index is None:
            posts = (p for a in accounts for p in self.posts_between(a, since, until))
            scored = [(resemblance(mine, self._profiles[id(p)]), p) for p in posts]
            found = sorted(((s, p) for s, p in scored if s >= threshold), key=_best_first)
            return [(round(score, 4), post) for score, post in found[: self.MOST_SIMILAR]]
        if len(accounts) <= self.EXACT_FLEET and (windows := self._small_windows(accounts, since, until)):
            keys = [self._keys[id(p)] for a, lo, hi in windows for p in self._by_account[a][lo:hi]]
            matches = self._index.scan(mine, keys, threshold=threshold, limit=len(keys) or 1)
            pairs = [(m.key, m.score) for m in matches]
        else:
            pairs = self._index.query_keys(mine, accounts=accounts, since=since, threshold=threshold)
        by_key = self._by_key
        found = [(round(score, 4), p) for key, score in pairs if since <= (p := by_key[key]).at <= until]
        if len(found) > 1:
            found.sort(key=_best_first)
        return found[: self.MOST_SIMILAR]

    def _small_windows(
        self, accounts: Sequence[str], since: datetime, until: datetime
    ) -> list[tuple[str, int, int]] | None:
        """Each account's window, when together they are small enough to score exactly; else None (counting
        stops as soon as they are too big)."""
        windows, size = [], 0
        for account in accounts:
            lo, hi = self._window(account, since, until)
            windows.append((account, lo, hi))
            size += hi - lo
            if size > self.EXACT_WINDOW:
                return None
        return windows

    def _window(self, account: str, since: datetime, until: datetime) -> tuple[int, int]:
        times = self._times.get(account, [])
        return bisect.bisect_left(times, since), bisect.bisect_right(times, until)

    def posts_after(self, account: str, start: datetime, end: datetime) -> list[PastPost]:
        """The account's posts with start < at <= end, oldest first."""
        times = self._times.get(account)
        if not times:
            return []
        # A check asks about its own moment, after every post: no need to search for the end.
        last = len(times) if end >= times[-1] else bisect.bisect_right(times, end)
        return self._by_account[account][bisect.bisect_right(times, start) : last]

    def count_among(self, accounts: Sequence[str], start: datetime, end: datetime) -> int:
        """Counted in one list of the times of all ``accounts``' posts, kept from the first time these
        accounts are asked about (an app's accounts are asked about on every check of their posts)."""
        key = tuple(accounts)
        times = self._fleet_times.get(key)
        if times is None:
            times = sorted(t for account in set(key) for t in self._times.get(account, ()))
            self._fleet_times[key] = times
            for account in set(key):
                self._fleets_of[account].append(times)
        return bisect.bisect_right(times, end) - bisect.bisect_right(times, start)

    def posts_between(self, account: str, start: datetime, end: datetime) -> list[PastPost]:
        times = self._times[account]
        lo = bisect.bisect_left(times, start)
        hi = bisect.bisect_right(times, end)
        return self._by_account[account][lo:hi]

    def same_text(self, account: str, text_hash: str, since: datetime) -> PastPost | None:
        return self.same_text_among((account,), text_hash, since)

    def same_text_among(self, accounts: Sequence[str], text_hash: str, since: datetime) -> PastPost | None:
        earlier = self._by_text.get(text_hash) if text_hash else None
        if not earlier:
            return None
        wanted = set(accounts)
        for post in reversed(earlier):
            if post.at < since:
                return None
            if post.account in wanted:
                return post
        return None


def _best_first(pair: tuple[float, PastPost]) -> tuple[float, datetime]:
    return -pair[0], pair[1].at


def _post_time(post: PastPost) -> datetime:
    return post.at
