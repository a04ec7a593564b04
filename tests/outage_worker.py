"""A worker for the database-outage test: runs passes on a fast simulated clock through the same
``run_pass_safely`` the run loop uses, until a stop file appears. Prints one line a pass.

Usage: python -m tests.outage_worker CONFIG T0_ISO SPEED STOP_FILE [FULL_FILE]
  FULL_FILE (SQLite only): while it exists, the database may not grow by a single page, so writes fail
  with SQLITE_FULL ("database or disk is full"), the error a full disk gives
"""

from __future__ import annotations

import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event

from botwarden import config as config_module
from botwarden.run.loop import Runtime


def main() -> None:
    path, t0, speed, stop = (
        sys.argv[1],
        datetime.fromisoformat(sys.argv[2]),
        float(sys.argv[3]),
        Path(sys.argv[4]),
    )
    runtime = Runtime(config_module.load(path, env={}))
    if len(sys.argv) > 5:
        _fill_disk_while(Path(sys.argv[5]), runtime)
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


def _fill_disk_while(full: Path, runtime: Runtime) -> None:
    def cap(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        cursor = dbapi_connection.cursor()
        # Capping the page count at the current size is refused growth, exactly as a full disk refuses it.
        cursor.execute("PRAGMA max_page_count = " + ("1" if full.exists() else "1073741823"))
        cursor.close()

    event.listen(runtime.db, "checkout", cap)


if __name__ == "__main__":
    main()
