"""Where an export's files come from: a folder, a .zip, a tar (.tar.gz, .tgz, .tar) or one file, each
file read as a stream that refuses to go past the size limit once unpacked.

A zip's members are unpacked as they are read (its declared sizes are checked first, but a zip can lie,
so the stream counts too). A compressed tar cannot be read out of order without unpacking everything
before the wanted member, so it is read once, start to end: the members an importer may need are kept
in spooled temporary files (memory up to a few MB each, then disk), the rest are passed over. Only
regular files are read: a device such as ``/dev/zero`` or a FIFO never ends.
"""

from __future__ import annotations

import contextlib
import lzma
import os
import re
import stat
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import IO

from botwarden.diagnose.bounds import ImportLimits
from botwarden.errors import InputError

CHUNK = 1 << 16
_SPOOL_BYTES = 4 << 20
#: File names an importer may read (tweets.js and its parts, account.js, outbox.json, actor.json, a
#: repository .car, a plain .csv / .jsonl); a tar's other members are passed over.
_USEFUL = re.compile(r".*\.(js|json|car|csv|jsonl|ndjson)", re.IGNORECASE)
#: What unpacking a damaged or unusual archive raises, besides the archive modules' own errors.
_UNPACK_ERRORS = (
    OSError,
    EOFError,
    zlib.error,
    lzma.LZMAError,
    zipfile.BadZipFile,
    tarfile.TarError,
    NotImplementedError,
    RuntimeError,
)


class Bounded:
    """A binary stream that refuses to give more than ``limit`` bytes in all."""

    def __init__(self, raw: IO[bytes], label: str, limit: int) -> None:
        self._raw = raw
        self.label = label
        self.limit = limit
        self.total = 0

    def read(self, size: int = CHUNK) -> bytes:
        try:
            data = self._raw.read(size)
        except _UNPACK_ERRORS as exc:
            raise InputError(f"{self.label}: cannot unpack it ({type(exc).__name__}: {exc})") from None
        self.total += len(data)
        if self.total > self.limit:
            raise InputError(
                f"{self.label}: larger than {self.limit:,} bytes once unpacked; refused "
                "(setting import_max_bytes)"
            )
        return data


class Source:
    """An export's files, read by member name."""

    def __init__(self, path: Path, names: list[str], limits: ImportLimits) -> None:
        self.path = path
        self.names = names
        self.limits = limits

    @staticmethod
    def open(path: Path, limits: ImportLimits) -> Source:
        try:
            if not path.is_dir() and not path.is_file():  # is_file follows links, as reading does
                raise InputError(f"{path}: not a regular file (a device, FIFO or socket); refused")
            if path.is_dir():
                names = sorted(str(p.relative_to(path).as_posix()) for p in path.rglob("*.*") if p.is_file())
                return _Folder(path, names, limits)
            if zipfile.is_zipfile(path):
                with zipfile.ZipFile(path) as archive:
                    return _Zip(path, [i.filename for i in archive.infolist() if not i.is_dir()], limits)
            if path.name.lower().endswith((".tar.gz", ".tgz", ".tar")):
                return _Tar.read(path, limits)
        except (OSError, zipfile.BadZipFile, tarfile.TarError, EOFError, zlib.error) as exc:
            raise InputError(f"{path}: cannot open the archive ({type(exc).__name__}: {exc})") from None
        return _File(path, [path.name], limits)

    def members(self, wanted: Callable[[str], bool]) -> list[str]:
        return sorted(n for n in self.names if wanted(PurePosixPath(n).name.lower()))

    def label(self, name: str) -> str:
        return str(self.path) if name == self.path.name else f"{self.path}:{name}"

    @contextlib.contextmanager
    def stream(self, name: str) -> Iterator[Bounded]:
        with self._open(name) as raw:
            yield Bounded(raw, self.label(name), self.limits.max_bytes)

    def _open(self, name: str) -> contextlib.AbstractContextManager[IO[bytes]]:
        raise NotImplementedError

    def close(self) -> None:
        """Let go of what reading kept (a tar's spooled members)."""


class _File(Source):
    def _open(self, name: str) -> contextlib.AbstractContextManager[IO[bytes]]:
        return _regular_file(self.path, self.label(name))


class _Folder(Source):
    def _open(self, name: str) -> contextlib.AbstractContextManager[IO[bytes]]:
        return _regular_file(self.path / name, self.label(name))


class _Zip(Source):
    @contextlib.contextmanager
    def _open(self, name: str) -> Iterator[IO[bytes]]:
        label = self.label(name)
        try:
            with zipfile.ZipFile(self.path) as archive:
                info = archive.getinfo(name)
                if info.flag_bits & 0x1:
                    raise InputError(
                        f"{label}: encrypted; botwarden reads no encrypted archive: unpack it with its "
                        "password and give the folder"
                    )
                if info.file_size > self.limits.max_bytes:
                    raise InputError(
                        f"{label}: {info.file_size:,} bytes once unpacked, over the "
                        f"{self.limits.max_bytes:,}-byte limit; refused (setting import_max_bytes)"
                    )
                try:
                    member = archive.open(info)
                except NotImplementedError as exc:
                    raise InputError(
                        f"{label}: packed with a compression method botwarden cannot unpack ({exc}); "
                        "unpack it with another tool and give the folder"
                    ) from None
                with member:
                    yield member
        except (OSError, KeyError, zipfile.BadZipFile, RuntimeError) as exc:
            raise InputError(f"{label}: cannot read it ({type(exc).__name__}: {exc})") from None


class _Tar(Source):
    def __init__(self, path: Path, names: list[str], limits: ImportLimits) -> None:
        super().__init__(path, names, limits)
        self._kept: dict[str, IO[bytes]] = {}

    @classmethod
    def read(cls, path: Path, limits: ImportLimits) -> _Tar:
        source = cls(path, [], limits)
        try:
            with tarfile.open(path, "r|*") as archive:
                for member in archive:
                    if member.isfile():
                        source._take(archive, member)
        except InputError:
            source.close()
            raise
        except _UNPACK_ERRORS as exc:
            source.close()
            raise InputError(f"{path}: cannot unpack the archive ({type(exc).__name__}: {exc})") from None
        return source

    def _take(self, archive: tarfile.TarFile, member: tarfile.TarInfo) -> None:
        self.names.append(member.name)
        if not _USEFUL.fullmatch(PurePosixPath(member.name).name):
            return
        label = self.label(member.name)
        if member.size > self.limits.max_bytes:
            raise InputError(
                f"{label}: {member.size:,} bytes, over the {self.limits.max_bytes:,}-byte limit; "
                "refused (setting import_max_bytes)"
            )
        raw = archive.extractfile(member)
        if raw is None:
            return
        spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115 (kept until close)
        source = Bounded(raw, label, self.limits.max_bytes)
        while chunk := source.read():
            spool.write(chunk)
        spool.seek(0)
        self._kept[member.name] = spool

    @contextlib.contextmanager
    def _open(self, name: str) -> Iterator[IO[bytes]]:
        spool = self._kept.get(name)
        if spool is None:
            raise InputError(f"{self.label(name)}: not a file botwarden reads")
        spool.seek(0)
        yield spool

    def close(self) -> None:
        for spool in self._kept.values():
            spool.close()
        self._kept.clear()


@contextlib.contextmanager
def _regular_file(path: Path, label: str) -> Iterator[IO[bytes]]:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO must not wait for a writer
    except OSError as exc:
        raise InputError(f"{label}: cannot read it ({exc.strerror or exc})") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputError(f"{label}: not a regular file (a device, FIFO or socket); refused")
        handle = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with handle:
        yield handle
