"""Route filters: which items a route posts. Matching is case-insensitive substring per field."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def _field_text(fields: Mapping[str, str | Sequence[str]], name: str) -> str:
    value = fields.get(name, "")
    return " ".join(value).casefold() if not isinstance(value, str) else value.casefold()


def passes(
    fields: Mapping[str, str | Sequence[str]],
    include: Mapping[Any, list[str]],
    exclude: Mapping[Any, list[str]],
) -> tuple[bool, str]:
    """(True, "") when the item should be posted, else (False, the reason)."""
    for name, words in exclude.items():
        text = _field_text(fields, name)
        for word in words:
            if word.casefold() in text:
                return False, f"{name} contains excluded '{word}'"
    for name, words in include.items():
        text = _field_text(fields, name)
        if words and not any(word.casefold() in text for word in words):
            return False, f"{name} contains none of {', '.join(repr(w) for w in words)}"
    return True, ""
