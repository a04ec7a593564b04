"""How alike two posts are: "substantially similar" (BW102, BW103) as a number in 0..1.

A post's *profile* is its terms (``terms.py``), weighted by rarity, plus each pair of neighbouring content
words in order (so "view to presenter" and "presenter to view" differ, and a phrase shared counts more
than its words scattered). Two profiles are compared by the cosine of their weights: rare words and
phrases the posts share pull it up, rare words only one of them has pull it down, common words hardly
count either way. The labels that end a post (a composer's hashtags) are left out: they say what kind
of post it is, not what it says. Three vetoes come first, because a reader would never call such posts
the same:

- *different values*: each post has a number the other lacks (the 09:00 and the 10:00 weather, Part 1
  and Part 2, 2-1 and 3-1), or the posts differ in a number and one of them is too short to say much
  besides ("Far Cry" and "Far Cry 2");
- *too little in common*: fewer than ``MIN_SHARED`` content terms in common;
- *a short title changed*: a post of at most ``SHORT`` content terms is another item as soon as a word
  is added, swapped or moved ("Granado Espada" and "Granado Espada Japan", "Pulumi in C#" and "in F#",
  "View to Presenter" and "Presenter to View").

Exactly the same normalised text scores 1. The score is botwarden's heuristic: the platforms publish
none. ``bench/fidelity.py`` measures it on labelled pairs.

A profile is a handful of arrays (and a table of them for comparisons here) built from each word's cached
term. Weights are whole *units* of 1/32, so the index's compiled twin of ``resemblance``
(``kernels.resemblance``, which the index needs for speed; a test holds the two to the same scores)
gives the same score to the last bit. This module loads no compiled code: a command that compares a
few posts does not wait for it.
"""

from __future__ import annotations

import hashlib
import math
import struct
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from botwarden.similarity import lazy_module
from botwarden.similarity.normalize import normalize, without_tag_block
from botwarden.similarity.terms import CONTENT, SERIES_WORDS, number_term, roman, term

if TYPE_CHECKING:
    from botwarden.similarity import kernels
else:  # compiled on first use, not when the rules are loaded
    kernels = lazy_module("botwarden.similarity.kernels")

#: Content terms two posts must share to be substantially similar.
MIN_SHARED = 2
#: A post of at most this many content terms is short: a word added, swapped or moved makes it another item.
SHORT = 4
#: Weights are whole multiples of this.
UNIT = 1 / 32
#: A content term weighs at least this many units.
CONTENT_UNITS = round(CONTENT / UNIT)

_PLAIN, _CONTENT, _NUMBER = 0, 1, 2  # the kinds of terms, as the builder reads them
_FNV_OFFSET, _FNV_PRIME, _MASK64 = 0xCBF29CE484222325, 0x100000001B3, (1 << 64) - 1
#: The version of stored profiles: a new one when the terms or their weights are worked out otherwise.
_FORMAT = 1
_HEADER = struct.Struct("<BQqIQHHH")


@dataclass(frozen=True, slots=True, eq=False)
class Profile:
    normal: str  # the normalised text ('' for none)
    normal_hash: int  # 64 bits of its hash, 0 for none
    feats: np.ndarray  # uint32 feature hashes, sorted: terms (low bit clear) and phrases (low bit set)
    units: np.ndarray  # uint8 weight of each feature, in units
    squares: int  # the sum of the squared units: the norm is sqrt(squares) units
    numbers: np.ndarray  # uint32 number term hashes, sorted, repeats kept
    content: int  # how many distinct content terms (numbers among them)
    sequence: int  # 64 bits of the hash of its content terms in order (0 for none)
    words: np.ndarray  # uint32 distinct content words (numbers aside), rarest in ordinary language first
    table: dict[int, int] = field(repr=False, default_factory=dict)  # feature -> units, for Python

    def to_bytes(self) -> bytes:
        """The profile as stored beside its post (``from_bytes`` reads it back); the text is left out."""
        header = _HEADER.pack(
            _FORMAT, self.normal_hash, self.squares, self.content, self.sequence,
            len(self.feats), len(self.numbers), len(self.words),
        )  # fmt: skip
        return (
            header
            + self.feats.tobytes()
            + self.units.tobytes()
            + self.numbers.tobytes()
            + self.words.tobytes()
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Profile | None:
        """A stored profile, or None when it was stored by a version that measured otherwise."""
        if len(data) < _HEADER.size or data[0] != _FORMAT:
            return None
        _, normal_hash, squares, content, sequence, feats, numbers, words = _HEADER.unpack_from(data)
        at = _HEADER.size
        parts = []
        for count, dtype in ((feats, np.uint32), (feats, np.uint8), (numbers, np.uint32), (words, np.uint32)):
            size = count * np.dtype(dtype).itemsize
            parts.append(np.frombuffer(data, dtype=dtype, count=count, offset=at))
            at += size
        table = dict(zip(parts[0].tolist(), parts[1].tolist(), strict=True))
        return cls("", normal_hash, parts[0], parts[1], squares, parts[2], content, sequence, parts[3], table)

    def content_terms(self) -> frozenset[int]:
        """The hashes of its content terms."""
        terms = (self.feats & 1) == 0
        return frozenset(self.feats[terms & (self.units >= CONTENT_UNITS)].tolist()) | frozenset(
            self.numbers.tolist()
        )


@lru_cache(maxsize=4096)  # a check compares the same text with every candidate
def profile(text: str) -> Profile:
    normal = normalize(text)
    words = normalize(without_tag_block(text)).split() if "#" in text else normal.split()
    return _built(normal, _terms_of(words))


def _built(normal: str, found: list[tuple[int, int, int, bool]]) -> Profile:
    """The profile of terms in order, each (hash with the low bit clear, units, kind, -): every term of some
    weight a feature, each pair of neighbouring content words a phrase (low bit set) at half the lighter
    one's weight, each feature at its largest weight; the numbers sorted; the content terms counted and
    hashed in order; the content words heaviest first."""
    table: dict[int, int] = {}
    previous: tuple[int, int] | None = None
    sequence = _FNV_OFFSET
    content: set[int] = set()
    numbers: list[int] = []
    words: dict[int, int] = {}
    for hash_, units, kind, _ in found:
        if units and table.get(hash_, 0) < units:
            table[hash_] = units
        if kind == _PLAIN:
            continue
        content.add(hash_)
        sequence = ((sequence ^ hash_) * _FNV_PRIME) & _MASK64
        if kind == _NUMBER:
            numbers.append(hash_)
            continue
        words.setdefault(hash_, units)
        if previous is not None and (half := min(previous[1], units) // 2):
            phrase = ((previous[0] * 0x9E3779B1 + hash_) & 0xFFFFFFFF) | 1
            table[phrase] = max(table.get(phrase, 0), half)
        previous = (hash_, units)
    feats = sorted(table)
    units_in_order = [table[h] for h in feats]
    rarest = sorted(words, key=lambda h: (-words[h], h))
    return Profile(
        normal,
        _hash64(normal),
        np.array(feats, dtype=np.uint32),
        np.array(units_in_order, dtype=np.uint8),
        sum(u * u for u in units_in_order),
        np.array(sorted(numbers), dtype=np.uint32),
        len(content),
        sequence if content else 0,
        np.array(rarest, dtype=np.uint32),
        table,
    )


def _terms_of(words: list[str]) -> list[tuple[int, int, int, bool]]:
    """Each word's term as the builder reads it: hash, weight in units, kind, whether a Roman numeral."""
    cached = _WORDS
    found = []
    last = len(words) - 1
    for at, word in enumerate(words):
        info = cached.get(word)
        if info is None or (info[3] and _means_a_number(word, words, at, last)):
            info = _word_info(word, words, at, last)
        found.append(info)
    return found


def _word_info(word: str, words: list[str], at: int, last: int) -> tuple[int, int, int, bool]:
    """(hash, units, kind, may be a Roman numeral): cached for the word itself, not for a numeral that
    means a number only where it stands."""
    numeral = roman(word) if len(word) <= 6 and word[0] in "ivx" else None
    if numeral is not None and _means_a_number(word, words, at, last):
        found = number_term(numeral)
        return found.hash & 0xFFFFFFFE, _units(found.weight), _NUMBER, True
    found = term(word)
    kind = _NUMBER if found.number else (_CONTENT if found.content else _PLAIN)
    info = (found.hash & 0xFFFFFFFE, _units(found.weight), kind, numeral is not None)
    if len(_WORDS) >= 200_000:  # names and typos never stop coming: start again rather than grow forever
        _WORDS.clear()
    _WORDS[word] = info
    return info


def _means_a_number(numeral: str, words: list[str], at: int, last: int) -> bool:
    """A Roman numeral of three letters or more is one; "ii" is never a word; a shorter one counts after a
    series word ("Part I") or as the last word of a title of several ("Rust VI")."""
    if len(numeral) >= 3 or numeral == "ii":
        return True
    return at > 0 and (words[at - 1] in SERIES_WORDS or at == last)


def _hash64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest()) if text else 0


def without(found: Profile, features: set[int]) -> Profile:
    """``found`` with some of its features left out (``usual.py``)."""
    table = {h: 0 if h in features else u for h, u in found.table.items()}
    units = np.array([table[h] for h in found.feats.tolist()], dtype=np.uint8)
    return replace(found, units=units, squares=sum(u * u for u in table.values()), table=table)


def similarity(a: str, b: str) -> float:
    """How alike two posts are, 0..1 (see the module doc)."""
    return resemblance(profile(a), profile(b))


def resemblance(a: Profile, b: Profile) -> float:
    """The measure on two profiles (the index's compiled ``kernels.resemblance`` is its twin: same
    arithmetic on whole units, same score)."""
    if a.normal_hash and a.normal_hash == b.normal_hash:
        return 1.0
    if not a.squares or not b.squares:
        return 0.0
    small, large = (a.table, b.table) if len(a.table) <= len(b.table) else (b.table, a.table)
    shared = common = 0
    for hash_, mine in small.items():
        theirs = large.get(hash_)
        if theirs is not None:
            shared += mine * theirs
            if not hash_ & 1 and min(mine, theirs) >= CONTENT_UNITS:
                common += 1
    shortest = min(a.content, b.content)
    if common < MIN_SHARED or different_values(
        a.numbers.tolist(), b.numbers.tolist(), shortest <= MIN_SHARED
    ):
        return 0.0
    if shortest <= SHORT and a.sequence != b.sequence:
        return 0.0
    return min(1.0, shared / math.sqrt(a.squares * b.squares))


def different_values(mine: list[int], theirs: list[int], short: bool) -> bool:
    """Whether two posts' numbers (sorted, repeats kept) differ: each has one the other lacks, or they
    differ at all and one of the posts is ``short``."""
    if mine == theirs:
        return False
    a, b = Counter(mine), Counter(theirs)
    return bool(a - b and b - a) or short


def differences(text: str, other: str, *, most: int = 6) -> tuple[list[str], list[str]]:
    """What tells two posts apart, for a person: the content words of each (as normalised) whose terms the
    other lacks, at most ``most`` of each, in the order they appear."""
    mine, theirs = profile(text), profile(other)
    return _only(mine, theirs.content_terms(), most), _only(theirs, mine.content_terms(), most)


def _only(found: Profile, others: frozenset[int], most: int) -> list[str]:
    words = found.normal.split()
    out: list[str] = []
    for word, (hash_, _, kind, _) in zip(words, _terms_of(words), strict=True):
        if kind != _PLAIN and hash_ not in others and word not in out:
            out.append(word)
            if len(out) == most:
                break
    return out


def _units(weight: float) -> int:
    return round(weight / UNIT)


_WORDS: dict[str, tuple[int, int, int, bool]] = {}
