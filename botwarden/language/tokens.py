"""The case-folded words of a text, as a set: what the term lists and the asks for private data look for
before they run their full patterns.

A word here is a run of letters and digits; everything else (spaces, punctuation, ``_``, marks) separates
words. The full patterns bound their words by such characters, so a text whose word set lacks a needed
word cannot match them, and a set lookup says so in a fraction of a pattern's scan. Randomized tests in
``tests/test_rules.py`` hold each quick look to its full pattern.
"""

from __future__ import annotations

from functools import lru_cache

import regex

_ASCII_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789")
# Every byte that is not a lower-case ASCII letter or digit becomes a space (upper case is folded first).
_ASCII_SEPARATE = bytes(b if b in _ASCII_WORD_BYTES else 32 for b in range(256))
#: A word: what the term lists' patterns treat as one (their boundaries are neither letters nor digits).
WORD = regex.compile(r"[\p{L}\p{N}]+")


@lru_cache(maxsize=4096)  # several rules ask about the text being checked
def words_of(text: str) -> frozenset[str]:
    """The distinct case-folded runs of letters and digits in ``text``."""
    if text.isascii():
        return frozenset(text.lower().encode().translate(_ASCII_SEPARATE).decode().split())
    # Split first, then fold each word: folding can turn a mark beside a word into a letter (U+0345).
    return frozenset(word.casefold() for word in WORD.findall(text))
