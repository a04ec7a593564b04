"""Feed HTML to plain text: tags dropped, entities decoded, whitespace folded, invisible controls removed."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from botwarden.language.invisible import without_hidden

# What never belongs in a post: control characters but for newline and tab (a U+0008 in a feed title),
# the characters that override or isolate the direction of text around them (they can make a post
# read differently from what was checked), the byte-order mark and the two noncharacters X refuses,
# and lone surrogates, which no network can encode. The invisible characters BW804 flags (zero-width
# space, word joiner, stray tag characters...) go too: ``botwarden.language.invisible`` names them.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff\ud800-\udfff]"
)

_BLOCK_TAGS = frozenset({"p", "br", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr"})
_SKIP_TAGS = frozenset({"script", "style"})


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS and self._skipping:
            self._skipping -= 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def plain_text(markup: str) -> str:
    if "<" not in markup and "&" not in markup:
        return " ".join(without_controls(markup).split())
    collector = _TextCollector()
    collector.feed(markup)
    collector.close()
    return " ".join(without_controls(html.unescape("".join(collector.parts))).split())


def without_controls(text: str) -> str:
    """``text`` without control, direction-override and other invisible characters (newline and tab
    stay). Whitespace controls (CR, form feed, the separators) become spaces, so no words run together."""
    if text.isascii() and text.isprintable():
        return text
    return without_hidden(_INVISIBLE.sub(_replacement, text))


def _replacement(match: re.Match[str]) -> str:
    return " " if match.group(0).isspace() else ""
