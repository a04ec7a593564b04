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


# -- parsing at the size cap: depth and element count are bounded on both parser paths -----------------

CAP = 10_000_000  # feed_max_bytes' default: the largest body a fetch hands to the parser
N = 1_400_000


def _at_cap(document: bytes) -> bytes:
    assert len(document) <= CAP
    return document


HUGE = {
    # 1.4 million nested elements, well-formed: libxml2 stops at its depth limit, the fallback refuses
    "nested": b'<rss version="2.0"><channel><item><title>' + b"<a>" * N + b"</a>" * N + b"</title></item>",
    # the same with a broken entity first, so the document is feedparser's from the start
    "nested, not well-formed": b'<rss version="2.0"><channel><title>&broken;</title><item><description>'
    + b"<a>" * N,
    # 1.4 million elements side by side
    "flat": b'<rss version="2.0"><channel><title>t</title>' + b"<item/>" * N + b"</channel></rss>",
    "flat, not well-formed": b'<rss version="2.0"><channel><title>&broken;</title>' + b"<item/>" * N,
    "flat Atom": b'<feed xmlns="http://www.w3.org/2005/Atom">' + b"<entry><id>1</id></entry>" * 380_000,
    "stray angle brackets": b'<rss version="2.0"><channel><title>' + b"<" * (CAP - 100) + b"</title>",
    "UTF-16": '<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel>'.encode("utf-16")
    + "<a>".encode("utf-16-le") * 1_500_000,
    "JSON nested": b'{"version": "https://jsonfeed.org/version/1.1", "items": ' + b"[" * 4_000_000,
    "JSON Feed of empty items": b'{"version": "https://jsonfeed.org/version/1.1", "items": ['
    + b"{}," * 3_000_000
    + b"{}]}",
}


@pytest.mark.parametrize("name", list(HUGE))
def test_a_feed_at_the_size_cap_that_no_feed_resembles_is_refused_with_a_reason(name: str) -> None:
    with pytest.raises(FeedError, match=r"deep|more than [\d,]+ (elements|items)") as refused:
        parse(_at_cap(HUGE[name]), "https://e.org/feed")
    assert "check" in str(refused.value) or "ask" in str(refused.value)


def test_feeds_within_the_bounds_are_read_on_both_paths() -> None:
    def items(count: int) -> bytes:
        return b"".join(b"<item><guid>%d</guid><title>T%d</title></item>" % (i, i) for i in range(count))

    well_formed = b'<rss version="2.0"><channel><title>t</title>' + items(30_000) + b"</channel></rss>"
    assert len(parse(well_formed, "https://e.org/feed").items) == 30_000
    broken = b'<rss version="2.0"><channel><title>t &broken;</title>' + items(2_000) + b"</channel></rss>"
    assert len(parse(broken, "https://e.org/feed").items) == 2_000
    deep_but_fine = b'<rss version="2.0"><channel><item><title>A</title><description>' + b"<div>" * 200
    deep_but_fine += b"text" + b"</div>" * 200 + b"</description></item></channel></rss>"
    assert parse(deep_but_fine, "https://e.org/feed").items[0].title == "A"


def test_html_void_elements_and_unclosed_tags_in_a_broken_feed_do_not_count_as_depth() -> None:
    body = b"<p>line<br><img src=x.png>" * 2_000 + b"<ul>" + b"<li>point" * 500 + b"</ul>"
    document = b'<rss version="2.0"><channel><title>&broken;</title><item><title>A</title><description>'
    document += body + b"</description></item></channel></rss>"
    assert parse(document, "https://e.org/feed").items[0].title == "A"


@pytest.mark.parametrize("path", [b"/etc/passwd", b"/dev/zero", b"/proc/self/environ"])
def test_a_body_that_names_a_file_is_never_opened(path: bytes) -> None:
    """feedparser opens a string that names a file; the fallback hands it bytes, never a name."""
    with pytest.raises(FeedError) as refused:
        parse(path, "https://e.org/feed")
    assert "root:" not in str(refused.value)
