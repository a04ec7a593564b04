"""A worker for the crash-during-ingest test: one ingest pass at a given simulated time, then exit.
Prints "ingesting" just before the pass begins writing, so the test can aim its SIGKILL at the writes.

Usage: python -m tests.ingest_worker CONFIG NOW_ISO
"""

from __future__ import annotations

import sys
from datetime import datetime

from botwarden import config as config_module
from botwarden.run.loop import Runtime


def main() -> None:
    runtime = Runtime(config_module.load(sys.argv[1], env={}))
    print("ingesting", flush=True)
    report = runtime.ingestor.run(datetime.fromisoformat(sys.argv[2]))
    print(f"queued {report.queued}", flush=True)
    runtime.close()


if __name__ == "__main__":
    main()
