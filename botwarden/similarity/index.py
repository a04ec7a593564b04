"""Near-duplicate search over millions of posts: posts filed under pairs of their rarest words, every
candidate scored exactly.

A post is its profile (``profile.py``): weighted terms and phrases, its numbers and its content words. It
is filed in a bucket for every pair of its ``KEYS`` rarest content words, rarest meaning in the fewest
indexed posts (a table of word counts is kept as posts arrive; counted in powers of two, ties broken by
rarity in ordinary language), so a query looks in a few dozen small buckets and finds every indexed post
that shares two of its rarest words with it, which substantially similar posts do: they are about the
same names and things, whatever else they say. Each candidate is
then scored exactly with the measure of ``profile.resemblance`` (the same arithmetic, compiled), so a
match is never a guess: what is returned really is that similar.

Storage is flat numpy arrays: each post's features with one-byte weights, its numbers, owner and time, and
its bucket entries in a sorted main table with a directory, plus a small hash table of recent entries that
is merged into the main one when it has grown to a sixteenth of it (a few microseconds an insert,
amortised). ``bench/similarity.py`` measures it against datasketch's and rensa's MinHash LSH.
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from botwarden.similarity import lazy_module
from botwarden.similarity.profile import CONTENT_UNITS, MIN_SHARED, SHORT, Profile, profile

if TYPE_CHECKING:
    from botwarden.similarity import kernels
else:
    kernels = lazy_module("botwarden.similarity.kernels")

FORMAT = 3  # of save(); load() refuses other versions (their features differ)
KEYS = 6  # the rarest content words of a post: every pair of them is one of its buckets
# A query looks under every pair of more of its rarest words: which words are rarest shifts a little as
# posts arrive, so a near-copy's pair may sit one or two places further down the query's list.
QUERY_KEYS = 8
_MIN_MERGE, _MAX_MERGE = 1_024, 65_536  # recent posts merged at once: at least, at most
_NO_OWNERS = np.empty(0, dtype=np.uint32)
_NO_SCORES = np.empty(0, dtype=np.float64)
# What the kernels read of the stored posts, in their argument order.
_Stored = tuple[
    np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
    np.ndarray, np.ndarray, np.ndarray, np.ndarray,
]  # fmt: skip
# Per-post arrays, grown together: name -> dtype.
_PER_POST = {
    "owner": np.uint32,
    "at": np.uint32,  # seconds since the epoch, UTC (good until 2106)
    "alive": np.uint8,
    "squares": np.int64,
    "normals": np.uint64,
    "contents": np.uint16,
    "sequences": np.uint64,
}


@dataclass(frozen=True, slots=True)
class Match:
    key: str
    account: str
    score: float
    at: datetime


class SimilarityIndex:
    """Posts by key, searchable for near-duplicates per account, per set of accounts, within a time window."""

    def __init__(self) -> None:
        self._keys: list[str] = []
        self._ids: dict[str, int] = {}
        self._account_names: list[str] = []
        self._account_ids: dict[str, int] = {}
        self._owner_sets: dict[tuple[str, ...], np.ndarray] = {}
        self._owners_by_id: dict[int, tuple[Collection[str], np.ndarray]] = {}
        self._dead = 0
        self._posts = {name: np.zeros(1024, dtype=dtype) for name, dtype in _PER_POST.items()}
        self._feat_start = np.zeros(1025, dtype=np.uint32)
        self._feats = np.empty(16_384, dtype=np.uint32)
        self._units = np.empty(16_384, dtype=np.uint8)
        self._number_start = np.zeros(1025, dtype=np.uint32)
        self._numbers = np.empty(4_096, dtype=np.uint32)
        self._main_keys = np.empty(0, dtype=np.uint32)
        self._main_ids = np.empty(0, dtype=np.uint32)
        self._shift = _shift_for(0)
        self._directory = kernels.directory_for(self._main_keys, self._shift)
        self._recent_keys = np.full(1024, kernels.EMPTY, dtype=np.uint32)
        self._recent_ids = np.full(1024, kernels.EMPTY, dtype=np.uint32)
        self._recent_entries = 0
        self._recent_posts = 0
        self._df_keys = np.full(1024, kernels.EMPTY, dtype=np.uint32)
        self._df_counts = np.zeros(1024, dtype=np.uint32)
        self._df_words = 0

    def __len__(self) -> int:
        return len(self._keys) - self._dead

    def __contains__(self, key: object) -> bool:
        return key in self._ids

    # -- writing --------------------------------------------------------------------------------------

    @property
    def dead(self) -> int:
        """How many removed posts still take room (``compact`` gives it back)."""
        return self._dead

    def add(self, key: str, text: str | Profile, *, account: str, at: datetime) -> None:
        """Index a post by its text, or by its profile (``Profile.from_bytes`` of a stored one)."""
        if key in self._ids:
            self.remove(key)
        self._insert(key, text if isinstance(text, Profile) else profile(text), account, _seconds(at))

    def _insert(self, key: str, found: Profile, account: str, seconds: int) -> None:
        post = len(self._keys)
        words = found.words
        keys = kernels.choose_keys(words, self._df_keys, self._df_counts, KEYS, False)
        buckets = kernels.pair_keys(keys) if len(keys) else keys
        self._count_words(words)
        self._make_room(post, len(found.feats), len(found.numbers), len(buckets))
        posts = self._posts
        posts["owner"][post] = self._owner_id(account)
        posts["at"][post] = seconds
        posts["alive"][post] = 1
        posts["squares"][post] = found.squares
        posts["normals"][post] = found.normal_hash
        posts["contents"][post] = min(found.content, 65_535)
        posts["sequences"][post] = found.sequence
        start = int(self._feat_start[post])
        self._feats[start : start + len(found.feats)] = found.feats
        self._units[start : start + len(found.feats)] = found.units
        self._feat_start[post + 1] = start + len(found.feats)
        start = int(self._number_start[post])
        self._numbers[start : start + len(found.numbers)] = found.numbers
        self._number_start[post + 1] = start + len(found.numbers)
        self._keys.append(key)
        self._ids[key] = post
        if len(buckets):
            kernels.recent_put(self._recent_keys, self._recent_ids, buckets, post)
            self._recent_entries += len(buckets)
            self._recent_posts += 1
            if self._recent_posts >= min(_MAX_MERGE, max(_MIN_MERGE, len(self._main_keys) // 256)):
                self._merge()

    def _count_words(self, words: np.ndarray) -> None:
        if 2 * (self._df_words + len(words)) > len(self._df_keys):
            size = len(self._df_keys)
            while 2 * (self._df_words + len(words)) > size:
                size *= 2
            self._df_keys, self._df_counts = kernels.df_regrow(self._df_keys, self._df_counts, size)
        self._df_words += kernels.df_add(self._df_keys, self._df_counts, words)

    def compact(self) -> None:
        """Give back the room removed posts take: the live posts are filed anew, in their order."""
        fresh = SimilarityIndex()
        posts, names = self._posts, self._account_names
        for key, post in sorted(self._ids.items(), key=lambda item: item[1]):
            fresh._insert(
                key, self._stored_profile(post), names[posts["owner"][post]], int(posts["at"][post])
            )
        fresh._merge()
        self.__dict__.update(fresh.__dict__)

    def _stored_profile(self, post: int) -> Profile:
        """The profile of an indexed post, from what the index holds of it (its text is not kept)."""
        feats = self._feats[self._feat_start[post] : self._feat_start[post + 1]].copy()
        units = self._units[self._feat_start[post] : self._feat_start[post + 1]].copy()
        numbers = self._numbers[self._number_start[post] : self._number_start[post + 1]].copy()
        posts = self._posts
        return Profile(
            "",
            int(posts["normals"][post]),
            feats,
            units,
            int(posts["squares"][post]),
            numbers,
            int(posts["contents"][post]),
            int(posts["sequences"][post]),
            kernels.content_words(feats, units, numbers, CONTENT_UNITS),
            dict(zip(feats.tolist(), units.tolist(), strict=True)),
        )

    def _owner_id(self, account: str) -> int:
        owner = self._account_ids.get(account)
        if owner is None:
            owner = self._account_ids[account] = len(self._account_names)
            self._account_names.append(account)
            self._owner_sets.clear()  # a name asked for before may be known now
            self._owners_by_id.clear()
        return owner

    def _make_room(self, post: int, feats: int, numbers: int, buckets: int) -> None:
        """Grow the arrays (doubling) so that post ``post`` fits, and keep the recent table at most half
        full."""
        if post >= len(self._posts["owner"]):
            size = max(1024, 2 * len(self._posts["owner"]))  # a loaded index's arrays are exactly full
            self._posts = {name: _resized(array, size) for name, array in self._posts.items()}
            self._feat_start = _resized(self._feat_start, size + 1)
            self._number_start = _resized(self._number_start, size + 1)
        needed = int(self._feat_start[post]) + feats
        if needed > len(self._feats):
            self._feats = _resized(self._feats, max(needed, 2 * len(self._feats)))
            self._units = _resized(self._units, len(self._feats))
        needed = int(self._number_start[post]) + numbers
        if needed > len(self._numbers):
            self._numbers = _resized(self._numbers, max(needed, 2 * len(self._numbers)))
        if 2 * (self._recent_entries + buckets) > len(self._recent_keys):
            size = len(self._recent_keys)
            while 2 * (self._recent_entries + buckets) > size:
                size *= 2
            self._recent_keys, self._recent_ids = kernels.recent_regrow(
                self._recent_keys, self._recent_ids, size
            )

    def remove(self, key: str) -> None:
        post = self._ids.pop(key, None)
        if post is not None and self._posts["alive"][post]:
            self._posts["alive"][post] = 0
            self._dead += 1

    def _merge(self) -> None:
        """Fold the recent table into the sorted main table and rebuild its directory (about 16 entries
        under each directory slot)."""
        if not self._recent_entries:
            return
        self._shift = _shift_for(len(self._main_keys) + self._recent_entries)
        self._main_keys, self._main_ids, self._directory = kernels.merge(
            self._main_keys, self._main_ids, self._recent_keys, self._recent_ids, self._shift
        )
        self._recent_keys = np.full(1024, kernels.EMPTY, dtype=np.uint32)
        self._recent_ids = np.full(1024, kernels.EMPTY, dtype=np.uint32)
        self._recent_entries = self._recent_posts = 0

    # -- reading --------------------------------------------------------------------------------------

    def query(
        self,
        text: str | Profile,
        *,
        account: str | None = None,
        accounts: Collection[str] | None = None,
        since: datetime | None = None,
        threshold: float = 0.5,
        limit: int = 10,
    ) -> list[Match]:
        """Indexed posts at least ``threshold`` similar to ``text`` (``profile.resemblance``), best first.

        ``account`` or ``accounts`` narrow the search to those accounts' posts, ``since`` to posts at or
        after it. A post is found when it shares two of its rarest words with ``text`` (see the module
        doc); ``scan`` scores given posts without that condition.
        """
        posts, scores = self._search(text, account, accounts, since, threshold)
        return self._matches(posts, scores, limit)

    def query_keys(
        self,
        text: str | Profile,
        *,
        accounts: Collection[str] | None = None,
        since: datetime | None = None,
        threshold: float = 0.5,
    ) -> list[tuple[str, float]]:
        """What ``query`` finds as (key, unrounded score) pairs, in no order and without a limit: for a
        caller that keeps its own record of each key (the in-memory history), which then need not pay for
        matches it would only unpack."""
        posts, scores = self._search(text, None, accounts, since, threshold)
        if not len(posts):
            return []
        keys = self._keys
        return [(keys[post], score) for post, score in zip(posts.tolist(), scores.tolist(), strict=True)]

    def _search(
        self,
        text: str | Profile,
        account: str | None,
        accounts: Collection[str] | None,
        since: datetime | None,
        threshold: float,
    ) -> tuple[np.ndarray, np.ndarray]:
        owners = self._owners(account, accounts)
        if owners is not None and not len(owners):
            return _NO_OWNERS, _NO_SCORES
        found = text if isinstance(text, Profile) else profile(text)
        return kernels.query(
            found.words, self._df_keys, self._df_counts, QUERY_KEYS, found.feats, found.units, found.numbers,
            found.squares, np.uint64(found.normal_hash), found.content, np.uint64(found.sequence),
            self._main_keys,
            self._main_ids, self._directory, self._shift, self._recent_keys, self._recent_ids,
            *self._stored(), _NO_OWNERS if owners is None else owners, owners is None,
            _seconds(since) if since is not None else 0, threshold, MIN_SHARED, CONTENT_UNITS, SHORT,
        )  # fmt: skip

    def _stored(self) -> _Stored:
        posts = self._posts
        return (
            self._feats, self._units, self._feat_start, self._numbers, self._number_start, posts["squares"],
            posts["normals"], posts["contents"], posts["sequences"], posts["owner"], posts["at"],
            posts["alive"],
        )  # fmt: skip

    def scan(
        self,
        text: str | Profile,
        keys: Iterable[str],
        *,
        threshold: float = 0.0,
        limit: int = 10,
    ) -> list[Match]:
        """Score ``text`` against the given indexed keys, every one of them (for small windows, where a
        post that shares fewer than two rare words with ``text`` should still be scored)."""
        ids = self._ids
        wanted = np.unique(np.array([ids[k] for k in keys if k in ids], dtype=np.uint32))
        if not len(wanted):
            return []
        found = text if isinstance(text, Profile) else profile(text)
        posts, scores = kernels.score_posts(
            found.feats, found.units, found.numbers, found.squares, np.uint64(found.normal_hash),
            found.content, np.uint64(found.sequence), wanted, *self._stored(), _NO_OWNERS, True, 0,
            threshold, MIN_SHARED, CONTENT_UNITS, SHORT,
        )  # fmt: skip
        return self._matches(posts, scores, limit)

    def _owners(self, account: str | None, accounts: Collection[str] | None) -> np.ndarray | None:
        """The account ids to search, sorted. Remembered by the collection itself (a fleet asks with the
        same tuple each time, and hashing a thousand names costs more than the search), then by value."""
        if account is None and accounts is None:
            return None
        names = (account,) if account is not None else accounts
        seen = self._owners_by_id.get(id(names))
        if seen is not None and seen[0] is names:
            return seen[1]
        if len(self._owner_sets) >= 1024 or len(self._owners_by_id) >= 1024:
            self._owner_sets.clear()
            self._owners_by_id.clear()
        key = tuple(names or ())
        found = self._owner_sets.get(key)
        if found is None:
            known = self._account_ids
            found = np.unique(np.array([known[n] for n in key if n in known], dtype=np.uint32))
            self._owner_sets[key] = found
        if account is None and isinstance(names, tuple | frozenset):
            # Immutable, so what was worked out stays true; the reference keeps the id from being reused.
            self._owners_by_id[id(names)] = (names, found)
        return found

    def _matches(self, posts: np.ndarray, scores: np.ndarray, limit: int) -> list[Match]:
        if not len(posts):  # most queries: nothing similar enough
            return []
        keys, names = self._keys, self._account_names
        owner, at = self._posts["owner"].item, self._posts["at"].item
        # Element by element: most answers hold one or two posts, where numpy's fancy indexing costs more.
        matches = [
            Match(keys[post], names[owner(post)], round(score, 4), datetime.fromtimestamp(at(post), UTC))
            for post, score in zip(posts.tolist(), scores.tolist(), strict=True)
        ]
        if len(matches) > 1:
            matches.sort(key=_best_first)
        return matches[:limit]

    # -- size and persistence -------------------------------------------------------------------------

    @property
    def nbytes(self) -> int:
        """Memory held by the index: the used part of its arrays, and the keys with their lookup dict."""
        posts = len(self._keys)
        arrays = sum(posts * array.itemsize for array in self._posts.values())
        arrays += posts * (self._feat_start.itemsize + self._number_start.itemsize)
        arrays += int(self._feat_start[posts]) * (self._feats.itemsize + self._units.itemsize)
        arrays += int(self._number_start[posts]) * self._numbers.itemsize
        buckets = self._main_keys.nbytes + self._main_ids.nbytes + self._directory.nbytes
        buckets += self._recent_keys.nbytes + self._recent_ids.nbytes
        buckets += self._df_keys.nbytes + self._df_counts.nbytes
        keys = sys.getsizeof(self._keys) + sys.getsizeof(self._ids)
        keys += sum(sys.getsizeof(k) for k in self._keys) + 28 * len(self._ids)  # the ids' int objects
        return arrays + buckets + keys

    def save(self, path: str | Path) -> None:
        """Write the index to ``path`` (numpy .npz) so another process or a restart can load it."""
        self._merge()
        posts = len(self._keys)
        per_post: dict[str, Any] = {name: array[:posts] for name, array in self._posts.items()}
        np.savez(
            Path(path),
            format=np.array(FORMAT),
            main_keys=self._main_keys,
            main_ids=self._main_ids,
            df_keys=self._df_keys,
            df_counts=self._df_counts,
            feats=self._feats[: self._feat_start[posts]],
            units=self._units[: self._feat_start[posts]],
            feat_start=self._feat_start[: posts + 1],
            numbers=self._numbers[: self._number_start[posts]],
            number_start=self._number_start[: posts + 1],
            keys=np.array("\n".join(self._keys).encode()),
            accounts=np.array("\n".join(self._account_names).encode()),
            **per_post,
        )

    @classmethod
    def load(cls, path: str | Path) -> SimilarityIndex:
        """An index written by ``save``. Raises ValueError for a file of another format version."""
        with np.load(Path(path)) as data:
            found = int(data["format"]) if "format" in data else 1
            if found != FORMAT:
                raise ValueError(f"{path}: similarity index format {found}, this version reads {FORMAT}")
            index = cls()
            index._main_keys = data["main_keys"]
            index._main_ids = data["main_ids"]
            index._df_keys = data["df_keys"].copy()
            index._df_counts = data["df_counts"].copy()
            index._posts = {name: data[name].copy() for name in _PER_POST}
            for name in ("feats", "units", "feat_start", "numbers", "number_start"):
                setattr(index, f"_{name}", data[name].copy())
            raw_keys = data["keys"].item().decode()
            raw_accounts = data["accounts"].item().decode()
        index._keys = raw_keys.split("\n") if raw_keys else []
        alive = index._posts["alive"]
        index._ids = {k: i for i, k in enumerate(index._keys) if alive[i]}
        index._dead = len(index._keys) - len(index._ids)
        index._df_words = int(np.count_nonzero(index._df_keys != kernels.EMPTY))
        index._account_names = raw_accounts.split("\n") if raw_accounts else []
        index._account_ids = {a: i for i, a in enumerate(index._account_names)}
        index._shift = _shift_for(len(index._main_keys))
        index._directory = kernels.directory_for(index._main_keys, index._shift)
        return index


def _shift_for(entries: int) -> int:
    """The directory's shift for a main table of ``entries``: about 16 entries under each slot."""
    return 32 - min(24, max(8, (entries // 16).bit_length()))


def _resized(array: np.ndarray, size: int) -> np.ndarray:
    grown = np.zeros(size, dtype=array.dtype)
    grown[: min(len(array), size)] = array[:size]
    return grown


def _best_first(match: Match) -> tuple[float, str]:
    return -match.score, match.key


def _seconds(at: datetime) -> int:
    if at.tzinfo is None:
        raise ValueError("the index needs aware datetimes (UTC)")
    return max(0, int(at.timestamp()))
