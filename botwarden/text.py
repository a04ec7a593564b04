"""Post length measured the way each network measures it.

- X: twitter-text's weighted length (config v3: most Latin text weighs 1, CJK and emoji 2, every URL 23),
  via the ``twitter-text-parser`` package, which passes the official conformance suite.
- Mastodon: grapheme clusters of the content warning and the text together; every URL the server's
  entity extraction finds counts 23 (punctuation after a link is text), a remote mention only its local
  part (``@user@server`` counts as ``@user``); the limit is the server's own (500 by default). See
  :mod:`botwarden.mastodon_length`.
- Bluesky: at most 300 grapheme clusters and 3,000 UTF-8 bytes; links count as written.
- local: measured like Mastodon with a 500 limit, so the demo network behaves like a real one.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from types import SimpleNamespace
from typing import Any

import regex

from botwarden.mastodon_length import countable_text


def load_x_patterns() -> None:
    """Import twitter-text now rather than on the first X measure (a server, before its first request)."""
    _twitter_text()


@cache
def _twitter_text() -> SimpleNamespace:
    """twitter-text's functions and patterns, imported on first use: compiling its emoji pattern takes a
    third of a second, which a command that never measures for X should not pay."""
    with warnings.catch_warnings():
        # twitter-text-parser imports pkg_resources, whose import warns that it is deprecated.
        warnings.simplefilter("ignore")
        from twitter_text import parse_tweet
        from twitter_text.extract_urls import extract_urls_with_indices
        from twitter_text.regexp.emoji import emoji
        from twitter_text.regexp.invalid_chars import invalid_chars
        from twitter_text.regexp.valid_cctld import valid_cctld
        from twitter_text.regexp.valid_gtld import valid_gtld
    tlds: set[str] = set()  # the TLDs its URL pattern accepts, read from the package's own alternations
    for pattern in (valid_gtld.pattern, valid_cctld.pattern):
        tlds.update(pattern[pattern.index("(?:(?:") + 6 : pattern.rindex(")(?=")].split("|"))
    return SimpleNamespace(
        parse_tweet=parse_tweet,
        extract_urls=extract_urls_with_indices,
        emoji=emoji,
        invalid=invalid_chars,
        tlds=frozenset(tlds),
    )


def top_level_domains() -> frozenset[str]:
    """The top-level domains twitter-text knows (IANA's list when the package was made), lower case."""
    tlds: frozenset[str] = _twitter_text().tlds
    return tlds


NETWORKS = ("x", "mastodon", "bluesky", "local")
DEFAULT_LIMITS = {"x": 280, "mastodon": 500, "bluesky": 300, "local": 500}
BLUESKY_MAX_BYTES = 3000
URL_WEIGHT = 23

# twitter-text v3 configuration (emoji count as 2, URLs as 23), as published with the conformance suite.
X_CONFIG: dict[str, Any] = {
    "version": 3,
    "max_weighted_tweet_length": 280,
    "scale": 100,
    "default_weight": 200,
    "emoji_parsing_enabled": True,
    "transformed_url_length": URL_WEIGHT,
    "ranges": [
        {"start": 0, "end": 4351, "weight": 100},
        {"start": 8192, "end": 8205, "weight": 100},
        {"start": 8208, "end": 8223, "weight": 100},
        {"start": 8242, "end": 8247, "weight": 100},
    ],
}

X_SCALE: int = X_CONFIG["scale"]
X_DEFAULT_WEIGHT: int = X_CONFIG["default_weight"]
_X_RANGES: tuple[tuple[int, int, int], ...] = tuple(
    (r["start"], r["end"], r["weight"]) for r in X_CONFIG["ranges"]
)
_LINE_ENDINGS = regex.compile(r"\r\n|\r|\n")
# Characters outside every range that weighs 100 (and that no earlier range overrides): only these need
# weighing one by one. Feed text is full of curly quotes and dashes (U+2010-U+201F), which weigh 100 but
# lie past the first range, so a text with one of them must not be weighed character by character.
_HEAVY = re.compile(
    "[^"
    + "".join(
        f"\\U{start:08x}-\\U{stop:08x}"
        for i, (start, stop, weight) in enumerate(_X_RANGES)
        if weight == 100 and not any(s <= stop and start <= e for s, e, _ in _X_RANGES[:i])
    )
    + "]"
)

_GRAPHEME = regex.compile(r"\X")


@dataclass(frozen=True, slots=True)
class Measure:
    """How long a text is on one network, and whether it fits."""

    network: str
    length: int
    limit: int
    valid: bool
    nbytes: int = 0


def graphemes(text: str) -> int:
    """Count user-perceived characters (extended grapheme clusters)."""
    if text.isascii():  # every ASCII character is a cluster of its own, but for CR LF
        return len(text) - text.count("\r\n")
    return len(_GRAPHEME.findall(text))


def measure(text: str, network: str, *, limit: int | None = None, content_warning: str = "") -> Measure:
    """Measure ``text`` as ``network`` counts it; ``limit`` overrides the network's default. Mastodon
    (and the local network, which counts like it) counts a status's ``content_warning`` with its text."""
    if network not in DEFAULT_LIMITS:
        raise ValueError(f"unknown network {network!r}: expected one of {', '.join(NETWORKS)}")
    cap = DEFAULT_LIMITS[network] if limit is None else limit
    if network == "x":
        return _measure_x(text, cap)
    if network == "bluesky":
        return _measure_bluesky(text, cap)
    return _measure_mastodon(text, network, cap, content_warning)


def _measure_x(text: str, cap: int) -> Measure:
    length, valid = x_weighted_length(text, cap)
    # twitter-text treats empty text as invalid; so does every network.
    return Measure("x", length, cap, valid and bool(text.strip()), len(text.encode()))


def x_weighted_length(text: str, cap: int = 280) -> tuple[int, bool]:
    """X's weighted length under the v3 configuration, and whether it is valid (fits ``cap`` and has no
    invalid characters).

    The same count as ``twitter_text.parse_tweet`` (URLs, emoji and invalid characters are found with the
    package's own patterns), many times faster: parse_tweet always runs its emoji pattern, which costs
    most of a measure, and weighs the text one character at a time through a list of dicts; here runs of
    plain text are weighed at once. ``bench/measure.py``
    compares the two; ``tests/test_text.py`` checks they agree on the conformance suite and random text.
    """
    if text.isascii() and "\r" not in text:
        return _ascii_weighted_length(text, cap)
    normalized = unicodedata.normalize("NFC", text)
    if "\r" in normalized:
        normalized = _LINE_ENDINGS.sub("\n", normalized)
    # Entities by start: a URL counts as its transformed length, an emoji sequence once at the default
    # weight. Where a URL and an emoji start together the URL wins, as in twitter-text.
    entities = {start: (span, URL_WEIGHT * X_SCALE) for start, span in _x_urls(normalized)}
    for start, span in _x_emoji(normalized):
        entities.setdefault(start, (span, X_DEFAULT_WEIGHT))
    weight, position, skipped = 0, 0, []
    for start in sorted(entities):
        if start < position:  # inside an entity already counted
            continue
        span, entity_weight = entities[start]
        weight += _plain_weight(normalized[position:start]) + entity_weight
        skipped.append((start, start + span - 1))  # twitter-text checks only an entity's last character
        position = start + span
    weight += _plain_weight(normalized[position:])
    # The invalid characters (U+FFFE, U+FEFF, U+FFFF) are never ASCII.
    valid = normalized.isascii() or not any(
        not any(a <= m.start() < b for a, b in skipped) for m in _twitter_text().invalid.finditer(normalized)
    )
    length = weight // X_SCALE
    return length, valid and 0 < length <= cap


def _ascii_weighted_length(text: str, cap: int) -> tuple[int, bool]:
    """``x_weighted_length`` of ASCII text without a carriage return: NFC leaves it as it is, it holds no
    emoji and no invalid character, and every character weighs one, so only its URLs change the count."""
    length, position = len(text), 0
    for start, span in _x_urls(text):  # in order of their start
        if start >= position:
            length += URL_WEIGHT - span
            position = start + span
    return length, 0 < length <= cap


# twitter-text's URLs and emoji never contain these separators, and its URL pattern looks at most one
# character either side of a match. So its patterns are run only on the words that can hold a match (with
# a character of context each side) instead of across the whole text: same matches, a fraction of the time.
_SEPARATORS = "\\x09-\\x0d\\x20\\x85\\xa0\\u1680\\u180e\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"


def _x_urls(text: str) -> list[tuple[int, int]]:
    """(start, length) of each URL twitter-text finds: only a word with a dot can hold one."""
    found = []
    for start, end in _dotted_words(text):
        word = text[start:end]
        if _is_plain_url(word):
            found.append((start, end - start))
            continue
        if not _may_hold_url(word):
            continue
        low, high = max(start - 1, 0), min(end + 1, len(text))
        found += [(at + low, length) for at, length in _urls_in_word(text[low:high])]
    return found


# A link as feeds and templates write it: scheme, an ASCII host of plain labels, a plain path and query
# (no port, fragment or parentheses) ending where twitter-text's pattern would end it. For such a word,
# the pattern's match is the whole word exactly when the last label is a TLD it knows: no need to run it.
# ASCII words only, matched by the standard library's engine (twice as quick here as ``regex``).
_PLAIN_URL = re.compile(
    r"https?://((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,63}))"  # host, its last label
    r"(?:/(?:[a-z0-9/_.~%=+-]*[a-z0-9/_=+-])?)?"  # path
    r"(?:\?[a-z0-9/_.~%=&+-]*[a-z0-9/_=&-])?",  # query
    re.IGNORECASE | re.ASCII,
)


def _is_plain_url(word: str) -> bool:
    plain = _PLAIN_URL.fullmatch(word) if word.isascii() else None
    if plain is None or len(word) > 4000:
        return False
    host, tld = plain.group(1), plain.group(2).lower()
    return tld in _twitter_text().tlds and len(host) <= 253 and host.lower() != "t.co"


# twitter-text's pattern needs a dot followed by a TLD it knows that stands alone (the next character is not
# an ASCII letter or digit, '@', '+' or '-'), or by punycode. An ASCII TLD is then this whole run after the
# dot; a TLD in another script begins right after the dot with a non-ASCII character.
_AFTER_DOT = re.compile(r"\.([0-9a-zA-Z@+-]*)(?=(.?))", re.DOTALL)


def _may_hold_url(word: str) -> bool:
    """Whether twitter-text could find a URL in this word: most dotted words are not links ("U.S.",
    "3.5%", "Node.js"), and asking its pattern costs more than the rest of a measure."""
    tlds = _twitter_text().tlds
    for run, following in _AFTER_DOT.findall(word):
        run = run.lower()
        if run in tlds or run.startswith("xn--") or (not run and following and not following.isascii()):
            return True
    return False


def _dotted_words(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each word holding a dot. Printable ASCII text, the usual post, has no separator but
    the space, so it is searched with str.find from dot to dot; other text from its dots outwards."""
    if not (text.isascii() and text.isprintable()):
        yield from _words_holding(text, _DOT)
        return
    dot = text.find(".")
    while dot != -1:
        end = text.find(" ", dot)
        end = len(text) if end == -1 else end
        yield text.rfind(" ", 0, dot) + 1, end
        dot = text.find(".", end)


@lru_cache(maxsize=4096)  # composing measures a post several times, and its check once more
def _urls_in_word(word: str) -> tuple[tuple[int, int], ...]:
    return tuple((u["indices"][0], len(u["url"])) for u in _twitter_text().extract_urls(word))


def _x_emoji(text: str) -> list[tuple[int, int]]:
    """(start, length) of each emoji sequence. Every one twitter-text knows holds © or ® or a character
    from U+203C (‼) up, so only words with one of those are scanned (accented Latin text is not)."""
    if text.isascii() or max(text) < "\u00a9":
        return []
    found = []
    for start, end in _words_holding(text, _EMOJI_HINT):
        emoji = _twitter_text().emoji.finditer(text[start:end])  # the word alone, as the pattern expects
        found += [(start + m.start(), len(m.group(0))) for m in emoji]
    return found


_DOT = re.compile(r"\.")
_EMOJI_HINT = re.compile("[\u00a9\u00ae\u203c-\U0010ffff]")
_SEPARATOR = regex.compile(f"[{_SEPARATORS}]")
_LAST_SEPARATOR = regex.compile(f"[{_SEPARATORS}]", regex.REVERSE)


def _words_holding(text: str, hint: re.Pattern[str]) -> Iterator[tuple[int, int]]:
    """(start, end) of each word (a run between separators) that holds a match of ``hint``, in order: found
    from the hints outwards, since most words of a post hold none."""
    position = 0
    while (found := hint.search(text, position)) is not None:
        at = found.start()
        after = _SEPARATOR.search(text, at)
        end = after.start() if after is not None else len(text)
        if end > at:  # the hint is not itself a separator
            before = _LAST_SEPARATOR.search(text, 0, at)
            yield (before.end() if before is not None else 0), end
        position = max(end, at + 1)


def _plain_weight(segment: str) -> int:
    if not segment:
        return 0
    if (
        segment.isascii() or max(segment) <= "\u10ff"
    ):  # all in the first range (Latin, Greek, Cyrillic, Arabic, Indic...)
        return 100 * len(segment)
    heavy = _HEAVY.findall(segment)
    return 100 * (len(segment) - len(heavy)) + sum(_x_char_weight(ord(char)) for char in heavy)


def _x_char_weight(code_point: int) -> int:
    for start, stop, weight in _X_RANGES:
        if start <= code_point <= stop:
            return weight
    return X_DEFAULT_WEIGHT


def weighted_length(text: str, published_config: Mapping[str, Any]) -> tuple[int, bool]:
    """X's weighted length and validity under a twitter-text configuration in its published JSON form
    (``maxWeightedTweetLength``, ``defaultWeight``, ``ranges``...), e.g. an older or newer version."""
    options = {
        "version": published_config["version"],
        "max_weighted_tweet_length": published_config["maxWeightedTweetLength"],
        "scale": published_config["scale"],
        "default_weight": published_config["defaultWeight"],
        "emoji_parsing_enabled": published_config.get("emojiParsingEnabled", False),
        "transformed_url_length": published_config["transformedURLLength"],
        "ranges": [dict(r) for r in published_config["ranges"]],
    }
    parsed = _twitter_text().parse_tweet(text, options=options)
    return parsed.weightedLength, bool(parsed.valid)


def _measure_mastodon(text: str, network: str, cap: int, content_warning: str) -> Measure:
    length = graphemes(content_warning + countable_text(text))
    valid = 0 < length <= cap and bool(text.strip())
    return Measure(network, length, cap, valid, len(text.encode()))


def _measure_bluesky(text: str, cap: int) -> Measure:
    normalised = unicodedata.normalize("NFC", text)
    length = graphemes(normalised)
    nbytes = len(normalised.encode())
    valid = 0 < length <= cap and nbytes <= BLUESKY_MAX_BYTES and bool(text.strip())
    return Measure("bluesky", length, cap, valid, nbytes)
