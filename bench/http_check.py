"""Checks per second and latency of ``POST /api/v1/check`` on loopback, with the serving setup the README
recommends (``botwarden serve --workers 2`` on this 2-core machine: one process per core).

    .venv/bin/python bench/http_check.py                  # 15 s at 8, 16 and 32 connections, 2 processes
    .venv/bin/python bench/http_check.py --seconds 10 --connections 64 --workers 1

The load generator is a minimal HTTP/1.1 keep-alive client on asyncio (an httpx client would spend more
of the machine's two cores than the server does); it shares the machine with the server, so the figures
are a floor. Goal: at least 1,000 checks/s with p99 at most 25 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.service import build_world  # noqa: E402

TEXTS = [
    "Ferry timetable for the winter season",
    "Harbour festival this weekend with boat parades and music",
    "Storm warning: the northern pier closes at noon",
    "Council approves a new electric ferry for the sound",
]


async def _client(port: int, body: bytes, deadline: float, latencies: list[float], errors: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        writer.write(body)
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(
            next(
                line.split(b":")[1]
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
        )
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - started)
        if not head.startswith(b"HTTP/1.1 200"):
            errors.append(int(head[9:12]))
    writer.close()


def _request(token: str, n: int) -> bytes:
    action = {
        "type": "action",
        "id": f"b{n}",
        "kind": "post",
        "account": "harbour-news",
        "at": "2026-11-24T12:00:00+00:00",
        "text": TEXTS[n % len(TEXTS)] + f" #{n}",
        "links": [f"https://harbour.example/{n}"],
    }
    payload = json.dumps(action).encode()
    return (
        f"POST /api/v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
    ).encode() + payload


async def _load(port: int, token: str, seconds: float, connections: int) -> tuple[list[float], list[int]]:
    latencies: list[float] = []
    errors: list[int] = []
    deadline = time.perf_counter() + seconds
    await asyncio.gather(
        *[_client(port, _request(token, n), deadline, latencies, errors) for n in range(connections)]
    )
    return latencies, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--connections", type=int, action="append", help="(repeatable) default: 8, 16, 32")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="botwarden-http-"))
    world = build_world(workdir)
    world.runtime.close()
    port = random.randint(20000, 40000)
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/botwarden"),
            "serve",
            "-c",
            str(world.path),
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ],
        env={**os.environ, "BOTWARDEN_SECRET_KEY": ""},
        cwd=workdir,
    )
    try:
        for _ in range(300):  # the server processes start and migrate: wait for them to listen
            try:
                asyncio.run(_load(port, world.tokens["harbour"], 0.2, 1))
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("the server did not start listening within 30 s")
        asyncio.run(_load(port, world.tokens["harbour"], 2, 8))  # warm up
        print(
            f"POST /api/v1/check, {args.workers} server process(es), {args.seconds:.0f} s a row, "
            f"{os.cpu_count()} cores shared with the load generator"
        )
        print(
            f"{'conns':>5} {'checks':>8} {'checks/s':>9} {'mean ms':>8} {'p50 ms':>7} {'p95 ms':>7} "
            f"{'p99 ms':>7} {'max ms':>7} {'errors':>6}  goal (>= 1000/s, p99 <= 25 ms)"
        )
        for connections in args.connections or [8, 16, 32]:
            latencies, errors = asyncio.run(_load(port, world.tokens["harbour"], args.seconds, connections))
            _row(connections, sorted(latencies), errors, args.seconds)
    finally:
        server.terminate()
        server.wait(timeout=10)


def _row(connections: int, latencies: list[float], errors: list[int], seconds: float) -> None:
    count = len(latencies)

    def pct(p: float) -> float:
        return latencies[min(count - 1, int(p * count))] * 1000

    rate = count / seconds
    met = "met" if rate >= 1000 and pct(0.99) <= 25 and not errors else "not met"
    print(
        f"{connections:>5} {count:>8} {rate:>9.0f} {statistics.fmean(latencies) * 1000:>8.1f} "
        f"{pct(0.5):>7.1f} {pct(0.95):>7.1f} {pct(0.99):>7.1f} {latencies[-1] * 1000:>7.1f} "
        f"{len(errors):>6}  {met}"
    )


if __name__ == "__main__":
    main()
