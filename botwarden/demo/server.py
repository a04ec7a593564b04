"""A small feed server on loopback: serves documents by path with ETag/Last-Modified and gzip.

The demo serves its sample feeds with it; the tests use it as a real HTTP feed server.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True, slots=True)
class Redirect:
    """Served as a redirect to ``location`` (for link-resolver tests and the demo's ad-page link)."""

    location: str
    status: int = 302


# path -> (body, content type), a redirect, or None for 404
Documents = Callable[[str], tuple[bytes, str] | Redirect | None]


class FeedServer:
    def __init__(self, documents: Documents, host: str = "127.0.0.1") -> None:
        self.documents = documents
        self.requests: list[tuple[str, int]] = []  # (path, status) of every request, for tests and stats
        handler = _handler_for(self)
        self._server = ThreadingHTTPServer((host, 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="feed-server", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler_for(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        _head_only = False

        def do_HEAD(self) -> None:
            self._head_only = True
            self.do_GET()

        def do_GET(self) -> None:
            found = server.documents(self.path)
            if found is None:
                self._answer(404, b"not found", "text/plain")
                return
            if isinstance(found, Redirect):
                self._answer(found.status, b"", "text/plain", {"Location": found.location})
                return
            body, content_type = found
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                server.requests.append((self.path, 304))
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            extra = {"ETag": etag, "Last-Modified": formatdate(usegmt=True)}
            if "gzip" in self.headers.get("Accept-Encoding", ""):
                body, extra["Content-Encoding"] = gzip.compress(body), "gzip"
            self._answer(200, body, content_type, extra)

        def _answer(
            self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None
        ) -> None:
            server.requests.append((self.path, status))
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.end_headers()
            if not getattr(self, "_head_only", False):
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # keep test and demo output clean
            return

    return Handler
