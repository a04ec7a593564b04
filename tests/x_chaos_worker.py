"""A worker process for the chaos test: publishes to the fake X on a fast simulated clock until the queue
is settled, or until the test SIGKILLs it.

Usage: python -m tests.x_chaos_worker CONFIG START_ISO
"""

from __future__ import annotations

import sys
import time
from datetime import datetime, timedelta

from sqlalchemy import func, select

from botwarden import config as config_module
from botwarden.run.loop import Runtime
from botwarden.store.models import QueueRow

SPEED = 60  # one real second is a simulated minute
UNSETTLED = ("pending", "ready", "sending")


def main() -> None:
    path, start = sys.argv[1], datetime.fromisoformat(sys.argv[2])
    runtime = Runtime(config_module.load(path, env={}))
    begun = time.monotonic()
    print(f"started {begun:.3f}", flush=True)
    for _ in range(2000):
        now = start + timedelta(seconds=(time.monotonic() - begun) * SPEED)
        report = runtime.run_pass(now)
        print(f"pass {time.monotonic():.3f} posted {report.publish.posted}", flush=True)
        with runtime.sessions() as session:
            queued = session.scalar(select(func.count()).select_from(QueueRow))
            open_ = session.scalar(
                select(func.count()).select_from(QueueRow).where(QueueRow.state.in_(UNSETTLED))
            )
        if queued and not open_:
            break
    runtime.close()


if __name__ == "__main__":
    main()
