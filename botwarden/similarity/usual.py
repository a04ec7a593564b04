"""What an account always says: the words and phrases in at least half of its recent posts.

A feed bot repeats its own furniture in post after post: a status template ("Anticheats: … => …
Notes: …"), a sign-off, a standing kicker. Sharing that with an earlier post says nothing about whether
a new post repeats it, so before a post is compared, the features in at least ``SHARE`` of the account's
``RECENT`` latest posts (and in ``AT_LEAST`` of them) are left out of it. The bar is high on purpose:
a burst of copies of one story among an account's ordinary posts never reaches it, so repeating a story
never makes it the account's furniture.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable, Mapping

from botwarden.similarity.profile import Profile, without

#: How many of an account's latest posts say what it always says.
RECENT = 32
#: A feature in this share of them is furniture ...
SHARE = 0.5
#: ... and in at least this many.
AT_LEAST = 8


class UsualFeatures:
    """Per account, how many of its ``RECENT`` latest posts carry each feature (kept as posts arrive)."""

    def __init__(self) -> None:
        self._recent: dict[str, deque[tuple[int, ...]]] = {}
        self._counts: dict[str, Counter[int]] = {}

    def add(self, account: str, found: Profile) -> None:
        recent = self._recent.setdefault(account, deque())
        counts = self._counts.setdefault(account, Counter())
        features = tuple(found.feats.tolist())
        recent.append(features)
        counts.update(features)
        if len(recent) > RECENT:
            counts.subtract(recent.popleft())

    def adjusted(self, account: str, found: Profile) -> Profile:
        """``found`` without the features ``account`` always uses."""
        recent = self._recent.get(account)
        return with_usual(found, self._counts[account], len(recent)) if recent else found


def count_usual(profiles: Iterable[Profile]) -> tuple[Counter[int], int]:
    """How many of ``profiles`` carry each feature (an account's latest posts, read at once), and how
    many profiles there were."""
    counts: Counter[int] = Counter()
    posts = 0
    for found in profiles:
        counts.update(found.feats.tolist())
        posts += 1
    return counts, posts


def with_usual(found: Profile, counts: Mapping[int, int], posts: int) -> Profile:
    """``found`` without the features in at least ``SHARE`` of the ``posts`` that ``counts`` counted."""
    bar = max(AT_LEAST, SHARE * posts)
    if posts < AT_LEAST:
        return found
    furniture = {h for h in found.feats.tolist() if counts.get(h, 0) >= bar}
    return without(found, furniture) if furniture else found
