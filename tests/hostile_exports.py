"""Hostile account exports, written at test time (none is committed): archives that unpack into
gigabytes, gigabyte lines, 100,000-level nesting, encrypted and oddly compressed zips, fields of the
wrong type or size, times no calendar holds. Each file also holds good records where the case allows,
so a test can tell "skipped one record" from "read nothing".

The 3 GiB archives are made in milliseconds: a deflate segment ended with a full flush does not depend
on what came before it, so one compressed 16 MiB run of spaces repeated 192 times is a valid stream.
"""

from __future__ import annotations

import json
import os
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .exports import RawCbor, car_file

GIB = 1 << 30
DEEP = 100_000
START = datetime(2026, 3, 1, 9, tzinfo=UTC)


@dataclass(frozen=True)
class Case:
    """One hostile export: ``refused`` (exit 2, the message matching ``pattern``) or ``skipped`` (exit
    0, ``posts`` read and ``skipped`` records noted, a note matching ``pattern``)."""

    name: str
    build: Callable[[Path], Path]
    outcome: str
    pattern: str
    posts: int = 0
    skipped: int = 0
    args: tuple[str, ...] = field(default=())


def _deflate_spaces(prefix: bytes, spaces: int) -> bytes:
    """A raw deflate stream of ``prefix`` and then ``spaces`` spaces (a multiple of 16 MiB)."""
    run = 16 << 20
    assert spaces % run == 0

    def segment(data: bytes) -> bytes:
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        return packer.compress(data) + packer.flush(zlib.Z_FULL_FLUSH)

    final = zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # an empty final block
    return segment(prefix) + segment(b" " * run) * (spaces // run) + final


def zip_of_spaces(path: Path) -> Path:
    """A 3 MB zip whose data/tweets.js is 3 GiB: the YTD assignment, '[' and spaces."""
    prefix = b"window.YTD.tweets.part0 = ["
    data = _deflate_spaces(prefix, 3 * GIB)
    name = b"data/tweets.js"
    size = len(prefix) + 3 * GIB
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, 0, len(data), size, len(name), 0)
    central = struct.pack(
        "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, 0, len(data), size, len(name), 0, 0, 0, 0, 0, 0
    )
    directory = central + name
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(directory), len(local) + len(name) + len(data), 0
    )
    path.write_bytes(local + name + data + directory + end)
    return path


def tar_of_spaces(path: Path) -> Path:
    """A .tar.gz whose outbox.json is 3 GiB of spaces."""
    info = tarfile.TarInfo("outbox.json")
    info.size = 3 * GIB
    header = info.tobuf(format=tarfile.GNU_FORMAT)
    body = _deflate_spaces(header, 3 * GIB)
    gzip_header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    path.write_bytes(gzip_header + body + struct.pack("<II", 0, 0))  # the trailer is never reached
    return path


def csv_with_a_gib_line(path: Path) -> Path:
    """A header, one good row, then a 1 GiB line (a sparse file: no gigabyte is written)."""
    with path.open("wb") as handle:
        handle.write(b"time,text\n2026-03-01T09:00:00Z,fine\n")
        handle.truncate(GIB)
    return path


def tweets_js(path: Path, entries: list[str]) -> Path:
    """A tweets.js whose entries are given as JSON text (so nesting no encoder allows can be written)."""
    path.write_text("window.YTD.tweets.part0 = [\n" + ",\n".join(entries) + "\n]", encoding="utf-8")
    return path


def x_zip(path: Path, entries: list[str], *, method: int | None = None, encrypted: bool = False) -> Path:
    body = "window.YTD.tweets.part0 = [" + ",".join(entries) + "]"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("data/tweets.js", body)
    data = bytearray(path.read_bytes())
    central = data.rindex(b"PK\x01\x02")
    if encrypted:  # the flag a password-protected archive sets, in both headers
        struct.pack_into("<H", data, 6, 0x1)
        struct.pack_into("<H", data, central + 8, 0x1)
    if method is not None:  # a compression method zipfile cannot unpack, in both headers
        struct.pack_into("<H", data, 8, method)
        struct.pack_into("<H", data, central + 10, method)
    path.write_bytes(bytes(data))
    return path


def tweet(n: int, **fields: Any) -> str:
    at = START + timedelta(hours=n)
    record = {
        "id_str": str(1000 + n),
        "created_at": at.strftime("%a %b %d %H:%M:%S +0000 %Y"),
        "full_text": f"Harbour news update number {n}",
        "entities": {"urls": []},
    }
    record.update(fields)
    return json.dumps({"tweet": record})


def deep(levels: int = DEEP) -> str:
    return "[" * levels + "]" * levels


def mastodon_tar(path: Path, items: list[str], *, actor: str = "harbour") -> Path:
    outbox = (
        '{"@context": "https://www.w3.org/ns/activitystreams", "id": "https://social.example/users/'
        + actor
        + '/outbox", "type": "OrderedCollection", "orderedItems": ['
        + ",".join(items)
        + "]}"
    )
    with tarfile.open(path, "w:gz") as archive:
        data = outbox.encode()
        info = tarfile.TarInfo("outbox.json")
        info.size = len(data)
        archive.addfile(info, _bytes_io(data))
    return path


def _bytes_io(data: bytes) -> Any:
    import io

    return io.BytesIO(data)


def note(n: int, content: str | None = None, **fields: Any) -> str:
    at = (START + timedelta(hours=n)).isoformat().replace("+00:00", "Z")
    obj = {
        "id": f"https://social.example/users/harbour/statuses/{n}",
        "type": "Note",
        "published": at,
        "content": content if content is not None else f"<p>Harbour news update number {n}</p>",
    }
    obj.update(fields)
    return json.dumps({"id": f"https://social.example/a/{n}", "type": "Create", "object": obj})


def jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def row(n: int, **fields: Any) -> str:
    record: dict[str, Any] = {"at": (START + timedelta(hours=n)).isoformat(), "text": f"Harbour update {n}"}
    record.update(fields)
    return json.dumps(record)


def post(n: int, **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "$type": "app.bsky.feed.post",
        "text": f"Harbour news update number {n}",
        "createdAt": (START + timedelta(hours=n)).isoformat().replace("+00:00", "Z"),
    }
    record.update(fields)
    return record


def deep_post() -> dict[str, Any]:
    """A post record whose ``langs`` nests 100,000 arrays deep."""
    return post(1, langs=RawCbor(b"\x81" * DEEP + b"\x01"))


def _good(n: int) -> list[str]:
    return [tweet(i) for i in range(n)]


CASES: list[Case] = [
    # -- refused: the file itself is over a bound, or cannot be read at all ---------------------------
    Case(
        "zip holding 3 GiB of spaces", lambda d: zip_of_spaces(d / "twitter.zip"), "refused", "once unpacked"
    ),
    Case("tar.gz holding 3 GiB of spaces", lambda d: tar_of_spaces(d / "archive.tar.gz"), "refused", "limit"),
    Case("CSV with a 1 GiB line", lambda d: csv_with_a_gib_line(d / "history.csv"), "refused", "a line over"),
    Case(
        "tweets.js with 5 MB of blank space",
        lambda d: tweets_js(d / "tweets.js", [tweet(0), " " * 5_000_000 + tweet(1)]),
        "refused",
        "blank space",
    ),
    Case(
        "encrypted zip",
        lambda d: x_zip(d / "twitter.zip", _good(2), encrypted=True),
        "refused",
        "encrypted",
    ),
    Case(
        "zip with an unknown compression method",
        lambda d: x_zip(d / "twitter.zip", _good(2), method=97),
        "refused",
        "compression method",
    ),
    Case(
        "a 2 MB record in a Mastodon outbox",
        lambda d: mastodon_tar(d / "archive.tar.gz", [note(0), note(1, "x" * 2_000_000)]),
        "refused",
        "a record longer than",
    ),
    Case(
        "more records than import_max_records",
        lambda d: jsonl(d / "h.jsonl", [row(n) for n in range(11)]),
        "refused",
        "more than 10 records",
        args=("--set", "import_max_records=10"),
    ),
    Case(
        "a CSV header that reads as console markup",
        lambda d: _write(d / "h.csv", "[/x],[bold]text\n1,2\n"),
        "refused",
        r"found: \[/x\], \[bold\]text",
    ),
    Case(
        "/dev/zero behind an export's name",
        lambda d: _link(d / "history.csv"),
        "refused",
        "not a regular file",
    ),
    Case("a FIFO as an export", lambda d: _fifo(d / "h.jsonl"), "refused", "not a regular file"),
    # -- skipped: one bad record, the rest read ------------------------------------------------------
    Case(
        "JSON Lines with 100k-level nesting",
        lambda d: jsonl(
            d / "h.jsonl", [row(0), '{"at": "2026-03-01T10:00:00Z", "text": ' + deep() + "}", row(2)]
        ),
        "skipped",
        "nested deeper",
        posts=2,
        skipped=1,
    ),
    Case(
        "X archive with 100k-level nesting",
        lambda d: x_zip(d / "twitter.zip", [tweet(0), '{"tweet": ' + deep() + "}", tweet(2)]),
        "skipped",
        "entry 1: nested deeper",
        posts=2,
        skipped=1,
    ),
    Case(
        "Mastodon export with 100k-level nesting",
        lambda d: mastodon_tar(
            d / "archive.tar.gz", [note(0), '{"type": "Create", "object": ' + deep() + "}"]
        ),
        "skipped",
        r"orderedItems\[1\]: nested deeper",
        posts=1,
        skipped=1,
    ),
    Case(
        "X archive nested 65 levels (over import_max_depth)",
        lambda d: x_zip(d / "twitter.zip", [tweet(0), tweet(1, extra=json.loads(deep(65)))]),
        "skipped",
        "more than 64 levels",
        posts=1,
        skipped=1,
    ),
    Case(
        "CAR with facets of the wrong type",
        lambda d: car_file(
            d / "repo.car",
            "did:plc:harbour",
            [post(0), post(1, facets="oops"), post(2, facets=[{"features": ["not an object"]}]), post(3)],
        ),
        "skipped",
        "'facets' is text, not a list",
        posts=2,
        skipped=2,
    ),
    Case(
        "CAR record nested 100k levels",
        lambda d: car_file(d / "repo.car", "did:plc:harbour", [post(0), deep_post()]),
        "skipped",
        "nested deeper",
        posts=1,
        skipped=1,
    ),
    Case(
        "CSV with a 200 kB field",
        lambda d: _csv(d / "h.csv", ["2026-03-01T09:00:00Z,fine", "2026-03-01T10:00:00Z," + "y" * 200_000]),
        "skipped",
        "field larger than field limit",
        posts=1,
        skipped=1,
    ),
    Case(
        "a 5,000-digit id",
        lambda d: jsonl(d / "h.jsonl", [row(0), row(1)[:-1] + ', "id": ' + "7" * 5000 + "}"]),
        "skipped",
        "cannot be read",
        posts=1,
        skipped=1,
    ),
    Case(
        "a 5,000-digit id in an X archive",
        lambda d: x_zip(d / "twitter.zip", [tweet(0), tweet(1)[:-2] + ', "id": ' + "7" * 5000 + "}}"]),
        "skipped",
        "entry 1: a value that cannot be read",
        posts=1,
        skipped=1,
    ),
    Case(
        "times of 1e300, NaN and -1e15",
        lambda d: jsonl(
            d / "h.jsonl",
            [row(0), '{"at": 1e300, "text": "a"}', '{"at": NaN, "text": "b"}', '{"at": -1e15, "text": "c"}'],
        ),
        "skipped",
        "outside the years 1-9999",
        posts=1,
        skipped=3,
    ),
    Case(
        "links that is a number",
        lambda d: jsonl(d / "h.jsonl", [row(0), row(1, links=42)]),
        "skipped",
        "'links' is a number, not a list of links",
        posts=1,
        skipped=1,
    ),
    Case(
        "entities.urls holding strings",
        lambda d: x_zip(d / "twitter.zip", [tweet(0), tweet(1, entities={"urls": ["https://e.org/"]})]),
        "skipped",
        r"'entities.urls\[0\]' is text, not an object",
        posts=1,
        skipped=1,
    ),
    Case(
        "full_text that is a list",
        lambda d: x_zip(d / "twitter.zip", [tweet(0), tweet(1, full_text=["a"])]),
        "skipped",
        "'full_text' is a list, not text",
        posts=1,
        skipped=1,
    ),
    Case(
        "a 200 kB Mastodon content field",
        lambda d: mastodon_tar(d / "archive.tar.gz", [note(0), note(1, "<p>" + "z" * 200_000 + "</p>")]),
        "skipped",
        "over the 100,000 limit",
        posts=1,
        skipped=1,
    ),
]


def _csv(path: Path, rows: list[str]) -> Path:
    path.write_text("time,text\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _link(path: Path) -> Path:
    path.symlink_to("/dev/zero")
    return path


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path
