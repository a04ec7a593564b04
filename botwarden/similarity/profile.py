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

A profile is a handful of arrays built by compiled code (``kernels.build_profile``) from each word's
cached term, and every comparison, here and in the index, is the one compiled ``kernels.resemblance``:
weights are whole *units* of 1/32, so the score is the same to the last bit wherever it is worked out.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
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
    hashes, units, kinds = _terms_of(words)
    feats, weights, numbers, content, sequence, rarest = kernels.build_profile(hashes, units, kinds)
    return Profile(
        normal,
        _hash64(normal),
        feats,
        weights,
        int(np.dot(weights.astype(np.int64), weights.astype(np.int64))),
        numbers,
        content,
        int(sequence),
        rarest,
    )


def _terms_of(words: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each word's term as the builder reads it: hash, weight in units, kind."""
    cached = _WORDS
    found = []
    last = len(words) - 1
    for at, word in enumerate(words):
        info = cached.get(word)
        if info is None or (info[3] and _means_a_number(word, words, at, last)):
            info = _word_info(word, words, at, last)
        found.append(info)
    if not found:
        return _EMPTY, _EMPTY_UNITS, _EMPTY_UNITS
    hashes, units, kinds, _ = zip(*found, strict=True)
    return (
        np.array(hashes, dtype=np.uint32),
        np.array(units, dtype=np.uint8),
        np.array(kinds, dtype=np.uint8),
    )


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
    keep = ~np.isin(found.feats, np.fromiter(features, dtype=np.uint32, count=len(features)))
    units = np.where(keep, found.units, 0).astype(np.uint8)
    return replace(found, units=units, squares=int(np.dot(units.astype(np.int64), units.astype(np.int64))))


def similarity(a: str, b: str) -> float:
    """How alike two posts are, 0..1 (see the module doc)."""
    return resemblance(profile(a), profile(b))


def resemblance(a: Profile, b: Profile) -> float:
    score = kernels.resemblance(
        a.feats, a.units, a.numbers, a.squares, np.uint64(a.normal_hash), a.content, *_other(b),
        np.uint64(a.sequence), np.uint64(b.sequence), MIN_SHARED, CONTENT_UNITS, SHORT,
    )  # fmt: skip
    return float(score)


def _other(b: Profile) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, np.uint64, int]:
    return b.feats, b.units, b.numbers, b.squares, np.uint64(b.normal_hash), b.content


def differences(text: str, other: str, *, most: int = 6) -> tuple[list[str], list[str]]:
    """What tells two posts apart, for a person: the content words of each (as normalised) whose terms the
    other lacks, at most ``most`` of each, in the order they appear."""
    mine, theirs = profile(text), profile(other)
    return _only(mine, theirs.content_terms(), most), _only(theirs, mine.content_terms(), most)


def _only(found: Profile, others: frozenset[int], most: int) -> list[str]:
    words = found.normal.split()
    hashes, _, kinds = _terms_of(words)
    out: list[str] = []
    for word, hash_, kind in zip(words, hashes.tolist(), kinds.tolist(), strict=True):
        if kind != _PLAIN and hash_ not in others and word not in out:
            out.append(word)
            if len(out) == most:
                break
    return out


def _units(weight: float) -> int:
    return round(weight / UNIT)


_WORDS: dict[str, tuple[int, int, int, bool]] = {}
_EMPTY = np.empty(0, dtype=np.uint32)
_EMPTY_UNITS = np.empty(0, dtype=np.uint8)
