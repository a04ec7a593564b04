"""A fleet's recent posts, held in memory for the checks of a long-running process.

Reading every post of an operator's fleet in the window from the store and scoring each one on every
check costs time in proportion to the fleet (15 ms for 10 accounts, half a second for 300). The worker
and the HTTP check instead keep the window's posts here: a :class:`SimilarityIndex` of them, what each
account always says (``usual.py``) and who linked to what, built once from the store and kept current as
posts are recorded (``add``). A post is known by its history row's id, so a post seen twice (recorded by
this process, then read back with the others') is added once. Posts older than the window are let go
(``forget_before``), and the index is compacted once they are as many as the live ones. A small fleet's
posts are kept as profiles and scored one by one, without the index and its compiled code (a process
that checks a few posts does not wait for them to load), until there are ``INDEX_FROM`` of them.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING

from botwarden.compose.links import links_in
from botwarden.similarity.profile import Profile, profile, resemblance
from botwarden.similarity.usual import UsualFeatures

if TYPE_CHECKING:
    from botwarden.similarity.index import SimilarityIndex


class RecentPosts:
    #: Posts held as profiles before they go into an index.
    INDEX_FROM = 4_096

    def __init__(self) -> None:
        self.index: SimilarityIndex | None = None
        self._small: dict[int, tuple[str, datetime, Profile]] = {}  # until there is an index
        self.usual = UsualFeatures()
        self.newest_id = 0  # the highest history id seen: the store is read for posts after it
        self._times: list[tuple[datetime, int]] = []  # (at, id) of every post held, in time order
        # canonical link -> account -> (at, id) of its latest post with the link
        self._links: dict[str, dict[str, tuple[datetime, int]]] = {}

    def __len__(self) -> int:
        return len(self.index) if self.index is not None else len(self._small)

    def __contains__(self, post_id: int) -> bool:
        return str(post_id) in self.index if self.index is not None else post_id in self._small

    def add(
        self,
        post_id: int,
        account: str,
        at: datetime,
        text: str,
        links: tuple[str, ...] = (),
        *,
        stored: bytes | None = None,
    ) -> None:
        """Hold a post (once: a post already held is left as it is). Its ``stored`` profile, where it has
        one of this version, spares working it out from the text."""
        self.newest_id = max(self.newest_id, post_id)
        if post_id in self:
            return
        found = (Profile.from_bytes(stored) if stored else None) or profile(text)
        if self.index is not None:
            self.index.add(str(post_id), found, account=account, at=at)
        else:
            self._small[post_id] = (account, at, found)
            if len(self._small) > self.INDEX_FROM:
                self._build_index()
        self.usual.add(account, found)
        bisect.insort(self._times, (at, post_id))
        for link in links_in(text, links):
            latest = self._links.setdefault(link, {})
            if account not in latest or latest[account][0] <= at:
                latest[account] = (at, post_id)

    def similar(
        self,
        text: str,
        accounts: Collection[str],
        since: datetime,
        threshold: float,
        *,
        author: str | None = None,
    ) -> list[tuple[int, float]]:
        """History ids and scores of held posts of ``accounts`` at or after ``since`` at least ``threshold``
        similar to ``text``; what ``author`` always says weighs nothing."""
        mine = profile(text) if author is None else self.usual.adjusted(author, profile(text))
        if self.index is None:
            wanted = set(accounts)
            scored = (
                (post_id, resemblance(mine, theirs))
                for post_id, (account, at, theirs) in self._small.items()
                if account in wanted and at >= since
            )
            return [(post_id, score) for post_id, score in scored if score >= threshold]
        fleet = accounts if isinstance(accounts, tuple) else tuple(sorted(accounts))
        found = self.index.query_keys(mine, accounts=fleet, since=since, threshold=threshold)
        return [(int(key), score) for key, score in found]

    def _build_index(self) -> None:
        from botwarden.similarity.index import SimilarityIndex

        self.index = SimilarityIndex()
        for post_id, (account, at, found) in self._small.items():
            self.index.add(str(post_id), found, account=account, at=at)
        self._small = {}

    def linking(self, link: str, since: datetime, until: datetime) -> list[tuple[str, datetime, int]]:
        """(account, at, id) of each account's latest held post with ``link`` in the window."""
        return [
            (account, at, post_id)
            for account, (at, post_id) in self._links.get(link, {}).items()
            if since <= at <= until
        ]

    def forget(self, post_id: int) -> None:
        """Let go of one post (deleted, or not to be seen yet); its links stay until the window passes."""
        if self.index is not None:
            self.index.remove(str(post_id))
        else:
            self._small.pop(post_id, None)
        self._times = [(at, held) for at, held in self._times if held != post_id]

    def forget_before(self, moment: datetime) -> int:
        """Let go of the posts before ``moment``; returns how many. The index is compacted when the posts
        let go since its last compaction are as many as the live ones."""
        cut = bisect.bisect_left(self._times, (moment, -1))
        gone, self._times = self._times[:cut], self._times[cut:]
        for _, post_id in gone:
            if self.index is not None:
                self.index.remove(str(post_id))
            else:
                self._small.pop(post_id, None)
        if gone:
            self._links = {
                link: kept
                for link, latest in self._links.items()
                if (kept := {a: v for a, v in latest.items() if v[0] >= moment})
            }
            if self.index is not None and self.index.dead >= max(len(self.index), 1024):
                self.index.compact()
        return len(gone)
