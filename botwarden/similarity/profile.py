"""How alike two posts are: "substantially similar" (BW102, BW103) as a number in 0..1.

A post's *profile* is its terms (``terms.py``), weighted by rarity, plus each pair of neighbouring content
words in order (so "view to presenter" and "presenter to view" differ, and a phrase shared counts more
than its words scattered). Two profiles are compared by the cosine of their weights: rare words and
phrases the posts share pull it up, rare words only one of them has pull it down, common words hardly
count either way. Two vetoes come first, because a reader would never call such posts the same:

- *different values*: each post has a number the other lacks (the 09:00 and the 10:00 weather, Part 1
  and Part 2, 2-1 and 3-1), or the posts differ in a number and one of them is too short to say much
  besides ("Far Cry" and "Far Cry 2");
- *too little in common*: fewer than ``MIN_SHARED`` content terms in common ("More About Noise" and
  "Noise").

Exactly the same normalised text scores 1. The score is botwarden's heuristic: the platforms publish
none. ``bench/fidelity.py`` measures it on labelled pairs.

Weights are kept as whole *units* of 1/32 (``UNIT``), so that the compiled index (``kernels.py``), which
stores them in a byte, computes exactly the scores this module does.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from botwarden.similarity.normalize import normalize, without_tag_block
from botwarden.similarity.terms import CONTENT, terms

#: Content terms two posts must share to be substantially similar.
MIN_SHARED = 2
#: A post of at most this many content terms is short: a word added, swapped or moved makes it another item.
SHORT = 4
#: How many of a post's rarest content words the index files it under (every pair of them is a bucket).
KEYS = 6
#: Weights are whole multiples of this.
UNIT = 1 / 32
#: A content term weighs at least this many units.
CONTENT_UNITS = round(CONTENT / UNIT)


@dataclass(frozen=True, slots=True, eq=False)
class Profile:
    normal: str  # the normalised text ('' for none)
    normal_hash: int  # 64 bits of its hash, 0 for none
    units: dict[int, int]  # feature hash -> weight in units (terms; phrases have the low bit set)
    squares: int  # the sum of the squared units: the norm is sqrt(squares) units
    numbers: tuple[int, ...]  # number term hashes, sorted, repeats kept
    content: frozenset[int]  # hashes of the content terms
    sequence: int  # 64 bits of the hash of its content terms in order (0 for none)
    keys: tuple[int, ...]  # up to KEYS of the rarest content words, rarest first

    def arrays(self) -> ProfileArrays:
        return _arrays(self)


@dataclass(frozen=True, slots=True, eq=False)
class ProfileArrays:
    """A profile as the compiled index reads it."""

    feats: np.ndarray  # uint32, sorted
    units: np.ndarray  # uint8, in the order of feats
    numbers: np.ndarray  # uint32, sorted
    keys: np.ndarray  # uint32


@lru_cache(maxsize=4096)  # a check compares the same text with every candidate
def profile(text: str) -> Profile:
    normal = normalize(text)
    found = terms(normalize(without_tag_block(text)).split())
    units: dict[int, int] = {}
    for term in found:
        unit = _units(term.weight)
        if unit and units.get(_word(term.hash), 0) < unit:
            units[_word(term.hash)] = unit
    words = [t for t in found if t.content and not t.number]
    for first, second in itertools.pairwise(words):
        phrase = _phrase(first.hash, second.hash)
        units[phrase] = max(units.get(phrase, 0), min(_units(first.weight), _units(second.weight)) // 2)
    numbers = tuple(sorted(_word(t.hash) for t in found if t.number))
    rarest = sorted({_word(t.hash): t.weight for t in words}.items(), key=lambda item: (-item[1], item[0]))
    sequence = " ".join(t.key for t in found if t.content)
    return Profile(
        normal,
        _hash64(normal),
        units,
        sum(u * u for u in units.values()),
        numbers,
        frozenset(_word(t.hash) for t in found if t.content),
        _hash64(sequence),
        tuple(h for h, _ in rarest[:KEYS]),
    )


def _hash64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest()) if text else 0


def discounted(found: Profile, factors: dict[int, float]) -> Profile:
    """``found`` with the weights of some features multiplied by their factors (``usual.py``)."""
    units = {h: round(u * factors[h]) if h in factors else u for h, u in found.units.items()}
    return replace(found, units=units, squares=sum(u * u for u in units.values()))


def similarity(a: str, b: str) -> float:
    """How alike two posts are, 0..1 (see the module doc)."""
    return resemblance(profile(a), profile(b))


def resemblance(a: Profile, b: Profile) -> float:
    if a.normal_hash and a.normal_hash == b.normal_hash:
        return 1.0
    if not a.squares or not b.squares:
        return 0.0
    small, large = (a.units, b.units) if len(a.units) <= len(b.units) else (b.units, a.units)
    shared = [(h, u, large[h]) for h, u in small.items() if h in large]
    common = sum(1 for h, u, v in shared if not h & 1 and min(u, v) >= CONTENT_UNITS)
    if common < MIN_SHARED or different_values(a, b) or short_and_different(a, b):
        return 0.0
    return min(1.0, sum(u * v for _, u, v in shared) / math.sqrt(a.squares * b.squares))


def short_and_different(a: Profile, b: Profile) -> bool:
    """Whether one of the posts is short and they do not have the same content terms in the same order. A
    title of a few words is another item as soon as a word is added, swapped or moved ("Granado Espada"
    and "Granado Espada Japan", "Pulumi in C#" and "in F#", "View to Presenter" and "Presenter to View")."""
    return min(len(a.content), len(b.content)) <= SHORT and a.sequence != b.sequence


def different_values(a: Profile, b: Profile) -> bool:
    """Whether the posts carry different numbers: each one a number the other lacks, or a number only one
    has while the other is short."""
    if a.numbers == b.numbers:
        return False
    mine, theirs = Counter(a.numbers), Counter(b.numbers)
    if (mine - theirs) and (theirs - mine):
        return True
    return min(len(a.content), len(b.content)) <= MIN_SHARED


@lru_cache(maxsize=4096)
def _arrays(found: Profile) -> ProfileArrays:
    feats = np.array(sorted(found.units), dtype=np.uint32)
    return ProfileArrays(
        feats,
        np.array([found.units[h] for h in feats.tolist()], dtype=np.uint8),
        np.array(found.numbers, dtype=np.uint32),
        np.array(found.keys, dtype=np.uint32),
    )


def _units(weight: float) -> int:
    return round(weight / UNIT)


def _word(hash_: int) -> int:
    return hash_ & 0xFFFFFFFE


def _phrase(first: int, second: int) -> int:
    return ((first * 0x9E3779B1 + second) & 0xFFFFFFFF) | 1


def differences(text: str, other: str, *, most: int = 6) -> tuple[list[str], list[str]]:
    """What tells two posts apart, for a person: the content words of each (as normalised) whose terms the
    other lacks, at most ``most`` of each, in the order they appear."""
    mine, theirs = profile(text), profile(other)
    return _only(mine, theirs, most), _only(theirs, mine, most)


def _only(a: Profile, b: Profile, most: int) -> list[str]:
    words = a.normal.split()
    out: list[str] = []
    for word, term in zip(words, terms(words), strict=True):
        if term.content and _word(term.hash) not in b.content and word not in out:
            out.append(word)
            if len(out) == most:
                break
    return out
