"""The limits an import is read under, and the tally of records it skipped.

An export is untrusted input: a small zip can unpack into gigabytes, a line can be a gigabyte long, a
record can nest a hundred thousand levels deep. Each limit is a setting. A problem with one record skips
that record with a note (:class:`RecordError`); a problem with the file itself refuses the file with an
:class:`~botwarden.errors.InputError` naming the limit to raise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from botwarden.errors import InputError
from botwarden.typed_settings import Settings

#: How many skipped records are described one by one; the rest are counted.
NOTES_KEPT = 20


@dataclass(frozen=True, slots=True)
class ImportLimits:
    max_bytes: int = 1_000_000_000  # one file of an export, once unpacked
    max_record_bytes: int = 1_000_000  # one line of CSV / JSON Lines, one record of a JSON or CAR export
    max_field_chars: int = 100_000  # one text field
    max_depth: int = 64  # nesting of one record
    max_records: int = 1_000_000  # records in one export

    @classmethod
    def from_settings(cls, settings: Settings) -> ImportLimits:
        return cls(
            settings["import_max_bytes"],
            settings["import_max_record_bytes"],
            settings["import_max_field_chars"],
            settings["import_max_depth"],
            settings["import_max_records"],
        )


class RecordError(Exception):
    """One record cannot be read; it is skipped with this message as its note."""


@dataclass
class Tally:
    """Records seen and skipped in one export; more records than the limit refuses the export."""

    label: str
    limits: ImportLimits
    records: int = 0
    skipped: int = 0
    notes: list[str] = field(default_factory=list)

    def count(self) -> None:
        self.records += 1
        if self.records > self.limits.max_records:
            raise InputError(
                f"{self.label}: more than {self.limits.max_records:,} records; refused "
                "(raise the import_max_records setting, or split the export)"
            )

    def skip(self, where: str, why: str) -> None:
        self.skipped += 1
        if len(self.notes) < NOTES_KEPT:
            self.notes.append(f"{where}: {why}; skipped")


def depth_of(value: Any, limit: int) -> int:
    """How deep ``value`` nests (a scalar is 0), counting no further than ``limit`` + 1; iterative, so
    no depth can overflow the stack."""
    deepest = 0
    stack = [(value, 1)] if isinstance(value, (dict, list)) else []
    while stack:
        current, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            break
        children = current.values() if isinstance(current, dict) else current
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def check_depth(value: Any, limits: ImportLimits) -> None:
    if depth_of(value, limits.max_depth) > limits.max_depth:
        raise RecordError(f"nested more than {limits.max_depth} levels deep (setting import_max_depth)")
