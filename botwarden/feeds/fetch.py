"""Fetching feeds over HTTP with httpx: conditional GET, redirects checked hop by hop, bounded size.

The body is read raw and decompressed here with a hard output limit, so a small compressed body cannot
expand into gigabytes (a decompression bomb). A whole fetch (name lookup, every redirect, headers and body)
has one deadline: the per-read timeout alone would let a server that sends a byte a second keep it alive
for ever. A feed file is read with the same byte cap, and only a regular file is read (a device such as
``/dev/zero`` or a FIFO never ends). Every failure is a :class:`FeedError` saying what happened.
"""

from __future__ import annotations

import asyncio
import os
import stat
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import httpx

from botwarden import __version__
from botwarden.errors import FeedError
from botwarden.netguard import AddressPolicy, Target, pinned_request
from botwarden.typed_settings import Settings

USER_AGENT = f"botwarden/{__version__} (feed-to-post bot; respects ETag and Last-Modified)"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ACCEPT = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.5"


@dataclass(frozen=True, slots=True)
class FetchLimits:
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    timeout: float = 20.0  # connect, and each read
    deadline: float = 60.0  # the whole fetch

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchLimits:
        return cls(
            settings["feed_max_bytes"],
            settings["feed_max_redirects"],
            settings["fetch_timeout_seconds"],
            settings["fetch_deadline_seconds"],
        )


@dataclass(frozen=True, slots=True)
class FetchResult:
    """``body`` is None when the server answered 304 Not Modified."""

    url: str
    status: int
    body: bytes | None
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


async def fetch_feed(
    client: httpx.AsyncClient,
    url: str,
    *,
    policy: AddressPolicy,
    etag: str | None = None,
    last_modified: str | None = None,
    limits: FetchLimits = FetchLimits(),
) -> FetchResult:
    """GET ``url`` (or read a local file), following redirects through the SSRF guard."""
    if url.startswith("file:") or "://" not in url:
        return _read_file(url, limits)
    try:
        async with asyncio.timeout(limits.deadline):
            return await _fetch(client, url, policy, etag, last_modified, limits)
    except TimeoutError:
        raise FeedError(
            f"{url}: no whole answer within the {limits.deadline:g}-second deadline (the server is too "
            "slow); it is tried again later (setting fetch_deadline_seconds)"
        ) from None


async def _fetch(
    client: httpx.AsyncClient,
    url: str,
    policy: AddressPolicy,
    etag: str | None,
    last_modified: str | None,
    limits: FetchLimits,
) -> FetchResult:
    current = url
    for _hop in range(limits.max_redirects + 1):
        target = await policy.check(current)
        response = await _send(client, target, etag, last_modified, limits)
        try:
            if response.status_code in REDIRECT_STATUSES:
                location = response.headers.get("location")
                if not location:
                    raise FeedError(f"{current}: HTTP {response.status_code} redirect without a Location")
                current = urljoin(current, location)
                continue
            return await _result(current, response, limits)
        finally:
            await response.aclose()
    raise FeedError(f"{url}: more than {limits.max_redirects} redirects; is the feed address current?")


async def _send(
    client: httpx.AsyncClient,
    target: Target,
    etag: str | None,
    last_modified: str | None,
    limits: FetchLimits,
) -> httpx.Response:
    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT, "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    request = pinned_request(client, "GET", target, headers, limits.timeout)
    try:
        return await client.send(request, stream=True)
    except httpx.TimeoutException as exc:
        raise FeedError(f"{target.url}: timed out after {limits.timeout:g} s") from exc
    except httpx.HTTPError as exc:
        raise FeedError(f"{target.url}: could not connect ({type(exc).__name__}: {exc})") from exc


async def _result(url: str, response: httpx.Response, limits: FetchLimits) -> FetchResult:
    etag = response.headers.get("etag")
    modified = response.headers.get("last-modified")
    if response.status_code == 304:
        return FetchResult(url, 304, None, etag, modified)
    if response.status_code != 200:
        raise FeedError(f"{url}: the server answered HTTP {response.status_code} {response.reason_phrase}")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.max_bytes:
        raise FeedError(f"{url}: the feed is {int(declared):,} bytes, over the {limits.max_bytes:,} limit")
    body = await _read_bounded(url, response, limits)
    return FetchResult(url, 200, body, etag, modified)


async def _read_bounded(url: str, response: httpx.Response, limits: FetchLimits) -> bytes:
    decoder = _Decoder(response.headers.get("content-encoding", ""), limits.max_bytes, url)
    try:
        async for chunk in response.aiter_raw():
            decoder.feed(chunk)
    except httpx.TimeoutException as exc:
        raise FeedError(f"{url}: timed out while reading after {limits.timeout:g} s") from exc
    except httpx.HTTPError as exc:
        raise FeedError(f"{url}: the connection broke while reading ({type(exc).__name__})") from exc
    return decoder.finish()


class _Decoder:
    """Streams gzip/deflate (or identity) into at most ``limit`` bytes."""

    def __init__(self, encoding: str, limit: int, url: str) -> None:
        encoding = encoding.strip().lower()
        if encoding in ("", "identity"):
            self._zlib = None
        elif encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif encoding == "deflate":
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 32)
        else:
            raise FeedError(f"{url}: unsupported Content-Encoding '{encoding}'")
        self._limit = limit
        self._url = url
        self._parts: list[bytes] = []
        self._size = 0

    def feed(self, chunk: bytes) -> None:
        if self._zlib is None:
            self._append(chunk)
            return
        try:
            # Never ask zlib for more than the room left (+1 to notice overflow).
            data = self._zlib.decompress(chunk, self._limit - self._size + 1)
            self._append(data)
            while self._zlib.unconsumed_tail:
                self._append(self._zlib.decompress(self._zlib.unconsumed_tail, self._limit - self._size + 1))
        except zlib.error as exc:
            raise FeedError(f"{self._url}: the compressed body is corrupt ({exc})") from exc

    def _append(self, data: bytes) -> None:
        self._size += len(data)
        if self._size > self._limit:
            raise FeedError(
                f"{self._url}: the feed is larger than the {self._limit:,}-byte limit "
                "once decompressed; refused"
            )
        self._parts.append(data)

    def finish(self) -> bytes:
        if self._zlib is not None:
            self._append(self._zlib.flush())
        return b"".join(self._parts)


def _read_file(url: str, limits: FetchLimits) -> FetchResult:
    path = Path(url.removeprefix("file://") if url.startswith("file://") else url.removeprefix("file:"))
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused just below.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except (OSError, ValueError) as exc:
        raise FeedError(f"{path}: cannot read the feed file ({_reason(exc)})") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise FeedError(f"{path}: not a regular file ({_file_kind(mode)}); a feed file must be one")
        # One byte past the cap is read, not stat()'s size: a file can grow while it is read.
        body = _read_at_most(fd, limits.max_bytes + 1)
    except OSError as exc:
        raise FeedError(f"{path}: cannot read the feed file ({_reason(exc)})") from None
    finally:
        os.close(fd)
    if len(body) > limits.max_bytes:
        raise FeedError(f"{path}: the feed file is over the {limits.max_bytes:,}-byte limit; refused")
    return FetchResult(url, 200, body, None, None)


def _read_at_most(fd: int, size: int) -> bytes:
    parts: list[bytes] = []
    while size > 0:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            break
        parts.append(chunk)
        size -= len(chunk)
    return b"".join(parts)


def _file_kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a socket or other special file"


def _reason(exc: OSError | ValueError) -> str:
    return (exc.strerror if isinstance(exc, OSError) else None) or str(exc)
