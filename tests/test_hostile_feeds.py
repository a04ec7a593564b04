"""Hostile and broken feeds: external entities, a 50 MB body with no declared size, lying encodings,
a server that never stops redirecting. Each is refused with FeedError (or parsed harmlessly), memory
stays bounded, and nothing else escapes."""

from __future__ import annotations

import threading
import tracemalloc
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from botwarden.errors import FeedError
from botwarden.feeds import FetchLimits, parse
from tests.test_fetch import fetch


class _Hostile(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # a body that ends when the connection closes: no declared size

    def do_GET(self) -> None:
        if self.path == "/endless":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()
            chunk = b"<item><title>" + b"x" * 65_000 + b"</title></item>"
            try:
                for _ in range(800):  # 50 MB, unless the reader stops first
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif self.path.startswith("/hop/"):
            hop = int(self.path.rsplit("/", 1)[-1])
            self.send_response(302)
            self.send_header("Location", f"/hop/{hop + 1}")
            self.end_headers()

    def log_message(self, *_args: object) -> None:
        return


@pytest.fixture
def hostile() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hostile)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_50_mb_body_without_a_declared_size_is_cut_off_with_bounded_memory(hostile: str) -> None:
    tracemalloc.start()
    with pytest.raises(FeedError, match="limit"):
        fetch(hostile + "/endless", limits=FetchLimits(max_bytes=2_000_000))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 20_000_000, f"peak {peak:,} bytes for a 2 MB cap"


def test_endless_redirects_stop(hostile: str) -> None:
    with pytest.raises(FeedError, match="redirect"):
        fetch(hostile + "/hop/0", limits=FetchLimits(max_redirects=5))


@pytest.mark.parametrize(
    "entity",
    [
        b'<!ENTITY x SYSTEM "file:///etc/passwd">',
        b'<!ENTITY x SYSTEM "http://127.0.0.1:9/secret">',
        b'<!ENTITY % x SYSTEM "file:///etc/hostname"> %x;',
    ],
)
def test_external_entities_are_never_read(entity: bytes) -> None:
    doc = (
        b'<?xml version="1.0"?><!DOCTYPE rss [' + entity + b']><rss version="2.0"><channel>'
        b"<title>t &x;</title><item><guid>1</guid><title>leak &x;</title></item></channel></rss>"
    )
    try:
        feed = parse(doc, "https://example.org/feed")
    except FeedError:
        return
    text = feed.title + " ".join(i.title + i.summary for i in feed.items)
    assert "root:" not in text and "/bin/" not in text


_RSS = (
    '<rss version="2.0"><channel><title>{title}</title>'
    "<item><guid>1</guid><title>{title}</title></item></channel></rss>"
)
LYING = [
    # UTF-8 bytes that the prolog says are UTF-16
    ('<?xml version="1.0" encoding="utf-16"?>' + _RSS.format(title="Fähre")).encode(),
    # Latin-1 bytes declared UTF-8
    ('<?xml version="1.0" encoding="utf-8"?>' + _RSS.format(title="Stürme")).encode("latin-1"),
    # UTF-16 with no byte-order mark and a prolog claiming ASCII
    ('<?xml version="1.0" encoding="us-ascii"?>' + _RSS.format(title="t")).encode("utf-16-le"),
    # An unknown encoding name
    ('<?xml version="1.0" encoding="x-klingon"?>' + _RSS.format(title="t")).encode(),
    # A byte-order mark that disagrees with the bytes after it
    b"\xff\xfe" + ('<?xml version="1.0"?>' + _RSS.format(title="t")).encode(),
]


@pytest.mark.parametrize(
    "doc", LYING, ids=["utf8-as-utf16", "latin1-as-utf8", "utf16-as-ascii", "unknown", "bom"]
)
def test_lying_encodings_parse_or_raise_feed_error(doc: bytes) -> None:
    try:
        feed = parse(doc, "https://example.org/feed")
    except FeedError as exc:
        assert str(exc)
        return
    assert isinstance(feed.title, str)
