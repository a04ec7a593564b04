"""The words of a post as the near-duplicate measure weighs them.

Each word of the normalised text (``normalize.tokens``) becomes a term:

- a *number* when it holds a digit ("84", "3.5", "10:40", "v1.4.0"), is a number word ("three",
  "third") or a Roman numeral where one is meant ("Part II", "Rust VI"; a lone "I" only after a series
  word such as "part"). Numbers are kept exactly: two posts that differ in them carry different values.
- else a *word*: its Snowball stem (so "charges" meets "charged" and "files" meets "filed"), accents
  folded ("Jerí" meets "Jeri"), weighted by how rare it is in ordinary language. The weight is the
  word's surprise, ``-log10(frequency)``, less the surprise of the most common words, from wordfreq's
  frequency list of English, or for a word English does not know, of six other European languages. "the"
  weighs nothing, "charges" about 2.3, "Hezbollah" 3.7, and a word none of the lists knows (a name, a
  product) the most: what two posts share of such words says far more about whether they tell one story
  than what they share of "says" or "after". English comes first because names and abbreviations that
  are common words elsewhere ("EU" is Portuguese for "I") would otherwise weigh nothing.

Terms are worked out once per distinct word and kept (posts repeat words endlessly), so the lists load
and the stemmer runs only on a word's first appearance in a process.
"""

from __future__ import annotations

import math
import re
import unicodedata
import zlib
from dataclasses import dataclass
from functools import cache, lru_cache

import Stemmer

#: Weights are surprise in powers of ten above this: words at least 1 % of running text weigh nothing.
FLOOR = 2.0
#: The weight of a word rarer than any the lists know (about one in a million words), and the most any
#: word weighs.
RARE = 4.5
#: A number's weight: numbers shared say as much as a rare word.
NUMBER = 3.5
#: The languages whose word frequencies are read (wordfreq's compact lists), English first.
LANGUAGES = ("en", "de", "es", "fr", "pt", "it", "nl")

# Number words, each with the value it stands for.
_NUMBER_NAMES = (
    "zero", "one/first", "two/second", "three/third", "four/fourth", "five/fifth", "six/sixth",
    "seven/seventh", "eight/eighth", "nine/ninth", "ten/tenth", "eleven/eleventh", "twelve/twelfth",
)  # fmt: skip
_NUMBER_WORDS = {word: str(value) for value, pair in enumerate(_NUMBER_NAMES) for word in pair.split("/")}
_ROMAN = re.compile(r"x{0,3}(?:ix|iv|v?i{0,3})")
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10}
# Words after which a short Roman numeral ("Part I", "Vol. IV") is a number, not a pronoun or a letter.
SERIES_WORDS = frozenset(
    ("part", "parte", "pt", "vol", "volume", "chapter", "ch", "episode", "ep", "book", "season", "act",
     "phase", "no", "number", "issue", "war", "round", "stage", "level", "week", "day", "series")
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Term:
    """One word of a post as the measure sees it."""

    key: str  # the stem, or '#' and the number's digits
    hash: int  # 32-bit hash of ``key`` (stable across processes: the index stores it)
    weight: float
    number: bool

    @property
    def content(self) -> bool:
        """Whether the term says something about the subject (a number, or a word rarer than the commonest
        few hundred)."""
        return self.number or self.weight >= CONTENT


#: Words weighing at least this are content words: about one in ten thousand words of running text.
CONTENT = 1.5


@lru_cache(maxsize=65_536)
def term(word: str) -> Term:
    """The term of one normalised word (kept: words repeat)."""
    if any(c.isdigit() for c in word):
        return number_term(word.replace(",", ""))
    value = _NUMBER_WORDS.get(word)
    if value is not None:
        return number_term(value)
    stem = _stemmer().stemWord(_unaccented(word))
    return Term(stem, _hash(stem), weight(word), False)


@lru_cache(maxsize=4_096)
def number_term(digits: str) -> Term:
    key = "#" + digits
    return Term(key, _hash(key), NUMBER, True)


def weight(word: str) -> float:
    """How much sharing ``word`` says: its surprise in ordinary language above the commonest words'."""
    frequency = _frequencies().get(word)
    if frequency is None:
        return RARE
    return max(0.0, min(RARE, -math.log10(frequency) - FLOOR))


def roman(word: str) -> str | None:
    """The value of a Roman numeral up to 39 (lower case), or None."""
    if not _ROMAN.fullmatch(word):
        return None
    value = 0
    for at, letter in enumerate(word):
        digit = _ROMAN_VALUES[letter]
        following = _ROMAN_VALUES[word[at + 1]] if at + 1 < len(word) else 0
        value += -digit if following > digit else digit
    return str(value)


def _unaccented(word: str) -> str:
    if word.isascii():
        return word
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def _hash(key: str) -> int:
    return zlib.crc32(key.encode())


@cache
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


@cache
def _frequencies() -> dict[str, float]:
    """Word frequencies: English's, and for words English does not list the largest any other of
    ``LANGUAGES`` gives (loaded on first use: about half a second, once per process)."""
    from wordfreq import get_frequency_dict

    english = get_frequency_dict(LANGUAGES[0], "small")
    others: dict[str, float] = {}
    for language in LANGUAGES[1:]:
        for word, frequency in get_frequency_dict(language, "small").items():
            if word not in english and frequency > others.get(word, 0.0):
                others[word] = frequency
    return {**others, **english}
