"""A worker process for the shared-store tests: runs passes on a fast shared clock until told to stop, and
logs every call that reaches the network, so the test can count what was sent and how often.

Usage: python -m tests.pg_worker CONFIG WORKER_ID T0_ISO REAL_START SPEED LOG STOP_FILE
  the simulated time is T0 + (now - REAL_START) * SPEED, the same formula in every worker process.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from botwarden import config as config_module
from botwarden.networks import Network, Outcome, Post, Profile
from botwarden.runtime import Runtime


class LoggedNetwork:
    """Writes ``key account time`` for every publish call before passing it on."""

    def __init__(self, inner: Network, log: Path) -> None:
        self.name = inner.name
        self.inner = inner
        self.log = log.open("a", encoding="utf-8", buffering=1)

    def publish(self, account: str, post: Post, *, at: datetime) -> Outcome:
        self.log.write(f"{post.idempotency_key} {account} {at.isoformat()}\n")
        os.fsync(self.log.fileno())  # a SIGKILL right after must not lose the line
        return self.inner.publish(account, post, at=at)

    def find_published(self, account: str, post: Post) -> str | None:
        return self.inner.find_published(account, post)

    def probe(self, account: str) -> Outcome | None:
        return self.inner.probe(account)

    def profile(self, account: str) -> Profile:
        return self.inner.profile(account)


def main() -> None:
    path, worker_id, t0, real_start, speed, log, stop = sys.argv[1:8]
    start, begun, factor = datetime.fromisoformat(t0), float(real_start), float(speed)
    # On a fast clock, small batches keep a pass short in simulated time, as a lease must outlast the pass
    # that takes it; in real time (the benchmark) the worker's own default holds.
    batch = 200 if factor == 1 else 25
    runtime = Runtime(config_module.load(path, env={}), worker_id=worker_id, batch=batch)
    runtime.publisher.networks["local"] = LoggedNetwork(runtime.publisher.networks["local"], Path(log))
    while not Path(stop).exists():
        runtime.run_pass_safely(start + timedelta(seconds=(time.time() - begun) * factor))
        time.sleep(0.02)
    runtime.close()


if __name__ == "__main__":
    main()
