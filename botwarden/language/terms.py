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


class TermList:
    def __init__(self, terms: Iterable[str]) -> None:
        self.terms = tuple(sorted({t.strip().casefold() for t in terms if t.strip()}, key=len, reverse=True))
        alternatives = "|".join(regex.escape(t) for t in self.terms) or r"(?!)"
        # Leetspeak-free, whole words only; '*' stands for one or more letters in a list entry.
        pattern = alternatives.replace(r"\*", r"\p{L}*")
        self._pattern = regex.compile(rf"(?<![\p{{L}}\p{{N}}])(?:{pattern})(?![\p{{L}}\p{{N}}])", regex.I)
        # The longest plain piece of each term, looked for in the case-folded text first: a text holding
        # none of them holds no term, and a plain substring search says so in half the time.
        needles = {max(t.replace("*", " ").split(), key=len, default="") for t in self.terms}
        self._needles = None if "" in needles else re.compile("|".join(map(re.escape, sorted(needles))))

    def find(self, *texts: str) -> list[str]:
        """The listed terms found in any of ``texts``, each once, in order of appearance."""
        found: list[str] = []
        for text in texts:
            if not text or (self._needles is not None and self._needles.search(text.casefold()) is None):
                continue
            for match in self._pattern.finditer(text):
                term = match.group().casefold()
                if term not in found:
                    found.append(term)
        return found


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
