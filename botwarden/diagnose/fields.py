"""Reading one field of an export's record, checked for its type and size: anything else is a
:class:`~botwarden.diagnose.bounds.RecordError` naming the field, and the record is skipped.

Times are read generously, since the networks and the tools that write exports differ: ISO 8601 in its
common forms (``Z`` or ``z``, a space for ``T``, any number of fraction digits, a leap second, 24:00),
RFC 2822 (X's archives), and Unix seconds. A time Python cannot hold (year 0000, 1e300, NaN) is a
RecordError, so one odd record never refuses the whole export.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from botwarden.diagnose.bounds import ImportLimits, RecordError

_LEAP_SECOND = re.compile(r"(?<=[T ]\d\d:\d\d):60", re.IGNORECASE)
_END_OF_DAY = re.compile(r"[T ]24:00(?::00(?:[.,]0+)?)?", re.IGNORECASE)
MAX_ID_CHARS = 256


def text(record: Mapping[str, Any], name: str, limits: ImportLimits, *, default: str = "") -> str:
    """A text field; missing or null is ``default``."""
    value = record.get(name)
    if value is None:
        return default
    if not isinstance(value, str):
        raise RecordError(f"'{name}' is {kind(value)}, not text")
    if len(value) > limits.max_field_chars:
        raise RecordError(
            f"'{name}' is {len(value):,} characters, over the {limits.max_field_chars:,} limit "
            "(import_max_field_chars)"
        )
    return value


def identifier(record: Mapping[str, Any], name: str) -> str | None:
    """An id: text or a whole number, of reasonable length."""
    value = record.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise RecordError(f"'{name}' is {kind(value)}, not an id")
    shown = value if isinstance(value, str) else _digits(value)
    if len(shown) > MAX_ID_CHARS:
        raise RecordError(f"'{name}' is {len(shown):,} characters long, not an id")
    return shown


def mapping(record: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = record.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RecordError(f"'{name}' is {kind(value)}, not an object")
    return value


def objects(record: Mapping[str, Any], name: str, *, shown: str = "") -> list[Mapping[str, Any]]:
    """A list of objects; any other element is an error naming it (as ``shown``, e.g. ``entities.urls``)."""
    value = record.get(name)
    shown = shown or name
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordError(f"'{shown}' is {kind(value)}, not a list")
    for number, element in enumerate(value):
        if not isinstance(element, dict):
            raise RecordError(f"'{shown}[{number}]' is {kind(element)}, not an object")
    return value


def links(record: Mapping[str, Any], name: str, limits: ImportLimits) -> list[str]:
    """A list of URLs, or one string of URLs separated by spaces or commas."""
    value = record.get(name)
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return text(record, name, limits).replace(",", " ").split()
    if not isinstance(value, list):
        raise RecordError(f"'{name}' is {kind(value)}, not a list of links")
    for number, link in enumerate(value):
        if not isinstance(link, str) or len(link) > limits.max_field_chars:
            raise RecordError(f"'{name}[{number}]' is {kind(link)}, not a link")
    return list(value)


def time(value: Any, name: str) -> datetime:
    """A time in UTC from the forms the exports use; RecordError naming the field when it is none."""
    if isinstance(value, bool) or value is None or value == "":
        raise RecordError(f"no time in '{name}'")
    if isinstance(value, (int, float)):
        return _from_seconds(value, name)
    if not isinstance(value, str):
        raise RecordError(f"'{name}' is {kind(value)}, not a time")
    stamp = value.strip()[:100]
    at = _iso(stamp)
    if at is None:
        try:
            at = parsedate_to_datetime(stamp)
        except (TypeError, ValueError, IndexError, OverflowError):
            raise RecordError(
                f"unreadable time {stamp!r} in '{name}' (use ISO 8601, e.g. 2026-03-21T09:00:00Z)"
            ) from None
    try:
        return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    except (OverflowError, ValueError):
        raise RecordError(f"the time {stamp!r} in '{name}' falls outside the years 1-9999") from None


def _iso(stamp: str) -> datetime | None:
    """ISO 8601, with a leap second read as :59 and 24:00 as the next midnight; None when not ISO."""
    if re.match(r"[+-]?\d{5,}-", stamp) or re.match(r"0000-", stamp):
        raise RecordError(f"the time {stamp!r} falls outside the years 1-9999")
    end_of_day = _END_OF_DAY.search(stamp)
    normal = _END_OF_DAY.sub("T00:00:00", stamp) if end_of_day else stamp
    normal = _LEAP_SECOND.sub(":59", normal)
    normal = re.sub(r"z$", "+00:00", normal, flags=re.IGNORECASE).replace("t", "T")
    try:
        at = datetime.fromisoformat(normal)
    except ValueError:
        return None
    try:
        return at + timedelta(days=1) if end_of_day else at
    except OverflowError:
        raise RecordError(f"the time {stamp!r} falls outside the years 1-9999") from None


def _from_seconds(value: float, name: str) -> datetime:
    if not math.isfinite(value):
        raise RecordError(f"the time {value!r} in '{name}' is not a number of seconds")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise RecordError(
            f"the time {_number(value)} in '{name}' (seconds since 1970) falls outside the years 1-9999"
        ) from None


def kind(value: Any) -> str:
    """A value's JSON kind, for a message."""
    if value is None:
        return "null"
    names = {
        bool: "true or false",
        int: "a number",
        float: "a number",
        str: "text",
        bytes: "bytes",
        list: "a list",
    }
    return next((name for cls, name in names.items() if isinstance(value, cls)), "an object")


def _digits(value: int) -> str:
    try:
        return str(value)
    except ValueError:  # more digits than Python converts
        return "9" * (MAX_ID_CHARS + 1)


def _number(value: float) -> str:
    return f"{value:.6g}"
