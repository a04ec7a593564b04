"""Near-duplicate search over millions of posts: MinHash LSH on word sets, verified exactly.

A post is its set of normalised words. Each set gets a MinHash signature of ``BANDS × ROWS`` values, and
every band of ``ROWS`` values is folded into one 32-bit bucket key. Two posts with Jaccard similarity ``s``
share at least one bucket with probability ``1 - (1 - s**ROWS)**BANDS``: 90 % at s = 0.6, 98.9 % at
s = 0.7 and all but certain at s = 0.9, while two unrelated posts (s below 0.1) almost never do. Every
candidate is then scored exactly against its stored word hashes, so a match is never a guess: what is
returned really is that similar.

Storage is flat numpy arrays (128 bytes of bucket entries a post, plus its word hashes, owner and time),
and the inner loops are compiled (``kernels.py``); this class keeps the keys and account names and the
arrays' sizes. New bucket entries go to a small hash table that is merged into the sorted main table when
it has grown to a sixteenth of it, so the merge costs a few microseconds an insert, amortised.
``bench/similarity.py`` measures all of it against datasketch's MinHashLSH.
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from botwarden.similarity import kernels
from botwarden.similarity.normalize import folded
from botwarden.similarity.stopwords import STOPWORDS

FORMAT = 2  # of save(); load() refuses other versions (their word hashes differ)
_STOP_HASHES = kernels.stop_hashes(" ".join(sorted(STOPWORDS)).encode())
_HASH_ARGS = (_STOP_HASHES, kernels.MULTIPLIERS, kernels.OFFSETS, kernels.FOLD)
_MIN_MERGE, _MAX_MERGE = 1_024, 65_536  # recent posts merged at once: at least, at most
_NO_OWNERS = np.empty(0, dtype=np.uint32)
_NO_SCORES = np.empty(0, dtype=np.float64)


@dataclass(frozen=True, slots=True)
class Match:
    key: str
    account: str
    score: float
    at: datetime


def _encoded(text: str) -> bytes:
    """The normalised words of ``text`` as UTF-8 separated by ASCII whitespace, for the kernels."""
    text = folded(text)
    if not text.isascii():
        text = " ".join(text.split())  # Unicode spaces too, as str.split() sees them
    return text.encode()


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
        self._owner = np.empty(1024, dtype=np.uint32)
        self._at = np.empty(1024, dtype=np.uint32)  # seconds since the epoch, UTC (good until 2106)
        self._alive = np.zeros(1024, dtype=np.uint8)
        self._word_start = np.zeros(1025, dtype=np.uint32)
        self._words = np.empty(16_384, dtype=np.uint32)
        self._main_keys = np.empty(0, dtype=np.uint32)
        self._main_ids = np.empty(0, dtype=np.uint32)
        self._shift = _shift_for(0)
        self._directory = kernels.directory_for(self._main_keys, self._shift)
        self._recent_keys = np.full(1024, kernels.EMPTY, dtype=np.uint32)
        self._recent_ids = np.full(1024, kernels.EMPTY, dtype=np.uint32)
        self._recent_entries = 0
        self._recent_posts = 0

    def __len__(self) -> int:
        return len(self._keys) - self._dead

    def __contains__(self, key: object) -> bool:
        return key in self._ids

    # -- writing --------------------------------------------------------------------------------------

    def add(self, key: str, text: str, *, account: str, at: datetime) -> None:
        if key in self._ids:
            self.remove(key)
        encoded = _encoded(text)
        post = len(self._keys)
        self._make_room(post, len(encoded))
        owner = self._account_ids.get(account)
        if owner is None:
            owner = self._account_ids[account] = len(self._account_names)
            self._account_names.append(account)
            self._owner_sets.clear()  # a name asked for before may be known now
            self._owners_by_id.clear()
        distinct = kernels.add_post(
            encoded, *_HASH_ARGS, post, owner, _seconds(at), self._owner, self._at, self._alive,
            self._words, self._word_start, self._recent_keys, self._recent_ids,
        )  # fmt: skip
        self._keys.append(key)
        self._ids[key] = post
        if distinct:
            self._recent_entries += kernels.BANDS
            self._recent_posts += 1
            if self._recent_posts >= min(_MAX_MERGE, max(_MIN_MERGE, len(self._main_keys) // 256)):
                self._merge()

    def _make_room(self, post: int, text_bytes: int) -> None:
        """Grow the arrays (doubling) so that post ``post`` fits, with at most ``text_bytes // 2 + 1``
        words, and the recent table stays at most half full."""
        if post >= len(self._owner):
            size = max(1024, 2 * len(self._owner))  # a loaded index's arrays are exactly full, or empty
            self._owner = _resized(self._owner, size)
            self._at = _resized(self._at, size)
            self._alive = _resized(self._alive, size)
            self._word_start = _resized(self._word_start, size + 1)
        needed = int(self._word_start[post]) + text_bytes // 2 + 1
        if needed > len(self._words):
            self._words = _resized(self._words, max(needed, 2 * len(self._words)))
        if 2 * (self._recent_entries + kernels.BANDS) > len(self._recent_keys):
            self._recent_keys, self._recent_ids = kernels.recent_regrow(
                self._recent_keys, self._recent_ids, 2 * len(self._recent_keys)
            )

    def remove(self, key: str) -> None:
        post = self._ids.pop(key, None)
        if post is not None and self._alive[post]:
            self._alive[post] = 0
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
        text: str,
        *,
        account: str | None = None,
        accounts: Collection[str] | None = None,
        since: datetime | None = None,
        threshold: float = 0.5,
        limit: int = 10,
    ) -> list[Match]:
        """Indexed posts at least ``threshold`` similar to ``text`` (Jaccard of word sets), best first.

        ``account`` or ``accounts`` narrow the search to those accounts' posts, ``since`` to posts at or
        after it. Tuned for thresholds of 0.7 and above; below 0.5 recall drops (see the module doc).
        """
        posts, scores = self._search(text, account, accounts, since, threshold)
        return self._matches(posts, scores, limit)

    def query_keys(
        self,
        text: str,
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
        text: str,
        account: str | None,
        accounts: Collection[str] | None,
        since: datetime | None,
        threshold: float,
    ) -> tuple[np.ndarray, np.ndarray]:
        owners = self._owners(account, accounts)
        if owners is not None and not len(owners):
            return _NO_OWNERS, _NO_SCORES
        return kernels.query(
            _encoded(text), *_HASH_ARGS, self._main_keys, self._main_ids, self._directory, self._shift,
            self._recent_keys, self._recent_ids, self._words, self._word_start, self._owner, self._at,
            self._alive, _NO_OWNERS if owners is None else owners, owners is None,
            _seconds(since) if since is not None else 0, threshold,
        )  # fmt: skip

    def scan(
        self,
        text: str,
        keys: Iterable[str],
        *,
        threshold: float = 0.0,
        limit: int = 10,
    ) -> list[Match]:
        """Score ``text`` exactly against the given indexed keys (for small windows, where LSH's small
        chance of a miss is not worth taking)."""
        ids = self._ids
        wanted = np.unique(np.array([ids[k] for k in keys if k in ids], dtype=np.uint32))
        hashes = kernels.word_set(_encoded(text), _STOP_HASHES)
        if not len(hashes) or not len(wanted):
            return []
        posts, scores = kernels.score_posts(
            hashes, wanted, self._words, self._word_start, self._owner, self._at, self._alive,
            _NO_OWNERS, True, 0, threshold,
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
        keys, names, owner, at = self._keys, self._account_names, self._owner.item, self._at.item
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
        per_post = self._owner.itemsize + self._at.itemsize + self._alive.itemsize + self._word_start.itemsize
        arrays = posts * per_post + int(self._word_start[posts]) * self._words.itemsize
        buckets = self._main_keys.nbytes + self._main_ids.nbytes + self._directory.nbytes
        buckets += self._recent_keys.nbytes + self._recent_ids.nbytes
        keys = sys.getsizeof(self._keys) + sys.getsizeof(self._ids)
        keys += sum(sys.getsizeof(k) for k in self._keys) + 28 * len(self._ids)  # the ids' int objects
        return arrays + buckets + keys

    def save(self, path: str | Path) -> None:
        """Write the index to ``path`` (numpy .npz) so another process or a restart can load it."""
        self._merge()
        posts = len(self._keys)
        np.savez(
            Path(path),
            format=np.array(FORMAT),
            main_keys=self._main_keys,
            main_ids=self._main_ids,
            owner=self._owner[:posts],
            at=self._at[:posts],
            alive=self._alive[:posts],
            words=self._words[: self._word_start[posts]],
            word_start=self._word_start[: posts + 1],
            keys=np.array("\n".join(self._keys).encode()),
            accounts=np.array("\n".join(self._account_names).encode()),
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
            index._owner = data["owner"].copy()
            index._at = data["at"].copy()
            index._alive = data["alive"].copy()
            index._words = data["words"].copy()
            index._word_start = data["word_start"].copy()
            raw_keys = data["keys"].item().decode()
            raw_accounts = data["accounts"].item().decode()
        index._keys = raw_keys.split("\n") if raw_keys else []
        index._ids = {k: i for i, k in enumerate(index._keys) if index._alive[i]}
        index._dead = len(index._keys) - len(index._ids)
        index._account_names = raw_accounts.split("\n") if raw_accounts else []
        index._account_ids = {a: i for i, a in enumerate(index._account_names)}
        index._shift = _shift_for(len(index._main_keys))
        index._directory = kernels.directory_for(index._main_keys, index._shift)
        return index


def _shift_for(entries: int) -> int:
    """The directory's shift for a main table of ``entries``: about 16 entries under each slot."""
    return 32 - min(24, max(8, (entries // 16).bit_length()))


def _resized(array: np.ndarray, size: int) -> np.ndarray:
    grown = (
        np.zeros(size, dtype=array.dtype) if array.dtype == np.uint8 else np.empty(size, dtype=array.dtype)
    )
    grown[: len(array)] = array
    return grown


def _best_first(match: Match) -> tuple[float, str]:
    return -match.score, match.key


def _seconds(at: datetime) -> int:
    if at.tzinfo is None:
        raise ValueError("the index needs aware datetimes (UTC)")
    return max(0, int(at.timestamp()))
