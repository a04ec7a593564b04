"""Reading a Bluesky repository export (a CAR file) block by block, in bounded memory.

A CAR (https://ipld.io/specs/transport/car/carv1/) is a header and then sections, each a varint length,
a CID and a DAG-CBOR block. Each block is decoded on its own with the ``atproto`` package's decoder, so
one damaged or hostile block is skipped with a note instead of refusing the export, and memory holds one
block at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from botwarden.diagnose.bounds import ImportLimits, RecordError, check_depth
from botwarden.diagnose.sources import Bounded
from botwarden.errors import InputError

#: Bytes every post record holds (its ``$type``); other blocks are passed over undecoded.
POST_TYPE = b"app.bsky.feed.post"


@dataclass(frozen=True, slots=True)
class Block:
    cid: bytes
    data: bytes


class CarReader:
    def __init__(self, source: Bounded, limits: ImportLimits) -> None:
        self._source = source
        self._limits = limits
        self._buf = b""
        self._pos = 0
        self.label = source.label
        self.roots: list[bytes] = []

    def read_header(self) -> None:
        size = self._varint("the header")
        if size is None or size > self._limits.max_record_bytes:
            raise InputError(f"{self.label}: not a readable CAR repository export (no usable header)")
        try:
            header = decode(self._take(size, "the header"))
        except RecordError as exc:
            raise InputError(f"{self.label}: not a readable CAR repository export ({exc})") from None
        roots = header.get("roots") if isinstance(header, dict) else None
        if not isinstance(roots, list) or header.get("version") != 1:
            raise InputError(f"{self.label}: not a readable CAR repository export (not a version 1 header)")
        self.roots = [root for root in roots if isinstance(root, bytes)]

    def blocks(self) -> Iterator[Block | RecordError]:
        """Each block, or a RecordError for one too large to keep (it is passed over)."""
        number = 0
        while (size := self._varint(f"block {number}")) is not None:
            number += 1
            if size > self._limits.max_record_bytes:
                self._pass_over(size)
                yield RecordError(
                    f"block {number}: {size:,} bytes, over the {self._limits.max_record_bytes:,} limit "
                    "(import_max_record_bytes)"
                )
                continue
            section = self._take(size, f"block {number}")
            cid_length = _cid_length(section)
            if cid_length is None:
                raise InputError(f"{self.label}: block {number}: not a CID; the file is damaged")
            yield Block(section[:cid_length], section[cid_length:])

    def _varint(self, where: str) -> int | None:
        value, shift = 0, 0
        for _ in range(10):
            byte = self._take(1, where, end_ok=not shift)
            if not byte:
                return None
            value |= (byte[0] & 0x7F) << shift
            if not byte[0] & 0x80:
                return value
            shift += 7
        raise InputError(f"{self.label}: {where}: a length that does not end; the file is damaged")

    def _take(self, size: int, where: str, *, end_ok: bool = False) -> bytes:
        while len(self._buf) - self._pos < size:
            data = self._source.read(max(size, 1 << 16))
            if not data:
                if end_ok and self._pos == len(self._buf):
                    return b""
                raise InputError(f"{self.label}: {where}: the file ends inside it; it is cut short")
            self._buf, self._pos = self._buf[self._pos :] + data, 0
        taken = self._buf[self._pos : self._pos + size]
        self._pos += size
        return taken

    def _pass_over(self, size: int) -> None:
        while size > 0:
            chunk = self._take(min(size, 1 << 16), "a block passed over")
            size -= len(chunk)


def decode(data: bytes, limits: ImportLimits | None = None) -> Any:
    """One DAG-CBOR block; RecordError when it is not one, or nests deeper than the limit."""
    from atproto_core.cbor import decode_dag  # type: ignore[import-untyped]  # only for Bluesky exports

    try:
        value = decode_dag(data)
    except RecursionError:
        raise RecordError("nested deeper than can be read") from None
    except Exception as exc:  # the decoder raises its own error types for damaged blocks
        if isinstance(exc.__cause__ or exc.__context__, RecursionError):
            raise RecordError("nested deeper than can be read") from None
        raise RecordError(f"not a readable DAG-CBOR block ({type(exc).__name__}: {exc})"[:200]) from None
    if limits is not None:
        check_depth(value, limits)
    return value


def cid_text(cid: bytes) -> str:
    from atproto_core.cid import CID  # type: ignore[import-untyped]

    try:
        return str(CID.decode(cid))
    except Exception:  # a CID this version of the SDK cannot print: its bytes still name it
        return cid.hex()


def _cid_length(section: bytes) -> int | None:
    """How long the CID at the start of a section is (CIDv0: a bare sha2-256 multihash; CIDv1: version,
    codec, then a multihash of code, length and digest)."""
    if section[:2] == b"\x12\x20":
        return 34 if len(section) >= 34 else None
    position: int | None = 0
    for _field in range(3):  # version, codec, hash code
        position = _skip_varint(section, position or 0)
        if position is None:
            return None
    digest = _read_varint(section, position or 0)
    if digest is None:
        return None
    length, position = digest
    end = position + length
    return end if end <= len(section) else None


def _skip_varint(data: bytes, position: int) -> int | None:
    found = _read_varint(data, position)
    return None if found is None else found[1]


def _read_varint(data: bytes, position: int) -> tuple[int, int] | None:
    value, shift = 0, 0
    while position < len(data) and shift < 64:
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, position
        shift += 7
    return None
