"""Whole-word, case-insensitive matching of a term list.

The lists live in ``botwarden/language/data/`` (one term per line, ``#`` comments). Operators add their own
terms with the ``sensitive_terms`` and ``abusive_terms`` settings; the built-in lists are deliberately short
and conservative, since a false positive holds or refuses a harmless post.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from importlib.resources import files

import regex

from botwarden.language.tokens import WORD, words_of
from botwarden.similarity.stopwords import STOPWORDS


class TermList:
    def __init__(self, terms: Iterable[str]) -> None:
        self.terms = tuple(sorted({t.strip().casefold() for t in terms if t.strip()}, key=len, reverse=True))
        alternatives = "|".join(regex.escape(t) for t in self.terms) or r"(?!)"
        # Leetspeak-free, whole words only; '*' stands for one or more letters in a list entry.
        pattern = alternatives.replace(r"\*", r"\p{L}*")
        self._pattern = regex.compile(rf"(?<![\p{{L}}\p{{N}}])(?:{pattern})(?![\p{{L}}\p{{N}}])", regex.I)
        # What a text must hold for a term to match, looked for before the full pattern runs. Most terms
        # have whole ASCII words (none touching a '*'), which are then all among the text's words: each
        # such term is filed under its least common word. Any other term needs its longest plain piece
        # somewhere in the case-folded text.
        self._by_word: dict[str, list[frozenset[str]]] = {}
        pieces: set[str] = set()
        for term in self.terms:
            whole = _whole_ascii_words(term)
            if whole:
                rarest = max(whole, key=lambda word: (word not in STOPWORDS, len(word)))
                self._by_word.setdefault(rarest, []).append(frozenset(whole))
            else:
                pieces.add(max(term.replace("*", " ").split(), key=len, default=""))
        self._filed = frozenset(self._by_word)
        self._quick = "" not in pieces
        self._pieces = None
        if pieces and self._quick:
            self._pieces = re.compile("|".join(map(re.escape, sorted(pieces))))

    def _may_match(self, text: str) -> bool:
        if not self._quick:
            return True
        words = words_of(text)
        if not self._filed.isdisjoint(words):
            for word in self._filed & words:
                if any(needed <= words for needed in self._by_word[word]):
                    return True
        return self._pieces is not None and self._pieces.search(text.casefold()) is not None

    def find(self, *texts: str) -> list[str]:
        """The listed terms found in any of ``texts``, each once, in order of appearance."""
        found: list[str] = []
        for text in texts:
            if not text or not self._may_match(text):
                continue
            for match in self._pattern.finditer(text):
                term = match.group().casefold()
                if term not in found:
                    found.append(term)
        return found


def _whole_ascii_words(term: str) -> list[str]:
    """The words of a (case-folded) term that the pattern matches as whole words of the text: ASCII runs of
    letters and digits with no '*' beside them. A text region matching the term has these as its own
    words (the term's other characters, and the pattern's boundaries, are neither letters nor digits)."""
    return [
        m.group()
        for m in WORD.finditer(term)
        if m.group().isascii()
        and term[m.start() - 1 : m.start()] != "*"
        and term[m.end() : m.end() + 1] != "*"
    ]


def _data(name: str) -> list[str]:
    raw = files("botwarden.language").joinpath("data", name).read_text(encoding="utf-8")
    return [line.split("#", 1)[0].strip() for line in raw.splitlines()]


@cache
def _cached(name: str, extra: tuple[str, ...]) -> TermList:
    return TermList([*_data(name), *extra])


def sensitive_terms(extra: Iterable[str] = ()) -> TermList:
    """Profanity and adult or graphic terms: not for users who have not opted in (BW409)."""
    return _cached("sensitive.txt", tuple(extra))


def abusive_terms(extra: Iterable[str] = ()) -> TermList:
    """Harassing, hateful or violent phrases (BW803)."""
    return _cached("abusive.txt", tuple(extra))
