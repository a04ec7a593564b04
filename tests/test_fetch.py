"""Fetching over real HTTP on loopback: conditional GET, limits, decompression bombs, redirects, SSRF."""

from __future__ import annotations

import asyncio
import gzip
import os
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import httpx
import pytest

from botwarden.errors import FeedError, UnsafeURLError
from botwarden.feeds import FetchLimits, FetchResult, fetch_feed
from botwarden.netguard import AddressPolicy

from .conftest import rss
from .fakes.trickle import TrickleServer, elapsed

LOOPBACK = AddressPolicy(["127.0.0.1"])


def fetch(url: str, policy: AddressPolicy = LOOPBACK, **kwargs: object) -> FetchResult:
    async def go() -> FetchResult:
        async with httpx.AsyncClient() as client:
            return await fetch_feed(client, url, policy=policy, **kwargs)

    return asyncio.run(go())


def test_conditional_get_answers_not_modified(site) -> None:
    docs, server = site
    docs.put("/feed.rss", rss({"guid": "1", "title": "a", "link": "https://e.org/1"}))
    first = fetch(server.base_url + "/feed.rss")
    assert first.status == 200 and first.body and first.etag
    second = fetch(server.base_url + "/feed.rss", etag=first.etag)
    assert second.not_modified and second.body is None
    assert [status for _path, status in server.requests] == [200, 304]


def test_gzip_body_is_decoded(site) -> None:
    docs, server = site
    docs.put("/feed.rss", rss({"guid": "1", "title": "zipped", "link": "https://e.org/1"}))
    assert b"zipped" in (fetch(server.base_url + "/feed.rss").body or b"")


class _Raw(BaseHTTPRequestHandler):
    """Serves whatever the test put in ``routes``: path -> (status, headers, body)."""

    routes: ClassVar[dict[str, tuple[int, dict[str, str], bytes]]] = {}

    def do_GET(self) -> None:
        status, headers, body = self.routes.get(self.path, (404, {}, b""))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        return


@pytest.fixture
def raw_server() -> Iterator[tuple[str, dict[str, tuple[int, dict[str, str], bytes]]]]:
    routes: ClassVar[dict[str, tuple[int, dict[str, str], bytes]]] = {}
    handler = type("Handler", (_Raw,), {"routes": routes})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", routes
    server.shutdown()
    server.server_close()


def test_decompression_bomb_is_refused(raw_server) -> None:
    base, routes = raw_server
    bomb = gzip.compress(b"\0" * 50_000_000)  # 50 MB of zeros in about 50 kB
    assert len(bomb) < 100_000
    routes["/bomb"] = (200, {"Content-Encoding": "gzip"}, bomb)
    with pytest.raises(FeedError, match="once decompressed"):
        fetch(base + "/bomb", limits=FetchLimits(max_bytes=1_000_000))


def test_declared_size_over_the_cap_is_refused(raw_server) -> None:
    base, routes = raw_server
    routes["/big"] = (200, {}, b"x" * 2000)
    with pytest.raises(FeedError, match="over the 1,000 limit"):
        fetch(base + "/big", limits=FetchLimits(max_bytes=1000))


def test_http_errors_name_the_status(raw_server) -> None:
    base, routes = raw_server
    routes["/gone"] = (410, {}, b"gone")
    with pytest.raises(FeedError, match="HTTP 410"):
        fetch(base + "/gone")


def test_redirects_are_followed_and_loops_stop(raw_server) -> None:
    base, routes = raw_server
    routes["/old"] = (301, {"Location": "/new"}, b"")
    routes["/new"] = (200, {}, rss({"guid": "1", "title": "t", "link": "https://e.org"}))
    assert fetch(base + "/old").url == base + "/new"
    routes["/loop"] = (302, {"Location": "/loop"}, b"")
    with pytest.raises(FeedError, match="more than 5 redirects"):
        fetch(base + "/loop")


def test_redirect_to_a_private_address_is_refused(raw_server) -> None:
    base, routes = raw_server
    routes["/hop"] = (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b"")
    with pytest.raises(UnsafeURLError, match="link-local"):
        fetch(base + "/hop")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/feed",
        "http://[::1]/feed",
        "http://10.1.2.3/feed",
        "http://172.16.0.1/feed",
        "http://192.168.1.1/feed",
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost/feed",
        "http://0.0.0.0/feed",
        "http://[::ffff:127.0.0.1]/feed",
    ],
)
def test_ssrf_guard_refuses_internal_targets(url: str) -> None:
    with pytest.raises(UnsafeURLError, match="refused"):
        fetch(url, policy=AddressPolicy())


def test_only_http_schemes_are_fetched_over_the_network() -> None:
    with pytest.raises(UnsafeURLError, match="only http and https"):
        fetch("gopher://example.org/", policy=AddressPolicy())


def test_timeout_is_a_feed_error() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the connection, never answers
    try:
        with pytest.raises(FeedError, match="timed out"):
            fetch(f"http://127.0.0.1:{listener.getsockname()[1]}/", limits=FetchLimits(timeout=0.5))
    finally:
        listener.close()


def test_local_file_feed(tmp_path) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(rss({"guid": "1", "title": "file", "link": "https://e.org"}))
    assert b"file" in (fetch(str(path)).body or b"")
    with pytest.raises(FeedError, match="cannot read"):
        fetch(str(tmp_path / "missing.xml"))


@pytest.mark.parametrize("mode", ["headers", "body"])
def test_a_server_trickling_a_byte_a_second_cannot_stretch_the_deadline(mode: str) -> None:
    # Each read gets its byte within the 3 s read timeout; only the 2 s deadline for the whole can stop it.
    limits = FetchLimits(timeout=3.0, deadline=2.0)
    with TrickleServer(mode) as server:
        start = time.monotonic()
        with pytest.raises(FeedError, match="2-second deadline"):
            fetch(server.url + "/feed.rss", limits=limits)
        assert elapsed(start) < 4.0
        assert server.connections == 1


def test_a_redirect_to_an_invalid_host_name_is_a_feed_error(raw_server) -> None:
    base, routes = raw_server
    routes["/moved"] = (301, {"Location": "http://" + "a" * 64 + ".example.org/feed"}, b"")
    routes["/gap"] = (302, {"Location": "https://news..example.org/feed"}, b"")
    with pytest.raises(FeedError, match="over 63 characters"):
        fetch(base + "/moved")
    with pytest.raises(FeedError, match="empty label"):
        fetch(base + "/gap")


def test_a_feed_file_is_read_under_the_same_cap_and_must_be_a_regular_file(tmp_path) -> None:
    big = tmp_path / "big.xml"
    big.write_bytes(b"x" * 2000)
    with pytest.raises(FeedError, match="over the 1,000-byte limit"):
        fetch(str(big), limits=FetchLimits(max_bytes=1000))
    with pytest.raises(FeedError, match="not a regular file \\(a device\\)"):
        fetch("/dev/zero")
    with pytest.raises(FeedError, match="not a regular file \\(a device\\)"):
        fetch("file:///dev/urandom")
    fifo = tmp_path / "feed.fifo"
    os.mkfifo(fifo)
    with pytest.raises(FeedError, match="not a regular file \\(a FIFO\\)"):
        fetch(str(fifo))  # returns at once: no writer is waited for
    with pytest.raises(FeedError, match="not a regular file \\(a folder\\)"):
        fetch(f"file://{tmp_path}")
