"""What an account usually says: the words and phrases of its recent posts, counted.

A feed bot repeats its own furniture in every post: a series name ("Design Systems London 2019 - …"), a
status template ("Anticheats: … => …"), the topic of the week. Sharing those with an earlier post says
nothing about whether a new post repeats it, so before a post is compared, the weight of each of its
features is divided by one more than the number of the account's recent posts, besides one (the post it
may repeat), that carry it. A feature in two of the last ``RECENT`` posts weighs half, in four a quarter,
one the account never used before keeps its weight.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable, Mapping

from botwarden.similarity.profile import Profile, discounted

#: How many of an account's latest posts say what it usually says.
RECENT = 32


class UsualFeatures:
    """Per account, how many of its ``RECENT`` latest posts carry each feature (kept as posts arrive)."""

    def __init__(self) -> None:
        self._recent: dict[str, deque[tuple[int, ...]]] = {}
        self._counts: dict[str, Counter[int]] = {}

    def add(self, account: str, found: Profile) -> None:
        recent = self._recent.setdefault(account, deque())
        counts = self._counts.setdefault(account, Counter())
        features = tuple(found.units)
        recent.append(features)
        counts.update(features)
        if len(recent) > RECENT:
            counts.subtract(recent.popleft())

    def counts(self, account: str) -> Mapping[int, int]:
        return self._counts.get(account, _NONE)

    def adjusted(self, account: str, found: Profile) -> Profile:
        """``found`` with the features ``account`` usually uses weighed down."""
        return with_usual(found, self.counts(account))


def count_usual(profiles: Iterable[Profile]) -> Counter[int]:
    """How many of ``profiles`` carry each feature (an account's latest posts, read at once)."""
    counts: Counter[int] = Counter()
    for found in profiles:
        counts.update(found.units)
    return counts


def with_usual(found: Profile, counts: Mapping[int, int]) -> Profile:
    if not counts:
        return found
    factors = {h: 1 / c for h in found.units if (c := counts.get(h, 0)) > 1}
    return discounted(found, factors) if factors else found


_NONE: Counter[int] = Counter()
