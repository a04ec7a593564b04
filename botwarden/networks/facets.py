"""Bluesky rich-text facets found in a composed text: links, mentions and hashtags, with UTF-8 byte
offsets (Bluesky counts bytes, not characters). Mentions need the handle's DID, so a resolver is given."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import regex

_LINK = regex.compile(r"https?://[^\s]+")
_MENTION = regex.compile(
    r"(?<![\w@])@((?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z][a-zA-Z0-9-]*)"
)
_TAG = regex.compile(r"(?<![\w#])[#＃]((?!\d+\b)[^\s\p{P}\p{S}]+(?:[_-][^\s\p{P}\p{S}]+)*)")
_TRAILING = ".,;:!?\"')]}"

Resolve = Callable[[str], str | None]


def facets(text: str, resolve_handle: Resolve) -> list[dict[str, Any]]:
    """The facets of ``text`` in the app.bsky.richtext.facet shape, in text order."""
    found: list[tuple[int, int, dict[str, Any]]] = []
    for match in _LINK.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        found.append(
            (match.start(), match.start() + len(url), {"$type": "app.bsky.richtext.facet#link", "uri": url})
        )
    for match in _MENTION.finditer(text):
        if _inside(match.start(), found):
            continue
        did = resolve_handle(match.group(1).rstrip("."))
        if did:
            found.append(
                (match.start(), match.end(), {"$type": "app.bsky.richtext.facet#mention", "did": did})
            )
    for match in _TAG.finditer(text):
        tag = match.group(1)
        if _inside(match.start(), found) or len(tag) > 64:
            continue
        found.append((match.start(), match.end(), {"$type": "app.bsky.richtext.facet#tag", "tag": tag}))
    found.sort(key=lambda f: f[0])
    return [
        {"index": {"byteStart": _bytes(text, start), "byteEnd": _bytes(text, end)}, "features": [feature]}
        for start, end, feature in found
    ]


def _bytes(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _inside(position: int, found: list[tuple[int, int, dict[str, Any]]]) -> bool:
    return any(start <= position < end for start, end, _ in found)
