"""The similarity index's inner loops, compiled with numba: bucket tables, candidate search and scoring.

A query touches a few dozen terms and about twenty buckets; in Python or as numpy calls on arrays that
small, the per-call overhead alone exceeds the whole query budget (``bench/similarity.py`` shows the
figures). Compiled functions are cached on disk, so only the first process after an install pays for
compiling them.

Layout shared with ``index.py`` (post ``p``'s slices are ``[start[p]:start[p + 1]]``):

- ``feats``/``weights``: the post's profile features (``profile.py``), hashes sorted, with their weights;
- ``numbers``: its number terms' hashes, sorted, repeats kept; ``norms``, ``normals`` (a 64-bit hash of
  the normalised text, 0 for none), ``contents`` (how many content terms it has);
- buckets: each post is filed under every pair of its rarest content words (``pair_keys``), in a sorted
  main table (``main_keys``/``main_ids``) with a directory of offsets by the keys' top bits, plus an
  open-addressing table of recent entries (``recent_keys``/``recent_ids``, ``EMPTY`` where free) that is
  merged into the main table now and then. Two posts that share two of their rarest words share a bucket.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

# numba caches compiled code beside this module, or in the user's cache folder; where neither can be
# written (a read-only install run by a service user without a home) it would refuse to load, so it is
# pointed at the temporary folder. Set before numba is imported: it reads the setting once.
if "NUMBA_CACHE_DIR" not in os.environ and not os.access(Path(__file__).parent, os.W_OK):
    home_cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    if not os.access(home_cache if home_cache.exists() else home_cache.parent, os.W_OK):
        os.environ["NUMBA_CACHE_DIR"] = str(Path(tempfile.gettempdir()) / f"botwarden-numba-{os.getuid()}")

import numpy as np
from numba import njit

EMPTY = np.uint32(0xFFFFFFFF)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_PAIR = np.uint64(0xC2B2AE3D27D4EB4F)


@njit(cache=True)
def pair_keys(keys: np.ndarray) -> np.ndarray:
    """The bucket key of every pair of ``keys`` (word hashes, low bit clear), or of the one key alone when
    there is only one. A pair's key does not depend on the order of its two words; no key is ``EMPTY``."""
    n = len(keys)
    if n == 1:
        return keys.astype(np.uint32)
    out = np.empty(n * (n - 1) // 2, dtype=np.uint32)
    count = 0
    for i in range(n):
        for j in range(i + 1, n):
            low, high = min(keys[i], keys[j]), max(keys[i], keys[j])
            mixed = (np.uint64(low) * _MIX + np.uint64(high)) * _PAIR
            out[count] = np.uint32((mixed >> np.uint64(32)) | np.uint64(1))  # odd: never a single word
            if out[count] == EMPTY:
                out[count] = np.uint32(0xFFFFFFFD)
            count += 1
    return out


@njit(cache=True)
def _slot(key: np.uint32, mask: int) -> int:
    return int((np.uint64(key) * _MIX) >> np.uint64(32)) & mask


@njit(cache=True)
def recent_put(recent_keys: np.ndarray, recent_ids: np.ndarray, keys: np.ndarray, post: int) -> None:
    """Add ``post`` under each of ``keys`` to the open-addressing table (which has room: the caller
    grows it first)."""
    mask = len(recent_keys) - 1
    for key in keys:
        slot = _slot(key, mask)
        while recent_ids[slot] != EMPTY:
            slot = (slot + 1) & mask
        recent_keys[slot] = key
        recent_ids[slot] = post


@njit(cache=True)
def recent_regrow(
    recent_keys: np.ndarray, recent_ids: np.ndarray, size: int
) -> tuple[np.ndarray, np.ndarray]:
    """The table's entries in a new table of ``size`` slots (a power of two)."""
    keys = np.full(size, EMPTY, dtype=np.uint32)
    ids = np.full(size, EMPTY, dtype=np.uint32)
    mask = size - 1
    for i in range(len(recent_ids)):
        if recent_ids[i] != EMPTY:
            slot = _slot(recent_keys[i], mask)
            while ids[slot] != EMPTY:
                slot = (slot + 1) & mask
            keys[slot] = recent_keys[i]
            ids[slot] = recent_ids[i]
    return keys, ids


@njit(cache=True)
def directory_for(keys: np.ndarray, shift: int) -> np.ndarray:
    """Offsets into sorted ``keys`` by their top bits: keys ``k`` with ``k >> shift == t`` are at
    ``directory[t]:directory[t + 1]``."""
    directory = np.zeros((1 << (32 - shift)) + 1, dtype=np.uint32)
    for key in keys:
        directory[(key >> np.uint32(shift)) + 1] += 1
    return np.cumsum(directory).astype(np.uint32)


@njit(cache=True)
def merge(
    main_keys: np.ndarray, main_ids: np.ndarray, recent_keys: np.ndarray, recent_ids: np.ndarray, shift: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The main table with the recent entries merged in, and its directory for ``shift``."""
    taken = recent_ids != EMPTY
    new_keys = recent_keys[taken]
    new_ids = recent_ids[taken]
    order = np.argsort(new_keys, kind="mergesort")
    new_keys, new_ids = new_keys[order], new_ids[order]
    total = len(main_keys) + len(new_keys)
    keys = np.empty(total, dtype=np.uint32)
    ids = np.empty(total, dtype=np.uint32)
    i = j = 0
    for k in range(total):
        if j == len(new_keys) or (i < len(main_keys) and main_keys[i] <= new_keys[j]):
            keys[k], ids[k] = main_keys[i], main_ids[i]
            i += 1
        else:
            keys[k], ids[k] = new_keys[j], new_ids[j]
            j += 1
    return keys, ids, directory_for(keys, shift)


@njit(cache=True)
def compacted(
    main_keys: np.ndarray, main_ids: np.ndarray, alive: np.ndarray, shift: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The main table without the entries of removed posts, and its directory."""
    keep = np.empty(len(main_ids), dtype=np.bool_)
    for i in range(len(main_ids)):
        keep[i] = alive[main_ids[i]] != 0
    keys, ids = main_keys[keep], main_ids[keep]
    return keys, ids, directory_for(keys, shift)


@njit(cache=True)
def candidates(
    keys: np.ndarray,
    main_keys: np.ndarray,
    main_ids: np.ndarray,
    directory: np.ndarray,
    shift: int,
    recent_keys: np.ndarray,
    recent_ids: np.ndarray,
) -> np.ndarray:
    """The distinct posts filed under at least one of ``keys``.

    On a large index nearly every read here misses the cache, so the keys are looked up in phases: first
    every key's directory slot and recent-table slot, then the first entry of every key's run, then the
    runs themselves. The reads within a phase do not depend on each other and are in flight together."""
    count = len(keys)
    mask = len(recent_keys) - 1
    slots = np.empty(count, dtype=np.int64)
    slot_ids = np.empty(count, dtype=np.uint32)
    slot_keys = np.empty(count, dtype=np.uint32)
    lo = np.zeros(count, dtype=np.int64)
    hi = np.zeros(count, dtype=np.int64)
    has_main = len(main_keys) > 0
    for k in range(count):
        slots[k] = _slot(keys[k], mask)
        if has_main:
            top = keys[k] >> np.uint32(shift)
            lo[k], hi[k] = directory[top], directory[top + 1]
    run_first = np.empty(count, dtype=np.uint32)
    for k in range(count):
        slot_ids[k], slot_keys[k] = recent_ids[slots[k]], recent_keys[slots[k]]
        run_first[k] = main_keys[lo[k]] if lo[k] < hi[k] else EMPTY
    found = []
    for k in range(count):
        key = keys[k]
        if run_first[k] <= key:  # a run is sorted: one starting past the key cannot hold it
            for i in range(lo[k], hi[k]):
                if main_keys[i] == key:
                    found.append(main_ids[i])
                elif main_keys[i] > key:
                    break
        slot, post, slot_key = slots[k], slot_ids[k], slot_keys[k]
        while post != EMPTY:  # the open-addressing chain from the key's slot
            if slot_key == key:
                found.append(post)
            slot = (slot + 1) & mask
            post, slot_key = recent_ids[slot], recent_keys[slot]
    return np.unique(np.array(found, dtype=np.uint32)) if found else np.empty(0, dtype=np.uint32)


@njit(cache=True)
def different_values(mine: np.ndarray, theirs: np.ndarray, short: bool) -> bool:
    """``profile.different_values`` on two sorted number arrays (repeats kept): each has a number the other
    lacks, or they differ at all and one of the posts is ``short``."""
    i = j = only_mine = only_theirs = 0
    while i < len(mine) or j < len(theirs):
        if j == len(theirs) or (i < len(mine) and mine[i] < theirs[j]):
            only_mine += 1
            i += 1
        elif i == len(mine) or theirs[j] < mine[i]:
            only_theirs += 1
            j += 1
        else:
            i += 1
            j += 1
    if only_mine and only_theirs:
        return True
    return (only_mine + only_theirs) > 0 and short


@njit(cache=True)
def resemblance(
    feats: np.ndarray,
    units: np.ndarray,
    numbers: np.ndarray,
    squares: int,
    normal: np.uint64,
    content: int,
    their_feats: np.ndarray,
    their_units: np.ndarray,
    their_numbers: np.ndarray,
    their_squares: int,
    their_normal: np.uint64,
    their_content: int,
    sequence: np.uint64,
    their_sequence: np.uint64,
    min_shared: int,
    content_units: int,
    short: int,
) -> float:
    """``profile.resemblance`` on two profiles' arrays (see there): the same arithmetic on whole units, so
    the same score to the last bit."""
    if normal != 0 and normal == their_normal:
        return 1.0
    if squares == 0 or their_squares == 0:
        return 0.0
    shared = np.int64(0)
    shared_content = 0
    i = j = 0
    while i < len(feats) and j < len(their_feats):
        if feats[i] == their_feats[j]:
            mine, theirs = np.int64(units[i]), np.int64(their_units[j])
            shared += mine * theirs
            if (feats[i] & 1) == 0 and min(mine, theirs) >= content_units:
                shared_content += 1
            i += 1
            j += 1
        elif feats[i] < their_feats[j]:
            i += 1
        else:
            j += 1
    if shared_content < min_shared:
        return 0.0
    shortest = min(content, their_content)
    if different_values(numbers, their_numbers, shortest <= min_shared):
        return 0.0
    if shortest <= short and sequence != their_sequence:
        return 0.0
    return min(1.0, float(shared / np.sqrt(np.float64(np.int64(squares) * np.int64(their_squares)))))


@njit(cache=True)
def score_posts(
    feats: np.ndarray,
    units: np.ndarray,
    numbers: np.ndarray,
    squares: int,
    normal: np.uint64,
    content: int,
    sequence: np.uint64,
    posts: np.ndarray,
    all_feats: np.ndarray,
    all_units: np.ndarray,
    feat_start: np.ndarray,
    all_numbers: np.ndarray,
    number_start: np.ndarray,
    all_squares: np.ndarray,
    normals: np.ndarray,
    contents: np.ndarray,
    sequences: np.ndarray,
    owner: np.ndarray,
    at: np.ndarray,
    alive: np.ndarray,
    owners: np.ndarray,
    any_owner: bool,
    floor: int,
    threshold: float,
    min_shared: int,
    content_units: int,
    short: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The live ``posts`` (distinct) at or after ``floor``, owned by one of ``owners`` (sorted) unless
    ``any_owner``, that resemble the query at least ``threshold``: (posts, scores)."""
    found = np.empty(len(posts), dtype=np.uint32)
    scores = np.empty(len(posts), dtype=np.float64)
    count = 0
    for post in posts:
        if not alive[post] or at[post] < floor:
            continue
        if not any_owner:
            where = np.searchsorted(owners, owner[post])
            if where == len(owners) or owners[where] != owner[post]:
                continue
        a, b = feat_start[post], feat_start[post + 1]
        c, d = number_start[post], number_start[post + 1]
        score = resemblance(
            feats, units, numbers, squares, normal, content, all_feats[a:b], all_units[a:b],
            all_numbers[c:d], all_squares[post], normals[post], contents[post], sequence, sequences[post],
            min_shared, content_units, short,
        )  # fmt: skip
        if score >= threshold:
            found[count] = post
            scores[count] = score
            count += 1
    return found[:count], scores[:count]


@njit(cache=True)
def query(
    words: np.ndarray,
    df_keys: np.ndarray,
    df_counts: np.ndarray,
    key_count: int,
    feats: np.ndarray,
    units: np.ndarray,
    numbers: np.ndarray,
    squares: int,
    normal: np.uint64,
    content: int,
    sequence: np.uint64,
    main_keys: np.ndarray,
    main_ids: np.ndarray,
    directory: np.ndarray,
    shift: int,
    recent_keys: np.ndarray,
    recent_ids: np.ndarray,
    all_feats: np.ndarray,
    all_units: np.ndarray,
    feat_start: np.ndarray,
    all_numbers: np.ndarray,
    number_start: np.ndarray,
    all_squares: np.ndarray,
    normals: np.ndarray,
    contents: np.ndarray,
    sequences: np.ndarray,
    owner: np.ndarray,
    at: np.ndarray,
    alive: np.ndarray,
    owners: np.ndarray,
    any_owner: bool,
    floor: int,
    threshold: float,
    min_shared: int,
    content_units: int,
    short: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Posts sharing a bucket with the query's rarest words, scored exactly (see ``score_posts``)."""
    if len(words) == 0:
        return np.empty(0, dtype=np.uint32), np.empty(0, dtype=np.float64)
    keys = choose_keys(words, df_keys, df_counts, key_count, True)
    if len(keys) == 0:
        return np.empty(0, dtype=np.uint32), np.empty(0, dtype=np.float64)
    posts = candidates(pair_keys(keys), main_keys, main_ids, directory, shift, recent_keys, recent_ids)
    return score_posts(
        feats, units, numbers, squares, normal, content, sequence, posts, all_feats, all_units, feat_start,
        all_numbers, number_start, all_squares, normals, contents, sequences, owner, at, alive, owners,
        any_owner, floor, threshold, min_shared, content_units, short,
    )  # fmt: skip


@njit(cache=True)
def df_add(df_keys: np.ndarray, df_counts: np.ndarray, words: np.ndarray) -> int:
    """Count one more post for each of ``words`` in the open-addressing table (which has room: the caller
    grows it first). Returns how many words were new to it."""
    mask = len(df_keys) - 1
    new = 0
    for word in words:
        slot = _slot(word, mask)
        while df_keys[slot] != EMPTY and df_keys[slot] != word:
            slot = (slot + 1) & mask
        if df_keys[slot] == EMPTY:
            df_keys[slot] = word
            new += 1
        df_counts[slot] += 1
    return new


@njit(cache=True)
def df_regrow(df_keys: np.ndarray, df_counts: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    keys = np.full(size, EMPTY, dtype=np.uint32)
    counts = np.zeros(size, dtype=np.uint32)
    mask = size - 1
    for i in range(len(df_keys)):
        if df_keys[i] != EMPTY:
            slot = _slot(df_keys[i], mask)
            while keys[slot] != EMPTY:
                slot = (slot + 1) & mask
            keys[slot] = df_keys[i]
            counts[slot] = df_counts[i]
    return keys, counts


@njit(cache=True)
def choose_keys(
    words: np.ndarray, df_keys: np.ndarray, df_counts: np.ndarray, count: int, indexed_only: bool
) -> np.ndarray:
    """``count`` of ``words`` (given rarest in ordinary language first) in the fewest indexed posts, counted
    in powers of two so that the choice stays put as posts arrive, ties in the given order: the words a
    post is filed under. A word the index holds everywhere would make buckets of thousands. A query
    (``indexed_only``) passes over words no indexed post has, which cannot lead anywhere (a reworded
    post's new words)."""
    mask = len(df_keys) - 1
    rank = np.empty(len(words), dtype=np.int64)
    for i in range(len(words)):
        slot = _slot(words[i], mask)
        while df_keys[slot] != EMPTY and df_keys[slot] != words[i]:
            slot = (slot + 1) & mask
        seen = np.int64(df_counts[slot]) if df_keys[slot] == words[i] else np.int64(0)
        magnitude = 0
        while seen > 0:
            magnitude += 1
            seen >>= 1
        rank[i] = 1 << 20 if indexed_only and magnitude == 0 else magnitude
    order = np.argsort(rank, kind="mergesort")  # stable: ties keep the given order
    kept = 0
    while kept < min(count, len(words)) and rank[order[kept]] < 1 << 20:
        kept += 1
    return words[order[:kept]]


@njit(cache=True)
def content_words(
    feats: np.ndarray, units: np.ndarray, numbers: np.ndarray, content_units: int
) -> np.ndarray:
    """A profile's content words from its features: the terms (low bit clear) of content weight that are
    not numbers, heaviest first, then by hash (``build_profile``'s order)."""
    keyed = np.empty(len(feats), dtype=np.uint64)
    count = 0
    for i in range(len(feats)):
        if (feats[i] & 1) == 0 and units[i] >= content_units:
            where = np.searchsorted(numbers, feats[i])
            if where < len(numbers) and numbers[where] == feats[i]:
                continue
            keyed[count] = (np.uint64(255) - np.uint64(units[i])) << np.uint64(32) | np.uint64(feats[i])
            count += 1
    ranked = np.sort(keyed[:count])
    return (ranked & np.uint64(0xFFFFFFFF)).astype(np.uint32)
