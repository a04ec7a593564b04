"""``botwarden serve``: several server processes answer on one port, each with its own listening socket,
stop together on SIGTERM, and a port in use is refused with a message rather than a traceback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import ROOT
from tests.pg import _free_port
from tests.service import build_world


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _listening_sockets(pid: int) -> int:
    """How many of the process's open files are listening TCP sockets on any port (Linux /proc)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    listening = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            listening += fields[3] == "0A" and fields[9] in inodes  # 0A: LISTEN
    return listening


def _serve(world_path: Path, port: int, workers: int) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "botwarden", "serve", "-c", str(world_path)]
    return subprocess.Popen(
        [*command, "--port", str(port), "--workers", str(workers)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_two_server_processes_answer_and_stop_together(tmp_path: Path) -> None:
    world = build_world(tmp_path)
    world.runtime.close()
    port = _free_port()
    server = _serve(world.path, port, 2)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and server.poll() is None, "serve did not start"
                time.sleep(0.2)
        assert health.json()["database"] == "ok"
        while len(workers := {pid for pid in _children(server.pid) if _listening_sockets(pid) > 0}) < 2:
            # the first process to listen answered; the second may still be starting
            assert time.monotonic() < deadline, "each of the two server processes listens on its own socket"
            time.sleep(0.2)
        headers = {"Authorization": f"Bearer {world.tokens['harbour']}"}
        for _ in range(20):  # fresh connections, spread by the kernel over both processes
            assert httpx.get(f"http://127.0.0.1:{port}/api/v1/accounts", headers=headers).status_code == 200

        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
    assert "Traceback" not in output
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers), "a server process outlived serve"


def test_a_port_in_use_is_refused_with_a_message(tmp_path: Path) -> None:
    world = build_world(tmp_path)
    world.runtime.close()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = _serve(world.path, port, 2)
        output, _ = done.communicate(timeout=60)
    assert done.returncode == 2, output
    assert f"cannot listen on 127.0.0.1:{port}" in output and "Traceback" not in output
