"""A status's length as a Mastodon server counts it.

Mastodon's ``StatusLengthValidator`` (app/validators/status_length_validator.rb) counts grapheme clusters
of the content warning and the text together. In the text, each URL that its entity extraction finds
counts as 23 characters and a remote mention as its local part only (``@alice@example.social`` counts as
``@alice``); everything else counts as written. The extraction is twitter-text's
(app/lib/extractor.rb) with the patterns Mastodon changes in config/initializers/twitter_regex.rb:

- only a URL with a scheme counts (``http``, ``https`` and a few others such as ``gemini``); a bare
  domain is text;
- a path may hold almost anything but spaces, ``<``, ``>`` and unbalanced parentheses, but it never
  ends in sentence punctuation: in ``(https://example.org/a).`` the ``)`` and ``.`` are text, while
  ``https://en.wikipedia.org/wiki/Mercury_(planet)`` keeps its balanced parentheses;
- a URL must have a domain with a known top-level domain, and one longer than 4,096 characters is text;
- a mention whose domain is longer than 253 characters is text.

Those rules are written here in Python over the twitter-text package's own domain, port and preceding-
character patterns (the package the X count uses).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from functools import cache, lru_cache

import regex

URL_PLACEHOLDER_LENGTH = 23
MAX_URL_LENGTH = 4096
MAX_MENTION_DOMAIN_LENGTH = 253
_SCHEMES = "https?|dat|dweb|ipfs|ipns|ssb|gopher|gemini"

# Unicode White_Space, which ends a path.
_WHITE_SPACE = "\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
# The characters a query may hold beyond ASCII (Mastodon adds the IRI ranges of RFC 3987).
_IRI_CHARS = (
    "\\u00a0-\\ud7ff\\uf900-\\ufdcf\\ufdf0-\\uffef\\U00010000-\\U0001fffd\\U00020000-\\U0002fffd"
    "\\U00030000-\\U0003fffd\\U00040000-\\U0004fffd\\U00050000-\\U0005fffd\\U00060000-\\U0006fffd"
    "\\U00070000-\\U0007fffd\\U00080000-\\U0008fffd\\U00090000-\\U0009fffd\\U000a0000-\\U000afffd"
    "\\U000b0000-\\U000bfffd\\U000c0000-\\U000cfffd\\U000d0000-\\U000dfffd\\U000e1000-\\U000efffd"
    "\\U0000e000-\\U0000f8ff\\U000f0000-\\U000ffffd\\U00100000-\\U0010fffd"
)
# No URL spans one of these (a path ends at white space, a query holds no ASCII white space), so the
# pattern runs only on the words that hold "://", with a character of context either side.
_WORD_BREAKS = frozenset("\t\n\x0b\x0c\r \x85")


@cache
def _url_pattern() -> re.Pattern[str]:
    """Mastodon's URL pattern: twitter-text's, with the path and query rules Mastodon replaces."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the package imports pkg_resources, which warns
        from twitter_text.regexp.valid_domain import valid_domain
        from twitter_text.regexp.valid_port_number import valid_port_number
        from twitter_text.regexp.valid_url_balanced_parens import valid_url_balanced_parens
        from twitter_text.regexp.valid_url_preceding_chars import valid_url_preceding_chars
    path_char = f"[^{_WHITE_SPACE}<>()?]"
    balanced = f"\\((?:{path_char}+|(?:{path_char}*\\({path_char}+\\){path_char}*))\\)"
    # Mastodon defines its path ending before its own balanced parentheses, so the ending keeps
    # twitter-text's narrower parenthesised form.
    path_end = (
        f"(?:[^{_WHITE_SPACE}()?!*\"'\u300c\u300d<>;:=,.$%\\[\\]~&|@]"
        f"|(?:{valid_url_balanced_parens.pattern}))"
    )
    path = f"(?:(?:{path_char}*(?:{balanced}{path_char}*)*{path_end})|(?:{path_char}+/))"
    query = f"[a-z0-9!?*'();:&=+$/%#\\[\\]\\-_.,~|@^{_IRI_CHARS}]"
    query_end = f"[a-z0-9_&=#/\\-{_IRI_CHARS}]"
    return re.compile(
        f"(({valid_url_preceding_chars.pattern})"  # 2: the character before
        f"((?:({_SCHEMES})://)?"  # 3: the URL, 4: its scheme
        f"({valid_domain.pattern})"  # 5: the domain
        f"(?::(?:{valid_port_number.pattern}))?"
        f"(?:/{path}*)?"
        f"(?:\\?{query}*{query_end})?))",
        re.IGNORECASE,
    )


_USERNAME = "[a-z0-9_]+(?:[a-z0-9_.-]+[a-z0-9_]+)?"
_WORD = "[\\p{L}\\p{M}\\p{Nd}\\p{Pc}]"
_MENTION = regex.compile(
    f"(?<![=/]|{_WORD})@(({_USERNAME})(?:@([{_WORD[1:-1]}.-]+{_WORD}+))?)", regex.IGNORECASE
)
# What may not follow a mention: another at sign, a Latin letter with an accent, or a scheme's "://".
_AFTER_MENTION = regex.compile(
    "[@\uff20\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b"
    "\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff]|://"
)

Entity = tuple[int, int, str]  # start, end, what it counts as


def countable_text(text: str) -> str:
    """``text`` with each URL replaced by 23 characters and each remote mention by its local part."""
    if not text.strip():
        return ""
    entities = _without_overlaps(sorted([*_urls(text), *_mentions(text)]))
    if not entities:
        return text
    parts, position = [], 0
    for start, end, replacement in entities:
        parts += [text[position:start], replacement]
        position = end
    parts.append(text[position:])
    return "".join(parts)


def _without_overlaps(entities: list[Entity]) -> list[Entity]:
    kept: list[Entity] = []
    for entity in entities:
        if not kept or kept[-1][1] <= entity[0]:
            kept.append(entity)
    return kept


def _urls(text: str) -> Iterator[Entity]:
    """Each URL with a scheme: only a word holding "://" can hold one."""
    if "://" not in text:
        return
    for start, end in _words_with_scheme(text):
        low, high = max(start - 1, 0), min(end + 1, len(text))
        for at, length in _urls_in(text[low:high]):
            yield low + at, low + at + length, "x" * URL_PLACEHOLDER_LENGTH


def _words_with_scheme(text: str) -> Iterator[tuple[int, int]]:
    at = text.find("://")
    while at != -1:
        start, end = at, at + 3
        while start > 0 and text[start - 1] not in _WORD_BREAKS:
            start -= 1
        while end < len(text) and text[end] not in _WORD_BREAKS:
            end += 1
        yield start, end
        at = text.find("://", end)


@lru_cache(maxsize=4096)  # composing measures the same link many times
def _urls_in(word: str) -> tuple[tuple[int, int], ...]:
    found = []
    for match in _url_pattern().finditer(word):
        url, scheme, domain = match.group(3), match.group(4), match.group(5)
        if scheme is None or not _fits_url_length(url, domain):
            continue
        found.append((match.start(3), len(url)))
    return tuple(found)


def _fits_url_length(url: str, domain: str) -> bool:
    """twitter-text's domain check: the domain must have an ASCII form, and the URL with that form must
    not pass 4,096 characters."""
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except (UnicodeError, ValueError):
        return False
    return len(url) + max(0, len(ascii_domain) - len(domain)) <= MAX_URL_LENGTH


def _mentions(text: str) -> Iterator[Entity]:
    if "@" not in text:
        return
    for match in _MENTION.finditer(text):
        if _AFTER_MENTION.match(text, match.end()):
            continue
        domain = match.group(3)
        if domain is not None and len(domain) > MAX_MENTION_DOMAIN_LENGTH:
            continue
        yield match.start(), match.end(), "@" + match.group(2)
