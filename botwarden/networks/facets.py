"""Bluesky rich-text facets found in a composed text: links, mentions, hashtags and cashtags, with UTF-8
byte offsets (Bluesky counts bytes, not characters). Mentions need the handle's DID, so a resolver is
given; a handle it cannot resolve stays plain text.

Bluesky shows a link, a mention or a tag only where the record carries a facet for it, so the facets
follow what the reference client links (the rich-text detection of the atproto TypeScript package,
``packages/api/src/rich-text/detection.ts``, and the cases of its tests):

- a link starts at the beginning of the text, after white space or after ``(``: a URL with ``http(s)``,
  or a bare domain whose last label is a top-level domain (``example.com/page`` links to
  ``https://example.com/page``; ``e.g.`` and ``file.jpg`` link nothing). Sentence punctuation after it
  is text, and so is a closing bracket the URL did not open, so
  ``(https://en.wikipedia.org/wiki/Mercury_(planet))`` links ``…Mercury_(planet)``;
- a mention is ``@`` and a handle whose last label is a top-level domain (or ``.test``);
- a tag is ``#`` (or the full-width ``＃``) after white space and runs to the next space or invisible
  character (zero-width spaces and joiners, the soft hyphen, U+20E2); it may not begin with U+FE0F or
  the keycap mark (``#️⃣`` is an emoji), needs a character that is neither a digit nor punctuation,
  drops trailing punctuation, and is at most 64 graphemes (and 640 bytes, the lexicon's limits);
- a cashtag is ``$`` and one to five letters or digits, the first a letter, before white space or
  sentence punctuation; it is a tag facet with the ticker in capitals (``$aapl`` → ``$AAPL``).

Facets never overlap: a link is found first, and a mention, tag or cashtag inside it is part of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import regex

from botwarden.text import graphemes, top_level_domains

Resolve = Callable[[str], str | None]
Found = tuple[int, int, dict[str, Any]]  # start, end (character offsets), feature

# White space as the reference client's patterns see it (JavaScript's \s).
_SPACE = "\\t\\n\\x0b\\x0c\\r \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
_LEAD = f"(?:^|(?<=[{_SPACE}(]))"  # the start, white space or "("
# Letters spelled in both cases rather than matched case-insensitively, which in Unicode would also admit
# the long s and the Kelvin sign.
_LINK = regex.compile(
    f"{_LEAD}(?:[Hh][Tt][Tt][Pp][Ss]?://[^{_SPACE}]+"
    f"|(?P<domain>[A-Za-z][A-Za-z0-9]*(?:\\.[A-Za-z0-9]+)+)[^{_SPACE}]*)"
)
_ASCII_WORD_BOUNDARY = "(?:(?<=[A-Za-z0-9_])(?![A-Za-z0-9_])|(?<![A-Za-z0-9_])(?=[A-Za-z0-9_]))"
_MENTION = regex.compile(f"{_LEAD}@([a-zA-Z0-9.-]+){_ASCII_WORD_BOUNDARY}")
_INVISIBLE = "\\u00ad\\u2060\\u200a\\u200b\\u200c\\u200d\\u20e2"
_TAG = regex.compile(
    f"(?:^|(?<=[{_SPACE}]))[#\uff03]"
    f"((?![\\ufe0f\\u20e3])[^{_SPACE}{_INVISIBLE}]*[^0-9{_SPACE}\\p{{P}}{_INVISIBLE}]+"
    f"[^{_SPACE}{_INVISIBLE}]*)"
)
_TRAILING_PUNCTUATION = regex.compile(r"\p{P}+$")
_CASHTAG = regex.compile(f"{_LEAD}\\$([A-Za-z][A-Za-z0-9]{{0,4}})(?=[{_SPACE}]|$|[.,;:!?)\"'\u2019])")
TAG_MAX_GRAPHEMES = 64
TAG_MAX_BYTES = 640
_SENTENCE_END = frozenset(".,;:!?")
_CLOSERS = {")": "(", "]": "[", "}": "{"}


def facets(text: str, resolve_handle: Resolve) -> list[dict[str, Any]]:
    """The facets of ``text`` in the app.bsky.richtext.facet shape, in text order."""
    kept: list[Found] = []
    for found in (*_links(text), *_mentions(text, resolve_handle), *_tags(text), *_cashtags(text)):
        if not any(start < found[1] and found[0] < end for start, end, _ in kept):
            kept.append(found)
    kept.sort(key=lambda f: f[0])
    return [
        {"index": {"byteStart": _bytes(text, start), "byteEnd": _bytes(text, end)}, "features": [feature]}
        for start, end, feature in kept
    ]


def _links(text: str) -> Iterator[Found]:
    if "." not in text:
        return
    for match in _LINK.finditer(text):
        domain = match.group("domain")
        if domain is not None and not is_domain(domain):
            continue
        url = _trim(match.group(0))
        if url.lower() in ("http://", "https://"):
            continue
        uri = url if domain is None else "https://" + url
        yield match.start(), match.start() + len(url), {"$type": "app.bsky.richtext.facet#link", "uri": uri}


def _trim(url: str) -> str:
    """``url`` without the sentence punctuation after it and the closing brackets it did not open."""
    end = len(url)
    while end > 0 and (url[end - 1] in _SENTENCE_END or _unopened(url, end)):
        end -= 1
    return url[:end]


def _unopened(url: str, end: int) -> bool:
    """Whether the character before ``end`` closes a bracket that ``url[:end]`` did not open."""
    closer = url[end - 1]
    opener = _CLOSERS.get(closer)
    return opener is not None and url.count(closer, 0, end) > url.count(opener, 0, end)


def is_domain(name: str) -> bool:
    """Whether ``name`` ends in a known top-level domain, as the reference client decides a bare domain
    or a handle is one."""
    head, dot, tld = name.rpartition(".")
    return bool(head and dot) and tld.lower() in top_level_domains()


def _mentions(text: str, resolve_handle: Resolve) -> Iterator[Found]:
    if "@" not in text:
        return
    for match in _MENTION.finditer(text):
        handle = match.group(1)
        if not (is_domain(handle) or handle.lower().endswith(".test")):
            continue
        did = resolve_handle(handle)
        if did:
            yield match.start(), match.end(), {"$type": "app.bsky.richtext.facet#mention", "did": did}


def _tags(text: str) -> Iterator[Found]:
    if "#" not in text and "\uff03" not in text:
        return
    for match in _TAG.finditer(text):
        tag = _TRAILING_PUNCTUATION.sub("", match.group(1))
        if not tag or graphemes(tag) > TAG_MAX_GRAPHEMES or len(tag.encode()) > TAG_MAX_BYTES:
            continue
        start = match.start()
        yield start, start + 1 + len(tag), {"$type": "app.bsky.richtext.facet#tag", "tag": tag}


def _cashtags(text: str) -> Iterator[Found]:
    if "$" not in text:
        return
    for match in _CASHTAG.finditer(text):
        tag = "$" + match.group(1).upper()
        yield match.start(), match.end(), {"$type": "app.bsky.richtext.facet#tag", "tag": tag}


def _bytes(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))
