"""A fleet's recent posts, held in memory for the checks of a long-running process.

Reading every post of an operator's fleet in the window from the store and scoring each one on every
check costs time in proportion to the fleet (15 ms for 10 accounts, half a second for 300). The worker
and the HTTP check instead keep the window's posts here: a :class:`SimilarityIndex` of them, what each
account always says (``usual.py``) and who linked to what, built once from the store and kept current as
posts are recorded (``add``). A post is known by its history row's id, so a post seen twice (recorded by
this process, then read back with the others') is added once. Posts older than the window are let go
(``forget_before``), and the index is compacted once they are as many as the live ones.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection
from datetime import datetime

from botwarden.compose.links import links_in
from botwarden.similarity.index import SimilarityIndex
from botwarden.similarity.profile import Profile, profile
from botwarden.similarity.usual import UsualFeatures


class RecentPosts:
    def __init__(self) -> None:
        self.index = SimilarityIndex()
        self.usual = UsualFeatures()
        self.newest_id = 0  # the highest history id seen: the store is read for posts after it
        self._times: list[tuple[datetime, int]] = []  # (at, id) of every post held, in time order
        # canonical link -> account -> (at, id) of its latest post with the link
        self._links: dict[str, dict[str, tuple[datetime, int]]] = {}

    def __len__(self) -> int:
        return len(self.index)

    def __contains__(self, post_id: int) -> bool:
        return str(post_id) in self.index

    def add(self, post_id: int, account: str, at: datetime, text: str, links: tuple[str, ...] = ()) -> None:
        """Hold a post (once: a post already held is left as it is)."""
        self.newest_id = max(self.newest_id, post_id)
        key = str(post_id)
        if key in self.index:
            return
        self.index.add(key, text, account=account, at=at)
        self.usual.add(account, profile(text))
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
        mine: str | Profile = text if author is None else self.usual.adjusted(author, profile(text))
        found = self.index.query_keys(
            mine, accounts=tuple(sorted(accounts)), since=since, threshold=threshold
        )
        return [(int(key), score) for key, score in found]

    def linking(self, link: str, since: datetime, until: datetime) -> list[tuple[str, datetime, int]]:
        """(account, at, id) of each account's latest held post with ``link`` in the window."""
        return [
            (account, at, post_id)
            for account, (at, post_id) in self._links.get(link, {}).items()
            if since <= at <= until
        ]

    def forget_before(self, moment: datetime) -> int:
        """Let go of the posts before ``moment``; returns how many. The index is compacted when the posts
        let go since its last compaction are as many as the live ones."""
        cut = bisect.bisect_left(self._times, (moment, -1))
        gone, self._times = self._times[:cut], self._times[cut:]
        for _, post_id in gone:
            self.index.remove(str(post_id))
        if gone:
            self._links = {
                link: kept
                for link, latest in self._links.items()
                if (kept := {a: v for a, v in latest.items() if v[0] >= moment})
            }
            if self.index.dead >= max(len(self.index), 1024):
                self.index.compact()
        return len(gone)
