"""Near-duplicate search over millions of posts: MinHash LSH on word sets, verified exactly.

A post is its set of normalised words. Each set gets a MinHash signature of ``BANDS × ROWS`` values, and
every band of ``ROWS`` values is folded into one 32-bit bucket key. Two posts with Jaccard similarity ``s``
share at least one bucket with probability ``1 - (1 - s**ROWS)**BANDS``: 90 % at s = 0.6, 98.9 % at
s = 0.7 and all but certain at s = 0.9, while two unrelated posts (s below 0.1) almost never do. Every
candidate is then scored exactly against its stored word hashes, so a match is never a guess: what is
returned really is that similar.

Bucket keys live in one sorted numpy array (searched with ``searchsorted``) plus a dict of recent inserts
that is merged in when it fills, 128 bytes a post; word hashes, owners and times are packed in
``array`` buffers. The signature is a handful of numpy calls on a (bands, rows, words) block, because a
Python loop over 64 hash functions would cost more than the whole query budget. ``bench/similarity.py``
measures all of it against datasketch's MinHashLSH.
"""

from __future__ import annotations

import sys
import zlib
from array import array
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path

import numpy as np

from botwarden.similarity.normalize import tokens as normalised_tokens

BANDS, ROWS = 16, 4
# Fixed seeds: a signature must come out the same in every process that shares an index. Hash function i
# is h -> (a_i * h + c_i) mod 2**64 with a_i odd.
_rng = np.random.Generator(np.random.PCG64(0xB07_A11CE))
_A = (_rng.integers(0, 2**62, (BANDS, ROWS, 1), dtype=np.uint64) * np.uint64(2)) + np.uint64(1)
_C = _rng.integers(0, 2**62, (BANDS, ROWS, 1), dtype=np.uint64)
_FOLD = _rng.integers(0, 2**62, ROWS, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_min = np.minimum.reduce
_DELTA_POSTS = 32_768  # recent posts kept in a dict before merging into the sorted arrays
_HASH_CACHE_MAX = 1_000_000


@dataclass(frozen=True, slots=True)
class Match:
    key: str
    account: str
    score: float
    at: datetime


# Words this common say nothing about whether two posts are the same story, and left in they would make
# every pair of posts look a little alike, which floods the buckets with candidates.
_STOP = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "s",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "t",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "ll",
        "re",
        "ve",
        "d",
        "m",
        "o",
        "y",
    ]
)


def words(text: str) -> frozenset[str]:
    """The set of normalised words the index compares: stopwords left out unless nothing else is left."""
    tokens = normalised_tokens(text)
    meaningful = frozenset(t for t in tokens if t not in _STOP)
    return meaningful or frozenset(tokens)


def jaccard(a: Collection[object], b: Collection[object]) -> float:
    if not a or not b:
        return 0.0
    shared = len(set(a) & set(b))
    return shared / (len(a) + len(b) - shared)


_hash_cache: dict[str, int] = {}


def word_hashes(text: str) -> list[int]:
    """Stable 32-bit hashes of the distinct normalised words of ``text`` (CRC-32, cached)."""
    distinct = words(text)
    out = list(map(_hash_cache.get, distinct))
    if None in out:
        if len(_hash_cache) >= _HASH_CACHE_MAX:
            _hash_cache.clear()
        for word in distinct:
            _hash_cache.setdefault(word, zlib.crc32(word.encode()))
        out = [_hash_cache[w] for w in distinct]
    return out  # type: ignore[return-value]


def bucket_keys(hashes: list[int]) -> np.ndarray:
    """The ``BANDS`` bucket keys (uint32: the high half of each folded band) of a non-empty word-hash set."""
    h = np.array(hashes, dtype=np.uint64)
    keys: np.ndarray = np.dot(_min(h * _A + _C, axis=2), _FOLD).view(np.uint32)[1::2]
    return keys


class SimilarityIndex:
    """Posts by key, searchable for near-duplicates per account, per set of accounts, within a time window."""

    def __init__(self) -> None:
        self._keys: list[str] = []
        self._ids: dict[str, int] = {}
        self._account_names: list[str] = []
        self._account_ids: dict[str, int] = {}
        self._owner = array("I")
        self._at = array("I")  # seconds since the epoch, UTC (good until 2106)
        self._words = array("I")
        self._word_start = array("I", [0])
        self._alive = bytearray()
        self._dead = 0
        self._bucket_keys = np.empty(0, dtype=np.uint32)
        self._bucket_ids = np.empty(0, dtype=np.uint32)
        self._recent: dict[int, int | list[int]] = {}  # bucket -> post, or posts when several
        self._recent_posts = 0

    def __len__(self) -> int:
        return len(self._keys) - self._dead

    def __contains__(self, key: object) -> bool:
        return key in self._ids

    # -- writing --------------------------------------------------------------------------------------

    def add(self, key: str, text: str, *, account: str, at: datetime) -> None:
        if key in self._ids:
            self.remove(key)
        hashes = word_hashes(text)
        post = len(self._keys)
        self._keys.append(key)
        self._ids[key] = post
        owner = self._account_ids.get(account)
        if owner is None:
            owner = self._account_ids[account] = len(self._account_names)
            self._account_names.append(account)
        self._owner.append(owner)
        self._at.append(_seconds(at))
        self._words.extend(hashes)
        self._word_start.append(len(self._words))
        self._alive.append(1)
        if not hashes:
            return
        recent = self._recent
        for bucket in bucket_keys(hashes).tolist():
            found = recent.setdefault(bucket, post)
            if found != post:
                if isinstance(found, int):
                    recent[bucket] = [found, post]
                else:
                    found.append(post)
        self._recent_posts += 1
        if self._recent_posts >= _DELTA_POSTS:
            self._merge()

    def remove(self, key: str) -> None:
        post = self._ids.pop(key, None)
        if post is not None and self._alive[post]:
            self._alive[post] = 0
            self._dead += 1

    def _merge(self) -> None:
        """Fold the recent-posts dict into the sorted arrays (amortised over ``_DELTA_POSTS`` inserts)."""
        if not self._recent:
            return
        groups = [ids if isinstance(ids, list) else [ids] for ids in self._recent.values()]
        new_keys = np.repeat(np.array(list(self._recent), dtype=np.uint32), [len(g) for g in groups])
        new_ids = np.array(list(chain.from_iterable(groups)), dtype=np.uint32)
        order = np.argsort(new_keys, kind="stable")
        new_keys, new_ids = new_keys[order], new_ids[order]
        at = np.searchsorted(self._bucket_keys, new_keys, side="right")
        self._bucket_keys = np.insert(self._bucket_keys, at, new_keys)
        self._bucket_ids = np.insert(self._bucket_ids, at, new_ids)
        self._recent = {}
        self._recent_posts = 0

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
        hashes = word_hashes(text)
        if not hashes:
            return []
        owners = self._owners(account, accounts)
        if owners is not None and not owners:
            return []
        candidates = self._candidates(bucket_keys(hashes))
        return self._score(hashes, candidates, owners, since, threshold, limit)

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
        hashes = word_hashes(text)
        if not hashes:
            return []
        posts = {self._ids[k] for k in keys if k in self._ids}
        return self._score(hashes, posts, None, None, threshold, limit)

    def _owners(self, account: str | None, accounts: Collection[str] | None) -> set[int] | None:
        if account is None and accounts is None:
            return None
        names = [account] if account is not None else list(accounts or ())
        return {self._account_ids[n] for n in names if n in self._account_ids}

    def _candidates(self, query_keys: np.ndarray) -> set[int]:
        found: set[int] = set()
        recent = self._recent
        for bucket in query_keys.tolist():
            ids = recent.get(bucket)
            if ids is not None:
                if isinstance(ids, int):
                    found.add(ids)
                else:
                    found.update(ids)
        stored = self._bucket_keys
        if len(stored):
            left = np.searchsorted(stored, query_keys)
            hits = stored.take(left, mode="clip") == query_keys
            if hits.any():
                right = np.searchsorted(stored, query_keys[hits], side="right")
                for start, stop in zip(left[hits].tolist(), right.tolist(), strict=True):
                    found.update(self._bucket_ids[start:stop].tolist())
        return found

    def _score(
        self,
        hashes: list[int],
        posts: Iterable[int],
        owners: set[int] | None,
        since: datetime | None,
        threshold: float,
        limit: int,
    ) -> list[Match]:
        mine = set(hashes)
        floor = _seconds(since) if since is not None else 0
        matches = []
        for post in posts:
            if not self._alive[post] or self._at[post] < floor:
                continue
            if owners is not None and self._owner[post] not in owners:
                continue
            theirs = self._words[self._word_start[post] : self._word_start[post + 1]]
            shared = len(mine.intersection(theirs))
            score = shared / (len(mine) + len(theirs) - shared) if shared else 0.0
            if score >= threshold:
                matches.append(
                    Match(
                        self._keys[post],
                        self._account_names[self._owner[post]],
                        round(score, 4),
                        datetime.fromtimestamp(self._at[post], UTC),
                    )
                )
        matches.sort(key=lambda m: (-m.score, m.key))
        return matches[:limit]

    # -- size and persistence -------------------------------------------------------------------------

    @property
    def nbytes(self) -> int:
        """Memory held by the index: arrays, the recent-posts dict, and the keys with their lookup dict."""
        arrays = sum(
            a.itemsize * len(a) for a in (self._owner, self._at, self._words, self._word_start)
        ) + len(self._alive)
        buckets = self._bucket_keys.nbytes + self._bucket_ids.nbytes
        recent = sys.getsizeof(self._recent) + sum(sys.getsizeof(ids) + 32 for ids in self._recent.values())
        keys = sys.getsizeof(self._keys) + sys.getsizeof(self._ids)
        keys += sum(sys.getsizeof(k) for k in self._keys) + 28 * len(self._ids)  # the ids' int objects
        return arrays + buckets + recent + keys

    def save(self, path: str | Path) -> None:
        """Write the index to ``path`` (numpy .npz) so another process or a restart can load it."""
        self._merge()
        np.savez(
            Path(path),
            bucket_keys=self._bucket_keys,
            bucket_ids=self._bucket_ids,
            owner=np.frombuffer(self._owner, dtype=np.uint32),
            at=np.frombuffer(self._at, dtype=np.uint32),
            words=np.frombuffer(self._words, dtype=np.uint32),
            word_start=np.frombuffer(self._word_start, dtype=np.uint32),
            alive=np.frombuffer(bytes(self._alive), dtype=np.uint8),
            keys=np.array("\n".join(self._keys).encode()),
            accounts=np.array("\n".join(self._account_names).encode()),
        )

    @classmethod
    def load(cls, path: str | Path) -> SimilarityIndex:
        with np.load(Path(path)) as data:
            index = cls()
            index._bucket_keys = data["bucket_keys"]
            index._bucket_ids = data["bucket_ids"]
            index._owner = array("I", data["owner"].tobytes())
            index._at = array("I", data["at"].tobytes())
            index._words = array("I", data["words"].tobytes())
            index._word_start = array("I", data["word_start"].tobytes())
            index._alive = bytearray(data["alive"].tobytes())
            raw_keys = data["keys"].item().decode()
            raw_accounts = data["accounts"].item().decode()
        index._keys = raw_keys.split("\n") if raw_keys else []
        index._ids = {k: i for i, k in enumerate(index._keys) if index._alive[i]}
        index._dead = len(index._keys) - len(index._ids)
        index._account_names = raw_accounts.split("\n") if raw_accounts else []
        index._account_ids = {a: i for i, a in enumerate(index._account_names)}
        return index


def _seconds(at: datetime) -> int:
    if at.tzinfo is None:
        raise ValueError("the index needs aware datetimes (UTC)")
    return max(0, int(at.timestamp()))
