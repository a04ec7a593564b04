"""A worker process for the crash tests: runs passes on a simulated clock and SIGKILLs itself mid-publish.

Usage: python -m tests.crash_worker CONFIG START_ISO KILL_AT MODE
  KILL_AT: kill during the KILL_AT-th publish of this run (0: never)
  MODE: "before" (after 'sending' is committed, before the network has the post) or
        "after" (the network has the post, the outcome is not yet recorded)
"""

from __future__ import annotations

import os
import signal
import sys
from datetime import datetime, timedelta

from botwarden import config as config_module
from botwarden.networks import Network, Outcome, Post, Profile
from botwarden.run.loop import Runtime


class CrashingNetwork:
    def __init__(self, inner: Network, kill_at: int, mode: str) -> None:
        self.name = inner.name
        self.inner, self.kill_at, self.mode, self.calls = inner, kill_at, mode, 0

    def publish(self, account: str, post: Post, *, at: datetime) -> Outcome:
        self.calls += 1
        if self.calls == self.kill_at and self.mode == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        outcome = self.inner.publish(account, post, at=at)
        if self.calls == self.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return outcome

    def find_published(self, account: str, post: Post) -> str | None:
        return self.inner.find_published(account, post)

    def probe(self, account: str) -> Outcome | None:
        return self.inner.probe(account)

    def profile(self, account: str) -> Profile:
        return self.inner.profile(account)


def main() -> None:
    path, start, kill_at, mode = (
        sys.argv[1],
        datetime.fromisoformat(sys.argv[2]),
        int(sys.argv[3]),
        sys.argv[4],
    )
    runtime = Runtime(config_module.load(path, env={}))
    runtime.publisher.networks["local"] = CrashingNetwork(runtime.publisher.networks["local"], kill_at, mode)
    for step in range(24):
        runtime.run_pass(start + timedelta(minutes=5 * step))
    runtime.close()


if __name__ == "__main__":
    main()
