"""Characters a reader cannot see that change what a text says or how it reads (BW804; the composer
removes them from feed text).

- Direction overrides, embeddings and isolates (U+202A-U+202E, U+2066-U+2069): a right-to-left override
  makes ``moc.elpmaxe`` read as ``example.com``. Bluesky's automod flags posts holding U+202E
  (bluesky-social/indigo, automod/rules/misleading_unicode_reverse.go).
- Control characters (C0 but tab, newline and carriage return; DEL; C1).
- Invisible format characters that hide or split words: zero-width space, word joiner and the invisible
  mathematical operators, the Mongolian vowel separator, a byte-order mark inside the text, the
  interlinear annotation marks, and tag characters outside an emoji flag (they can carry hidden text).

Left alone: the zero-width joiner and non-joiner (emoji sequences, Persian and Indic scripts need them),
and the left-to-right and right-to-left marks, which steer only the characters beside them.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

_DIRECTION = "\u202a-\u202e\u2066-\u2069"
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_FORMAT = "\u200b\u2060-\u2064\u180e\ufeff\ufff9-\ufffb"
_TAGS = "\U000e0001\U000e0020-\U000e007f"
_HIDDEN = re.compile(f"[{_DIRECTION}{_CONTROL}{_FORMAT}]|[{_TAGS}]+")
_FLAG = "\U0001f3f4"  # a subdivision flag is U+1F3F4, tag letters, and the cancel tag U+E007F
_CANCEL_TAG = "\U000e007f"
_NAMES = {"\u180e": "MONGOLIAN VOWEL SEPARATOR"}


class Hidden(NamedTuple):
    at: int  # where it is in the text (in code points)
    char: str

    @property
    def code(self) -> str:
        return f"U+{ord(self.char):04X}"

    @property
    def name(self) -> str:
        return _NAMES.get(self.char) or unicodedata.name(self.char, "") or _control_name(self.char)

    @property
    def kind(self) -> str:
        if re.match(f"[{_DIRECTION}]", self.char):
            return "direction"
        if re.match(f"[{_CONTROL}]", self.char):
            return "control"
        return "invisible"


def hidden_characters(text: str) -> list[Hidden]:
    """The hidden characters of ``text``, in order (each tag character of a stray tag run once)."""
    if text.isascii() and text.isprintable():
        return []
    found: list[Hidden] = []
    for match in _HIDDEN.finditer(text):
        if _is_flag(text, match):
            continue
        found += [Hidden(match.start() + i, ch) for i, ch in enumerate(match.group(0))]
    return found


def without_hidden(text: str) -> str:
    """``text`` without its hidden characters (an emoji flag's tags stay)."""
    if text.isascii() and text.isprintable():
        return text
    return _HIDDEN.sub(lambda m: m.group(0) if _is_flag(text, m) else "", text)


def _is_flag(text: str, match: re.Match[str]) -> bool:
    run = match.group(0)
    return (
        run[0] >= "\U000e0001"
        and match.start() > 0
        and text[match.start() - 1] == _FLAG
        and run.endswith(_CANCEL_TAG)
    )


def _control_name(char: str) -> str:
    return "CONTROL CHARACTER" if unicodedata.category(char) == "Cc" else "FORMAT CHARACTER"
