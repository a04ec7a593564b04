"""Running the server as several processes that each accept their own share of the connections.

uvicorn's own ``workers`` mode lets every process accept from one shared socket, and the first to wake
takes every waiting connection: with keep-alive clients one process can end up with all of them while the
others idle. Here each process binds its own socket with ``SO_REUSEPORT`` and the kernel spreads new
connections over them. Where the option does not exist, uvicorn's own mode is used.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import time
from multiprocessing.process import BaseProcess
from types import FrameType

import uvicorn

log = logging.getLogger("botwarden.serve")


def run_server(app: str, *, host: str, port: int, workers: int) -> None:
    """Serve the ASGI application factory ``app`` ("module:function") with ``workers`` processes."""
    # botwarden logs through its own handler (`serve --log-format`): uvicorn must not install its own.
    options = {"factory": True, "log_level": "warning", "access_log": False, "log_config": None}
    if workers == 1 or not hasattr(socket, "SO_REUSEPORT"):
        uvicorn.run(app, host=host, port=port, workers=workers, **options)  # type: ignore[arg-type]
        return
    _listen(host, port).close()  # a taken port or a bad address fails here, once, with the OS's reason
    context = multiprocessing.get_context("spawn")  # a fresh interpreter each: nothing shared by accident

    def start() -> BaseProcess:
        process = context.Process(target=_serve_one, args=(app, host, port), daemon=False)
        process.start()
        return process

    processes = [start() for _ in range(workers)]
    stopping = False

    def stop(_signal: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stopping:
            time.sleep(0.5)
            for n, process in enumerate(processes):
                if not process.is_alive() and not stopping:
                    log.warning("server process %s ended (exit %s); starting another", process.pid,
                                process.exitcode)  # fmt: skip
                    processes[n] = start()
    finally:
        for process in processes:
            if process.is_alive() and process.pid is not None:
                process.terminate()  # SIGTERM: uvicorn finishes the requests in flight, then exits
        for process in processes:
            process.join(timeout=30)
        for s, handler in previous.items():
            signal.signal(s, handler)


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def _serve_one(app: str, host: str, port: int) -> None:
    config = uvicorn.Config(app, factory=True, log_level="warning", access_log=False, log_config=None)
    uvicorn.Server(config).run(sockets=[_listen(host, port)])
