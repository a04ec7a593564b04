"""A worker for the database-outage test: runs passes on a fast simulated clock through the same
``run_pass_safely`` the run loop uses, until a stop file appears. Prints one line a pass.

Usage: python -m tests.outage_worker CONFIG T0_ISO SPEED STOP_FILE
"""

from __future__ import annotations

import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from botwarden import config as config_module
from botwarden.runtime import Runtime


def main() -> None:
    path, t0, speed, stop = (
        sys.argv[1],
        datetime.fromisoformat(sys.argv[2]),
        float(sys.argv[3]),
        Path(sys.argv[4]),
    )
    runtime = Runtime(config_module.load(path, env={}))
    begun = time.monotonic()
    while not stop.exists():
        report = runtime.run_pass_safely(t0 + timedelta(seconds=(time.monotonic() - begun) * speed))
        if report is None:
            print("unavailable", flush=True)
            time.sleep(min(runtime.database_backoff(), 2.0))  # the real loop waits up to 30 s
            continue
        print(f"pass posted {report.publish.posted}", flush=True)
        time.sleep(0.05)
    runtime.close()


if __name__ == "__main__":
    main()
