"""A loopback HTTP server that sends its answer one byte a second: the slow server a per-read timeout
never catches, since every read gets a byte in time."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType


class TrickleServer:
    """``headers``: the whole answer trickles from its status line; ``body``: the headers come at once
    and the body trickles. Each connection gets its own thread; it stops when the client hangs up."""

    def __init__(self, mode: str, *, gap: float = 1.0) -> None:
        self.mode = mode
        self.gap = gap
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._stopped = threading.Event()
        self.connections = 0
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def __enter__(self) -> TrickleServer:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stopped.set()
        self._listener.close()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        body = b"<rss><channel><title>slow</title></channel></rss>" * 20
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: {len(body)}\r\n\r\n"
        with conn:
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                request += chunk
            slow = head.encode() + body
            if self.mode == "body":
                conn.sendall(head.encode())
                slow = body
            for byte in slow:
                if self._stopped.wait(self.gap):
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return  # the client gave up: what a deadline is for


def elapsed(start: float) -> float:
    return time.monotonic() - start
