"""A throwaway PostgreSQL cluster for the tests: ``initdb`` into a temporary folder, ``pg_ctl`` start on a
free loopback port, one fresh database per test, stopped and removed at the end.

PostgreSQL refuses to run as root, so when the tests run as root (CI) the server runs as the ``postgres``
system user through ``runuser``. Without PostgreSQL's programs the tests that need it skip, saying why.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from psycopg import sql


def _tool(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    return str(candidates[0]) if candidates else None


def available() -> str | None:
    """None when a cluster can be started here, else why not."""
    if _tool("initdb") is None or _tool("pg_ctl") is None:
        return "PostgreSQL's initdb and pg_ctl are not installed"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser, and PostgreSQL refuses to run as root"
    return None


class ThrowawayCluster:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="botwarden-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._as_postgres = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        command = list(args)
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed: {done.stdout}\n{done.stderr}")

    def halt(self) -> None:
        """Stop the server (its data stays): the database is unavailable until ``resume``."""
        self._run(str(_tool("pg_ctl")), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def resume(self) -> None:
        self._launch()
        self._wait()

    def start(self) -> ThrowawayCluster:
        if self._as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(str(_tool("initdb")), "-D", str(self.data), "-U", "botwarden", "--auth=trust",
                  "--encoding=UTF8", "--no-sync")  # fmt: skip
        self._launch()
        self._wait()
        return self

    def _launch(self) -> None:
        # A test cluster: no fsync (a crash loses it anyway), loopback only, its socket in its own folder.
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c max_connections=200 -c fsync=off"
        )
        self._run(str(_tool("pg_ctl")), "-D", str(self.data), "-o", options, "-l", str(self.root / "log"),
                  "-w", "-t", "60", "start")  # fmt: skip

    def _wait(self) -> None:
        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(self.url_for("postgres", driver=False), connect_timeout=2):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def url_for(self, database: str, *, driver: bool = True) -> str:
        scheme = "postgresql+psycopg" if driver else "postgresql"
        return f"{scheme}://botwarden@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database; its SQLAlchemy URL."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url_for("postgres", driver=False), autocommit=True) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return f"postgresql://botwarden@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        try:
            self._run(str(_tool("pg_ctl")), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
