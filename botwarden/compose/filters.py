"""Route filters: which items a route posts, and in words why one is not.

A filter lists patterns per field (title, summary, link, categories, author). A pattern is a plain piece
of text (found anywhere in the field, case-insensitively) or a regular expression written between slashes
(``/\\bstorm(s)?\\b/``, searched case-insensitively). A leading ``!`` turns a pattern round: ``!sport`` is
"does not contain sport". Under ``include`` each listed field must match at least one of its patterns;
under ``exclude`` an item that matches any pattern is skipped.

Patterns come from the operator but the text they run on comes from feeds, so a regular expression gets a
time limit: one that runs out on an item skips that item (and says so) rather than stall the worker.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import regex

FIELDS = ("title", "summary", "link", "categories", "author")
# Long enough for any sane pattern on a feed's field; short enough that a pathological one cannot stall.
REGEX_SECONDS = 0.05


class PatternError(ValueError):
    """A filter pattern that cannot be used; the message says which and why."""


@dataclass(frozen=True, slots=True)
class Pattern:
    written: str  # as the operator wrote it, for messages
    text: str  # the plain text, or the regular expression's source
    is_regex: bool
    negated: bool

    def matches(self, value: str) -> bool:
        """Whether one value matches (before negation). Raises TimeoutError for a runaway expression."""
        if not self.is_regex:
            return self.text.casefold() in value.casefold()
        return _compiled(self.text).search(value, timeout=REGEX_SECONDS) is not None

    def holds(self, values: Sequence[str]) -> bool:
        """Whether the pattern holds for a field (any of its values matches), ``!`` included."""
        return any(self.matches(value) for value in values) != self.negated

    def describe(self) -> str:
        shown = f"/{self.text}/" if self.is_regex else repr(self.text)
        return f"not {shown}" if self.negated else shown


def parse_pattern(written: str) -> Pattern:
    """One pattern as written in the configuration; PatternError says what is wrong with it."""
    body, negated = (written[1:], True) if written.startswith("!") else (written, False)
    if len(body) >= 2 and body.startswith("/") and body.endswith("/"):
        source = body[1:-1]
        try:
            _compiled(source)
        except regex.error as exc:
            raise PatternError(f"{written!r} is not a valid regular expression ({exc})") from None
        return Pattern(written, source, True, negated)
    if not body:
        raise PatternError(f"{written!r} matches nothing: write the text to look for")
    return Pattern(written, body, False, negated)


@lru_cache(maxsize=1024)
def _compiled(source: str) -> regex.Pattern[str]:
    return regex.compile(source, regex.IGNORECASE | regex.V1)


@dataclass(frozen=True, slots=True)
class Filters:
    include: Mapping[str, tuple[Pattern, ...]]
    exclude: Mapping[str, tuple[Pattern, ...]]

    @classmethod
    def parse(cls, include: Mapping[Any, Sequence[str]], exclude: Mapping[Any, Sequence[str]]) -> Filters:
        return cls(
            {name: tuple(parse_pattern(p) for p in patterns) for name, patterns in include.items()},
            {name: tuple(parse_pattern(p) for p in patterns) for name, patterns in exclude.items()},
        )

    def why_not(self, fields: Mapping[str, str | Sequence[str]]) -> str:
        """Empty when the item passes, else why it does not."""
        try:
            return self._why_not(fields)
        except TimeoutError:
            return f"a regular expression of the route's filters ran over {REGEX_SECONDS:g} s on this item"

    def _why_not(self, fields: Mapping[str, str | Sequence[str]]) -> str:
        for name, patterns in self.exclude.items():
            values = _values(fields, name)
            for pattern in patterns:
                if pattern.holds(values):
                    return _excluded(name, pattern)
        for name, patterns in self.include.items():
            values = _values(fields, name)
            if patterns and not any(pattern.holds(values) for pattern in patterns):
                wanted = ", ".join(pattern.describe() for pattern in patterns)
                return f"{name} matches none of the included {wanted}"
        return ""


def _excluded(name: str, pattern: Pattern) -> str:
    if pattern.negated:
        shown = Pattern(pattern.written, pattern.text, pattern.is_regex, False).describe()
        return f"{name} does not match {shown} (excluded with {pattern.written!r})"
    return f"{name} matches excluded {pattern.describe()}"


def _values(fields: Mapping[str, str | Sequence[str]], name: str) -> Sequence[str]:
    """A field's values: one text, or each of a list's (a pattern is matched against each category)."""
    value = fields.get(name, "")
    return (value,) if isinstance(value, str) else value


def passes(
    fields: Mapping[str, str | Sequence[str]],
    include: Mapping[str, Sequence[str]],
    exclude: Mapping[str, Sequence[str]],
) -> tuple[bool, str]:
    """(True, "") when the item should be posted, else (False, the reason)."""
    why = Filters.parse(include, exclude).why_not(fields)
    return not why, why
