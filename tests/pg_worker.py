"""A worker process for the shared-store tests: runs passes on a fast shared clock until told to stop, and
logs every publish call and the network's answer to it, so the test can count what was sent and how often.

Usage: python -m tests.pg_worker CONFIG WORKER_ID T0_ISO REAL_START SPEED LOG STOP_FILE [GO_FILE]
  the simulated time is T0 + (now - REAL_START) * SPEED, the same formula in every worker process.
  With GO_FILE (the benchmark), the worker logs nothing: it starts up, writes LOG.ready and waits for
  GO_FILE before its first pass, so that a measurement can leave out the start of the processes.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from botwarden import config as config_module
from botwarden.networks import Network, Outcome, Post, Profile
from botwarden.run.loop import Runtime


class LoggedNetwork:
    """Writes ``try KEY ACCOUNT TIME`` before each publish call and ``answer KEY KIND`` after it.

    A worker killed between the two lines may or may not have reached the network; the network itself
    says which, as it answers a second delivery of a key it already has with ``duplicate``."""

    def __init__(self, inner: Network, log: Path) -> None:
        self.name = inner.name
        self.inner = inner
        self.log = log.open("a", encoding="utf-8", buffering=1)

    def publish(self, account: str, post: Post, *, at: datetime) -> Outcome:
        self._write(f"try {post.idempotency_key} {account} {at.isoformat()}")
        outcome = self.inner.publish(account, post, at=at)
        self._write(f"answer {post.idempotency_key} {outcome.kind.value}")
        return outcome

    def _write(self, line: str) -> None:
        # Line-buffered: the line is in the kernel before the call goes on, so a SIGKILL of this process
        # cannot lose it (only a crash of the machine could, which these tests do not cause).
        self.log.write(line + "\n")

    def find_published(self, account: str, post: Post) -> str | None:
        return self.inner.find_published(account, post)

    def probe(self, account: str) -> Outcome | None:
        return self.inner.probe(account)

    def profile(self, account: str) -> Profile:
        return self.inner.profile(account)


def main() -> None:
    path, worker_id, t0, real_start, speed, log, stop = sys.argv[1:8]
    go = Path(sys.argv[8]) if len(sys.argv) > 8 else None
    start, begun, factor = datetime.fromisoformat(t0), float(real_start), float(speed)

    def clock() -> datetime:
        return start + timedelta(seconds=(time.time() - begun) * factor)

    # On a fast clock, small batches keep a pass short in simulated time, as the schedule's checks are
    # made at the pass's start; in real time (the benchmark) the worker's own default holds.
    batch = 200 if factor == 1 else 25
    runtime = Runtime(config_module.load(path, env={}), worker_id=worker_id, batch=batch)
    if go is None:
        runtime.publisher.networks["local"] = LoggedNetwork(runtime.publisher.networks["local"], Path(log))
    else:  # the benchmark counts from the queue: no log, whose fsyncs are the test's cost, not botwarden's
        Path(log + ".ready").touch()
        while not go.exists() and not Path(stop).exists():
            time.sleep(0.005)
    while not Path(stop).exists():
        runtime.run_pass_safely(clock(), clock)  # leases run on the same fast clock
        time.sleep(0.02)
    runtime.close()


if __name__ == "__main__":
    main()
