"""Reading a large JSON document record by record, in bounded memory.

The exports put their records in one long array (X's ``tweets.js``, Mastodon's ``orderedItems``). This
reader walks the document's outer structure itself and hands each record to the standard decoder, so
memory holds one record (at most the record limit) and never the document. A record the decoder cannot
take (nested deeper than Python allows, a number of thousands of digits) or one over the limits is
skipped with a :class:`~botwarden.diagnose.bounds.RecordError`; a document that is not JSON, a record
larger than the record limit or a gap of blank space as large are refused with an
:class:`~botwarden.errors.InputError` giving the line.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from typing import Any

from botwarden.diagnose.bounds import ImportLimits, RecordError, check_depth
from botwarden.diagnose.sources import Bounded
from botwarden.errors import InputError

_BLANK = re.compile(r"[ \t\n\r]*")
#: Strings and brackets: enough to find where a value the decoder refused ends.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_DECODER = json.JSONDecoder()
_READ = 1 << 20


class Skipped:
    """A record of an array that could not be read, and why."""

    def __init__(self, why: str) -> None:
        self.why = why


class JsonStream:
    def __init__(self, source: Bounded, limits: ImportLimits) -> None:
        self._source = source
        self._decode = codecs.getincrementaldecoder("utf-8-sig")()
        self._limits = limits
        self.label = source.label
        self._buf = ""
        self._pos = 0
        self._eof = False
        self.line = 1

    # -- the outer structure --------------------------------------------------------------------------

    def skip_prefix(self, pattern: re.Pattern[str]) -> bool:
        """Step over ``pattern`` (e.g. ``window.YTD.tweets.part0 =``) at the start, if it is there."""
        self._fill(4096)
        match = pattern.match(self._buf, self._pos)
        if match:
            self._advance(match.end())
        return bool(match)

    def peek(self) -> str:
        self._skip_blank()
        self._fill(1)
        return self._buf[self._pos] if self._pos < len(self._buf) else ""

    def expect(self, char: str, what: str) -> None:
        found = self.peek()
        if found != char:
            shown = repr(found) if found else "the end of the file"
            raise InputError(f"{self.label}: line {self.line}: expected {what}, found {shown}")
        self._advance(self._pos + 1)

    def array(self) -> Iterator[Any]:
        """Each element of the array that starts here: its value, or :class:`Skipped`."""
        self.expect("[", "a list ('[')")
        if self.peek() == "]":
            self._advance(self._pos + 1)
            return
        while True:
            try:
                yield self.value()
            except RecordError as exc:
                yield Skipped(str(exc))
            if self.peek() == "]":
                self._advance(self._pos + 1)
                return
            self.expect(",", "',' or ']' after a record")

    def members(self) -> Iterator[str]:
        """Each key of the object that starts here; the caller reads its value before the next key."""
        self.expect("{", "an object ('{')")
        if self.peek() == "}":
            self._advance(self._pos + 1)
            return
        while True:
            if self.peek() != '"':
                self.expect('"', "a key")
            key = self.value()
            self.expect(":", "':' after a key")
            yield str(key)
            if self.peek() == "}":
                self._advance(self._pos + 1)
                return
            self.expect(",", "',' or '}' after a value")

    def end(self) -> None:
        if self.peek():
            raise InputError(f"{self.label}: line {self.line}: more text after the JSON document")

    # -- one value ------------------------------------------------------------------------------------

    def value(self) -> Any:
        """The next value, decoded; RecordError (past the value) when it cannot be used."""
        self._skip_blank()
        limit = self._limits.max_record_bytes
        ahead = _READ
        while True:
            self._fill(ahead)
            start = self._pos
            try:
                value, end = _DECODER.raw_decode(self._buf, start)
            except json.JSONDecodeError as exc:
                if self._eof or len(self._buf) - start > limit:
                    self._refuse(exc, start)
            except (RecursionError, ValueError) as exc:  # deeper than Python decodes; 5,000-digit numbers
                self._fill(limit)
                self._advance(self._value_end(start))
                raise RecordError(_undecodable(exc)) from None
            else:
                if end < len(self._buf) or self._eof:  # a value touching the end may go on past it
                    break
            ahead = min(2 * ahead, limit + 1)
        if end - start > limit:  # refused whether or not it happened to fit in what was read
            raise InputError(
                f"{self.label}: line {self.line}: a record longer than {limit:,} characters; refused "
                "(setting import_max_record_bytes)"
            )
        self._advance(end)
        check_depth(value, self._limits)
        return value

    def _refuse(self, exc: json.JSONDecodeError, start: int) -> None:
        limit = self._limits.max_record_bytes
        if not self._eof and (exc.pos >= start + limit or exc.msg.startswith("Unterminated")):
            raise InputError(
                f"{self.label}: line {self.line}: a record longer than {limit:,} characters; refused "
                "(setting import_max_record_bytes)"
            )
        line = self.line + self._buf.count("\n", start, exc.pos)
        column = exc.pos - self._buf.rfind("\n", 0, exc.pos)  # counted from the buffer's start at worst
        raise InputError(f"{self.label}: line {line}, column {column}: not valid JSON ({exc.msg})") from None

    def _value_end(self, start: int) -> int:
        """Where the value at ``start`` ends, found from its brackets alone."""
        if self._buf[start] not in "[{":
            number = _NUMBER.match(self._buf, start)
            if number:
                return number.end()
        depth = 0
        for token in _TOKENS.finditer(self._buf, start, start + self._limits.max_record_bytes):
            text = token.group()
            if text[0] != '"':
                depth += 1 if text in "[{" else -1
                if depth == 0:
                    return token.end()
        raise InputError(f"{self.label}: line {self.line}: a record that cannot be read or skipped; refused")

    # -- the buffer -----------------------------------------------------------------------------------

    def _skip_blank(self) -> None:
        run = 0
        while True:
            end = _BLANK.match(self._buf, self._pos).end()  # type: ignore[union-attr]
            run += end - self._pos
            self._advance(end)
            if self._pos < len(self._buf) or self._eof:
                return
            if run > self._limits.max_record_bytes:
                raise InputError(
                    f"{self.label}: line {self.line}: over {self._limits.max_record_bytes:,} characters of "
                    "blank space in a row; refused"
                )
            self._fill(1)

    def _fill(self, ahead: int) -> None:
        """Read until ``ahead`` characters are buffered past the position, or the end."""
        while not self._eof and len(self._buf) - self._pos < ahead:
            if self._pos > _READ:
                self._buf, self._pos = self._buf[self._pos :], 0
            data = self._source.read(_READ)
            try:
                text = self._decode.decode(data, final=not data)
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{self.label}: not UTF-8 text near line {self.line} ({exc.reason})"
                ) from None
            self._buf += text
            self._eof = not data

    def _advance(self, end: int) -> None:
        self.line += self._buf.count("\n", self._pos, end)
        self._pos = end


def _undecodable(exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return "nested deeper than can be read"
    return f"a value that cannot be read ({exc})"[:200]
