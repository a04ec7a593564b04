"""Checks per second and latency of ``POST /api/v1/check`` on loopback, with the serving setup the README
recommends (``botwarden serve --workers 2`` on this 2-core machine: one process per core).

    .venv/bin/python bench/http_check.py        # 15 s a row: closed loop at 8/16/32 connections, then
                                                # open loop offering 800/1000/1200 checks/s; 2 processes
    .venv/bin/python bench/http_check.py --seconds 10 --connections 64 --rate 1500 --workers 1

The load generator is a minimal HTTP/1.1 keep-alive client on uvloop (an httpx client would spend more
of the machine's two cores than the server does); it shares the machine with the server, so the figures
are a floor. "cpu µs" is the server processes' CPU time per check. Goal: at least 1,000 checks/s with p99
at most 25 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import uvloop

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.service import build_world  # noqa: E402

TEXTS = [
    "Ferry timetable for the winter season",
    "Harbour festival this weekend with boat parades and music",
    "Storm warning: the northern pier closes at noon",
    "Council approves a new electric ferry for the sound",
]


class _Connection:
    """One keep-alive HTTP/1.1 connection: a request out, its whole answer back."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> _Connection:
        return cls(*await asyncio.open_connection("127.0.0.1", port))

    async def roundtrip(self, request: bytes) -> int:
        self.writer.write(request)
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        )
        await self.reader.readexactly(length)
        return int(head[9:12])

    def close(self) -> None:
        self.writer.close()


async def _client(port: int, body: bytes, deadline: float, latencies: list[float], errors: list[int]) -> None:
    connection = await _Connection.open(port)
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        status = await connection.roundtrip(body)
        latencies.append(time.perf_counter() - started)
        if status != 200:
            errors.append(status)
    connection.close()


async def _offer(
    port: int, token: str, rate: float, seconds: float, connections: int
) -> tuple[list[float], list[int]]:
    """Open loop: send ``rate`` checks a second on schedule, whatever the answers' pace. A latency runs
    from when the request was due, so waiting for a free connection counts (no coordinated omission)."""
    idle: asyncio.Queue[_Connection] = asyncio.Queue()
    for _ in range(connections):
        idle.put_nowait(await _Connection.open(port))
    requests = [_request(token, n) for n in range(64)]
    latencies: list[float] = []
    errors: list[int] = []

    async def one(n: int, due: float) -> None:
        connection = await idle.get()
        status = await connection.roundtrip(requests[n % len(requests)])
        latencies.append(time.perf_counter() - due)
        if status != 200:
            errors.append(status)
        idle.put_nowait(connection)

    begun = time.perf_counter()
    tasks = []
    for n in range(int(rate * seconds)):
        due = begun + n / rate
        if (wait := due - time.perf_counter()) > 0:
            await asyncio.sleep(wait)
        tasks.append(asyncio.create_task(one(n, due)))
    await asyncio.gather(*tasks)
    while not idle.empty():
        idle.get_nowait().close()
    return latencies, errors


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


def _measured(run: Any) -> Any:
    """Run one row's load with the generator's own garbage collector paused, so that its pauses (it
    keeps every task and latency of the row) are not counted as the server's latency."""
    gc.collect()
    gc.disable()
    try:
        return uvloop.run(run)
    finally:
        gc.enable()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--connections", type=int, action="append", help="(repeatable) default: 8, 16, 32")
    parser.add_argument("--rate", type=int, action="append", help="(repeatable) default: 800, 1000, 1200")
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
                uvloop.run(_load(port, world.tokens["harbour"], 0.2, 1))
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("the server did not start listening within 30 s")
        uvloop.run(_load(port, world.tokens["harbour"], 4, 32))  # warm up every server process
        print(
            f"POST /api/v1/check, {args.workers} server process(es), {args.seconds:.0f} s a row, "
            f"{os.cpu_count()} cores shared with the load generator"
        )
        token = world.tokens["harbour"]
        print("\nclosed loop: each connection sends its next check when the answer is back (capacity)")
        _header("conns")
        for connections in args.connections or [8, 16, 32]:
            cpu = _cpu_seconds(server.pid)
            latencies, errors = _measured(_load(port, token, args.seconds, connections))
            _row(str(connections), latencies, errors, args.seconds, _cpu_seconds(server.pid) - cpu, None)
        print("\nopen loop: checks offered on a fixed schedule over 32 connections (the goal's test)")
        _header("offered")
        for rate in args.rate or [800, 1000, 1200]:
            cpu = _cpu_seconds(server.pid)
            begun = time.perf_counter()
            latencies, errors = _measured(_offer(port, token, rate, args.seconds, 32))
            elapsed = time.perf_counter() - begun
            _row(f"{rate}/s", latencies, errors, elapsed, _cpu_seconds(server.pid) - cpu, rate)
    finally:
        server.terminate()
        server.wait(timeout=10)


def _cpu_seconds(root: int) -> float:
    """CPU time used so far by the server: its process and every process it started (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        pid, parent = int(stat.parent.name), int(fields[1])
        if root in (pid, parent):
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    return total


def _header(first: str) -> None:
    print(
        f"{first:>7} {'checks':>7} {'checks/s':>8} {'mean ms':>7} {'p50 ms':>6} {'p95 ms':>6} {'p99 ms':>6} "
        f"{'max ms':>6} {'errors':>6} {'cpu µs':>6}  goal (>= 1000/s, p99 <= 25 ms)"
    )


def _row(
    label: str, latencies: list[float], errors: list[int], seconds: float, cpu: float, offered: int | None
) -> None:
    """One table row. Open loop (``offered``): the goal is met when 1,000 a second or more were offered,
    the server kept up with them (98 %) and p99 stayed within 25 ms."""
    latencies = sorted(latencies)
    count = len(latencies)

    def pct(p: float) -> float:
        return latencies[min(count - 1, int(p * count))] * 1000

    rate = count / seconds
    pace = rate >= 1000 if offered is None else offered >= 1000 and rate >= 0.98 * offered
    met = "met" if pace and pct(0.99) <= 25 and not errors else "not met"
    print(
        f"{label:>7} {count:>7} {rate:>8.0f} {statistics.fmean(latencies) * 1000:>7.1f} {pct(0.5):>6.1f} "
        f"{pct(0.95):>6.1f} {pct(0.99):>6.1f} {latencies[-1] * 1000:>6.1f} {len(errors):>6} "
        f"{cpu / count * 1e6:>6.0f}  {met}"
    )


if __name__ == "__main__":
    main()
