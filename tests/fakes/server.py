"""The loopback HTTP server every fake network builds on: routing, a record of requests, fault knobs."""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode(), keep_blank_values=True)

    def parts(self) -> dict[str, tuple[bytes, str]]:
        """The parts of a multipart/form-data body by name: their bytes and content type."""
        boundary = self.headers.get("content-type", "").partition("boundary=")[2].strip('"').encode()
        found: dict[str, tuple[bytes, str]] = {}
        for chunk in self.body.split(b"--" + boundary)[1:-1] if boundary else []:
            chunk = chunk.removeprefix(b"\r\n").removesuffix(b"\r\n")  # the part exactly, never its bytes
            head, _, data = chunk.partition(b"\r\n\r\n")
            name = re.search(rb'name="([^"]+)"', head)
            kind = re.search(rb"Content-Type: ([^\r\n]+)", head, re.IGNORECASE)
            if name:
                found[name.group(1).decode()] = (data, kind.group(1).decode() if kind else "")
        return found


@dataclass
class Reply:
    status: int
    body: Any = None  # JSON-serialisable, or bytes as they are
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        return b"" if self.body is None else json.dumps(self.body).encode()


@dataclass
class Exchange:
    request: Request
    reply: Reply | None  # None: the connection was dropped


@dataclass
class Fault:
    """Answer the next ``times`` matching requests this way instead of normally.

    ``kind`` is one the fake knows (its FAULTS table), or ``slow`` (wait ``seconds``, then answer),
    ``drop`` (close the connection before doing anything) or ``drop_after`` (do the work, then close
    the connection without answering: the client cannot know the post was made).
    """

    kind: str
    times: int = 1
    path: str = ""  # only requests whose path starts with this
    method: str = ""
    seconds: float = 0.0


Handler = Callable[[Request], Reply]


class FakeServer:
    """Subclasses register routes with ``self.route(method, pattern, handler)`` and name their faults."""

    FAULTS: ClassVar[dict[str, Callable[[Any, Request], Reply]]] = {}

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []
        self.faults: list[Fault] = []
        self.lock = threading.RLock()
        self._routes: list[tuple[str, list[str], Handler]] = []
        self._httpd: ThreadingHTTPServer | None = None
        # Chaos for writes (POST): a random delay, and a share of answers lost after the work is done.
        self.latency = (0.0, 0.0)
        self.drop_rate = 0.0
        self.rng = random.Random(0)
        # Called with each request whose work is done, before its answer leaves (a chaos test kills the
        # client there: the network has what it asked for, the client never learns it).
        self.after_work: Callable[[Request], None] | None = None

    # -- set-up -------------------------------------------------------------------------------------

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        """``pattern`` is a path whose ``{name}`` segments match anything (read them with ``segments``)."""
        self._routes.append((method, pattern.strip("/").split("/"), handler))

    def fault(
        self, kind: str, *, times: int = 1, path: str = "", method: str = "", seconds: float = 0.0
    ) -> None:
        with self.lock:
            self.faults.append(Fault(kind, times, path, method, seconds))

    def start(self) -> str:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body leave at once, no delayed-ACK stall

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                request = Request(
                    self.command,
                    parts.path,
                    parse_qs(parts.query, keep_blank_values=True),
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
                reply = server.dispatch(request)
                if reply is None:
                    self.close_connection = True
                    return
                data = reply.encoded()
                self.send_response(reply.status)
                if not isinstance(reply.body, bytes) and "Content-Type" not in reply.headers:
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self.url

    @property
    def url(self) -> str:
        assert self._httpd is not None, "start() the fake first"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    # -- serving ------------------------------------------------------------------------------------

    def dispatch(self, request: Request) -> Reply | None:
        fault = self._take_fault(request)
        if fault is None and request.method == "POST":
            with self.lock:
                delay, lose = self.rng.uniform(*self.latency), self.rng.random() < self.drop_rate
            time.sleep(delay)
            if lose:
                fault = Fault("drop_after")
        if fault is not None and fault.kind == "drop":
            self._log(request, None)
            return None
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.seconds)
            fault = None
        if fault is not None and fault.kind != "drop_after":
            reply: Reply | None = self.FAULTS[fault.kind](self, request)
        else:
            reply = self._route(request)
            if self.after_work is not None:
                self.after_work(request)
            if fault is not None:  # drop_after: the work is done, the answer never arrives
                reply = None
        self._log(request, reply)
        return reply

    def _route(self, request: Request) -> Reply:
        parts = request.path.strip("/").split("/")
        for method, pattern, handler in self._routes:
            if method == request.method and _matches(pattern, parts):
                with self.lock:
                    return handler(request)
        return self.not_found(request)

    def not_found(self, request: Request) -> Reply:
        return Reply(404, {"error": f"no route {request.method} {request.path}"})

    def _take_fault(self, request: Request) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if request.path.startswith(fault.path) and fault.method in ("", request.method):
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def _log(self, request: Request, reply: Reply | None) -> None:
        with self.lock:
            self.exchanges.append(Exchange(request, reply))

    def requests_to(self, method: str, path: str) -> list[Exchange]:
        with self.lock:
            return [e for e in self.exchanges if e.request.method == method and e.request.path == path]


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that was killed mid-request (the chaos tests do that) is not an error of the fake."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def segments(request: Request, pattern: str) -> dict[str, str]:
    names = pattern.strip("/").split("/")
    return {
        n[1:-1]: v
        for n, v in zip(names, request.path.strip("/").split("/"), strict=False)
        if n.startswith("{")
    }


def _matches(pattern: list[str], parts: list[str]) -> bool:
    return len(pattern) == len(parts) and all(
        p.startswith("{") or p == q for p, q in zip(pattern, parts, strict=True)
    )
