"""A text as ``asks`` reads it: its tokens (words, marks, links, e-mail addresses) cut into sentences.

A word is letters and digits, with apostrophes inside ("don't", "mother's"); a hyphen inside a word parts
it and is no token ("e-mail" is ``e``, ``mail``), so the words read here are the words ``words_of``
finds, which lets a quick look at the word set stand for a full reading. Dotted abbreviations are one
token ("D.O.B."). Every other character that is not a space is a mark of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_PIECES = (
    r"https?://\S+|www\.\S+",  # a link
    r"(?:[^\W\d_]\.){2,}",  # a dotted abbreviation
    r"[^\W_]+(?:['’][^\W_]+)*",  # a word
    r"(?<![^\W_])-|-(?![^\W_])|[^\s\w-]|_|\n",  # a mark (not a hyphen inside a word)
)
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_TOKEN = re.compile("|".join(_PIECES))
_TOKEN_OR_EMAIL = re.compile("|".join((_PIECES[0], _EMAIL, *_PIECES[1:])))
_ENDS = frozenset({".", "!", "?", ";", "\n", "…", "‼", "⁉", "|"})


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence's tokens as written (``raw``) and as compared (``norms``: case-folded, curly
    apostrophes straightened, links ``<url>``, e-mail addresses ``<email>``, abbreviations undotted)."""

    raw: list[str]
    norms: list[str]
    first: int  # the index of its first token among the text's

    def titled(self, i: int) -> bool:
        return self.raw[i].istitle() and is_word(self.norms[i])

    def capital(self, i: int) -> bool:
        return self.raw[i][:1].isupper()

    def shout(self, i: int) -> bool:
        """All capitals, as a keyword to reply with ("Reply YES")."""
        return len(self.raw[i]) > 1 and self.raw[i].isupper()


def _pattern(text: str) -> re.Pattern[str]:
    return _TOKEN_OR_EMAIL if "@" in text else _TOKEN


def sentences(text: str) -> Iterator[Sentence]:
    """The text's sentences, each ending with the mark that ended it ('?' matters)."""
    raw = _pattern(text).findall(text)
    # A word of letters and digits only is just case-folded; the rest are links, addresses, dotted
    # abbreviations, words with an apostrophe and marks.
    norms = [token.casefold() if token.isalnum() or len(token) == 1 else _norm(token) for token in raw]
    start = 0
    for i, norm in enumerate(norms):
        if norm in _ENDS:
            if i > start:
                yield Sentence(raw[start : i + 1], norms[start : i + 1], start)
            start = i + 1
    if start < len(norms):
        yield Sentence(raw[start:], norms[start:], start)


def spans(text: str) -> list[tuple[int, int]]:
    """Where each token of ``sentences`` stands in the text (read again only to quote a finding)."""
    return [match.span() for match in _pattern(text).finditer(text)]


def _norm(token: str) -> str:
    if token.startswith(("http://", "https://", "www.")):
        return "<url>"
    if "@" in token:
        return "<email>"
    if token[1] == "." and token.endswith("."):
        undotted = token.replace(".", "").casefold()
        return "u.s." if undotted == "us" else undotted  # "U.S." is not "us"
    return token.casefold().replace("’", "'")


def is_word(norm: str) -> bool:
    return norm[:1].isalnum() or norm[:1] == "<"
