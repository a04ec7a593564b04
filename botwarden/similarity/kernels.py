"""The similarity index's inner loops, compiled with numba: word hashing, MinHash band keys, bucket tables,
candidate scoring.

A query touches a few dozen words, 64 hash functions and 16 buckets; in Python or as numpy calls on
arrays that small, the per-call overhead alone exceeds the whole query budget (``bench/similarity.py``
shows the figures). Compiled functions are cached on disk, so only the first process after an install pays
for compiling them.

Layout shared with ``index.py``:

- a post's words are the sorted, distinct 32-bit hashes of its normalised words, stopwords left out unless
  nothing else is left; ``words[word_start[p]:word_start[p + 1]]``;
- buckets: a sorted main table (``main_keys``/``main_ids``) with a directory of offsets by the keys' top
  bits, plus an open-addressing table of recent entries (``recent_keys``/``recent_ids``, ``EMPTY`` where
  free) that is merged into the main table now and then.
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

BANDS, ROWS = 16, 4
EMPTY = np.uint32(0xFFFFFFFF)
# Fixed seeds: a band key must come out the same in every process that shares an index. Hash function i
# is h -> (a_i * h + c_i) mod 2**64 with a_i odd; a band's ROWS minima are folded with odd multipliers.
_rng = np.random.Generator(np.random.PCG64(0xB07_A11CE))
MULTIPLIERS = (_rng.integers(0, 2**62, BANDS * ROWS, dtype=np.uint64) * np.uint64(2)) + np.uint64(1)
OFFSETS = _rng.integers(0, 2**62, BANDS * ROWS, dtype=np.uint64)
FOLD = _rng.integers(0, 2**62, ROWS, dtype=np.uint64) * np.uint64(2) + np.uint64(1)

_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_MIX = np.uint64(0x9E3779B97F4A7C15)


@njit(cache=True)
def _is_space(byte: int) -> bool:
    # What str.split() splits ASCII text on.
    return byte == 32 or 9 <= byte <= 13 or 28 <= byte <= 31


@njit(cache=True)
def _word_hashes64(text: bytes) -> np.ndarray:
    """64-bit FNV-1a hashes of the whitespace-separated words of UTF-8 ``text``, in order."""
    out = np.empty(len(text) // 2 + 1, dtype=np.uint64)
    count = 0
    h = _FNV_OFFSET
    in_word = False
    for byte in text:
        if _is_space(byte):
            if in_word:
                out[count] = h
                count += 1
                in_word = False
            continue
        if not in_word:
            h = _FNV_OFFSET
            in_word = True
        h = (h ^ np.uint64(byte)) * _FNV_PRIME
    if in_word:
        out[count] = h
        count += 1
    return out[:count]


@njit(cache=True)
def stop_hashes(text: bytes) -> np.ndarray:
    """The sorted 64-bit hashes of a whitespace-separated stopword list."""
    return np.unique(_word_hashes64(text))


@njit(cache=True)
def word_set(text: bytes, stop: np.ndarray) -> np.ndarray:
    """The sorted distinct 32-bit hashes of the words of ``text`` (normalised, whitespace-separated),
    stopwords left out unless nothing else is left."""
    every = _word_hashes64(text)
    out = np.empty(len(every), dtype=np.uint32)
    count = 0
    for h in every:
        at = np.searchsorted(stop, h)
        if at == len(stop) or stop[at] != h:
            out[count] = np.uint32((h * _MIX) >> np.uint64(32))
            count += 1
    if count == 0:  # only stopwords: keep them
        for h in every:
            out[count] = np.uint32((h * _MIX) >> np.uint64(32))
            count += 1
    chosen = np.sort(out[:count])
    distinct = 0  # duplicates removed in place (np.unique allocates three more arrays)
    for i in range(len(chosen)):
        if distinct == 0 or chosen[i] != chosen[distinct - 1]:
            chosen[distinct] = chosen[i]
            distinct += 1
    return chosen[:distinct]


@njit(cache=True)
def band_keys(
    hashes: np.ndarray, multipliers: np.ndarray, offsets: np.ndarray, fold: np.ndarray
) -> np.ndarray:
    """The BANDS bucket keys of a non-empty word-hash set: per band, ROWS MinHash values folded to 32 bits.
    No key is ``EMPTY``, which marks a free slot."""
    # Word by word, all hash functions at once: the inner loop is one vector of multiplies and minima.
    lows = np.full(len(multipliers), np.uint64(0xFFFFFFFFFFFFFFFF), dtype=np.uint64)
    for h in hashes:
        word = np.uint64(h)
        for i in range(len(multipliers)):
            lows[i] = min(lows[i], multipliers[i] * word + offsets[i])
    keys = np.empty(BANDS, dtype=np.uint32)
    for band in range(BANDS):
        acc = np.uint64(0)
        for row in range(ROWS):
            acc += lows[band * ROWS + row] * fold[row]
        key = np.uint32(acc >> np.uint64(32))
        keys[band] = key - np.uint32(1) if key == EMPTY else key
    return keys


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
def add_post(
    text: bytes,
    stop: np.ndarray,
    multipliers: np.ndarray,
    offsets: np.ndarray,
    fold: np.ndarray,
    post: int,
    owner_id: int,
    seconds: int,
    owner: np.ndarray,
    at: np.ndarray,
    alive: np.ndarray,
    words: np.ndarray,
    word_start: np.ndarray,
    recent_keys: np.ndarray,
    recent_ids: np.ndarray,
) -> int:
    """Store post ``post`` (the next free row; the arrays have room) and put it in the recent buckets.
    Returns how many distinct words it has."""
    hashes = word_set(text, stop)
    begin = word_start[post]
    words[begin : begin + len(hashes)] = hashes
    word_start[post + 1] = begin + len(hashes)
    owner[post] = owner_id
    at[post] = seconds
    alive[post] = 1
    if len(hashes):
        recent_put(recent_keys, recent_ids, band_keys(hashes, multipliers, offsets, fold), post)
    return len(hashes)


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
    """The main table with the recent entries merged in, and its directory for ``shift``: entries whose
    key has top bits ``t`` (``key >> shift``) are at ``directory[t]:directory[t + 1]``."""
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
def _shared(mine: np.ndarray, theirs: np.ndarray) -> int:
    """How many values two sorted distinct arrays have in common."""
    i = j = count = 0
    while i < len(mine) and j < len(theirs):
        if mine[i] == theirs[j]:
            count += 1
            i += 1
            j += 1
        elif mine[i] < theirs[j]:
            i += 1
        else:
            j += 1
    return count


@njit(cache=True)
def score_posts(
    hashes: np.ndarray,
    posts: np.ndarray,
    words: np.ndarray,
    word_start: np.ndarray,
    owner: np.ndarray,
    at: np.ndarray,
    alive: np.ndarray,
    owners: np.ndarray,
    any_owner: bool,
    floor: int,
    threshold: float,
) -> tuple[np.ndarray, np.ndarray]:
    """The live ``posts`` (distinct) at or after ``floor``, owned by one of ``owners`` (sorted) unless
    ``any_owner``, whose Jaccard similarity to ``hashes`` is at least ``threshold``: (posts, scores)."""
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
        theirs = words[word_start[post] : word_start[post + 1]]
        shared = _shared(hashes, theirs)
        score = shared / (len(hashes) + len(theirs) - shared) if shared else 0.0
        if score >= threshold:
            found[count] = post
            scores[count] = score
            count += 1
    return found[:count], scores[:count]


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
    """The distinct posts sharing at least one bucket key with ``keys``.

    On a large index nearly every read here misses the cache, so the bands are looked up in phases: first
    every band's directory slot and recent-table slot, then the first key of every band's run, then the
    runs themselves. The reads within a phase do not depend on each other and are in flight together,
    instead of one band's reads waiting for the last band's."""
    bands = len(keys)
    mask = len(recent_keys) - 1
    slots = np.empty(bands, dtype=np.int64)
    slot_ids = np.empty(bands, dtype=np.uint32)
    slot_keys = np.empty(bands, dtype=np.uint32)
    lo = np.zeros(bands, dtype=np.int64)
    hi = np.zeros(bands, dtype=np.int64)
    has_main = len(main_keys) > 0
    for band in range(bands):
        slots[band] = _slot(keys[band], mask)
        if has_main:
            top = keys[band] >> np.uint32(shift)
            lo[band], hi[band] = directory[top], directory[top + 1]
    run_first = np.empty(bands, dtype=np.uint32)
    for band in range(bands):
        slot_ids[band], slot_keys[band] = recent_ids[slots[band]], recent_keys[slots[band]]
        run_first[band] = main_keys[lo[band]] if lo[band] < hi[band] else EMPTY
    found = []
    for band in range(bands):
        key = keys[band]
        if run_first[band] <= key:  # a run is sorted: one starting past the key cannot hold it
            for i in range(lo[band], hi[band]):  # about 16 keys: a linear scan reads one or two lines
                if main_keys[i] == key:
                    found.append(main_ids[i])
                elif main_keys[i] > key:
                    break
        slot, post, slot_key = slots[band], slot_ids[band], slot_keys[band]
        while post != EMPTY:  # the open-addressing chain from the key's slot
            if slot_key == key:
                found.append(post)
            slot = (slot + 1) & mask
            post, slot_key = recent_ids[slot], recent_keys[slot]
    return np.unique(np.array(found, dtype=np.uint32)) if found else np.empty(0, dtype=np.uint32)


@njit(cache=True)
def query(
    text: bytes,
    stop: np.ndarray,
    multipliers: np.ndarray,
    offsets: np.ndarray,
    fold: np.ndarray,
    main_keys: np.ndarray,
    main_ids: np.ndarray,
    directory: np.ndarray,
    shift: int,
    recent_keys: np.ndarray,
    recent_ids: np.ndarray,
    words: np.ndarray,
    word_start: np.ndarray,
    owner: np.ndarray,
    at: np.ndarray,
    alive: np.ndarray,
    owners: np.ndarray,
    any_owner: bool,
    floor: int,
    threshold: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Posts sharing a bucket with ``text``, scored exactly (see ``score_posts``)."""
    hashes = word_set(text, stop)
    if not len(hashes):
        return np.empty(0, dtype=np.uint32), np.empty(0, dtype=np.float64)
    keys = band_keys(hashes, multipliers, offsets, fold)
    posts = candidates(keys, main_keys, main_ids, directory, shift, recent_keys, recent_ids)
    return score_posts(
        hashes, posts, words, word_start, owner, at, alive, owners, any_owner, floor, threshold
    )
