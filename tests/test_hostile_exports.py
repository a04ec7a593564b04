"""`botwarden diagnose` on hostile exports (tests/hostile_exports.py): each is refused with one line and
exit 2, or read with the bad record skipped and noted; never a traceback, and memory stays bounded.

The cases run one after another in one child process (starting a process per case costs more than every
case together): the child traces Python's allocations for each case (tracemalloc's peak, which is where
an unbounded read would show: every byte read is a Python object), and its own peak resident memory
(VmHWM, interpreter and libraries included) is checked for the whole run."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .hostile_exports import CASES, Case

#: Python-heap peak of one `diagnose` run. Reading any of these cases whole would take gigabytes.
CASE_PEAK_LIMIT_MB = 64
#: Peak resident memory of the child process over every case.
PROCESS_PEAK_LIMIT_MB = 400
DRIVER = """
import contextlib, io, json, resource, sys, tracemalloc
from botwarden.cli.main import main
cases_file, results_file = sys.argv[1:3]
cases, results = json.load(open(cases_file)), []
tracemalloc.start()
for args in cases:
    out, err, code = io.StringIO(), io.StringIO(), 0
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    sys.argv = ["botwarden", *args]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException as exc:  # what the test is there to catch: reported, not fatal here
            import traceback
            err.write("Traceback (uncaught)\\n" + traceback.format_exc())
            code = None
    peak = (tracemalloc.get_traced_memory()[1] - before) / 2**20
    results.append({"exit": code, "peak_mb": peak, "stdout": out.getvalue(), "stderr": err.getvalue()})
def high_water_mb():
    # VmHWM belongs to this process's own memory map; ru_maxrss after a fork and exec also counts the
    # parent's resident memory at the fork (a pytest process of hundreds of MB).
    try:
        with open("/proc/self/status") as status:
            line = next(l for l in status if l.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
process = high_water_mb()
json.dump({"cases": results, "process_peak_mb": process}, open(results_file, "w"))
"""


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("hostile")
    runs = []
    for number, case in enumerate(CASES):
        folder = base / f"case{number}"
        folder.mkdir()
        runs.append(["diagnose", str(case.build(folder)), "--format", "json", *case.args])
    (base / "cases.json").write_text(json.dumps(runs))
    proc = subprocess.run(
        [sys.executable, "-c", DRIVER, str(base / "cases.json"), str(base / "results.json")],
        capture_output=True,
        text=True,
        timeout=300,
        env={"COLUMNS": "300", "NO_COLOR": "1", "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = json.loads((base / "results.json").read_text())
    by_name = dict(zip((case.name for case in CASES), found["cases"], strict=True))
    refused = sum(1 for r in found["cases"] if r["exit"] == 2)
    skipped = sum(1 for case in CASES if case.outcome == "skipped" and by_name[case.name]["exit"] == 0)
    peak = max(r["peak_mb"] for r in found["cases"])
    print(
        f"\nhostile exports: {len(CASES)} tried, {refused} refused (exit 2), {skipped} read with the bad "
        f"record(s) skipped; highest Python-heap peak of a case {peak:.1f} MB, "
        f"process peak {found['process_peak_mb']:.0f} MB"
    )
    return {"cases": by_name, "process_peak_mb": found["process_peak_mb"]}


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_hostile_export_is_refused_or_skipped_in_bounded_memory(
    case: Case, outcomes: dict[str, Any]
) -> None:
    run = outcomes["cases"][case.name]
    assert "Traceback" not in run["stderr"], run["stderr"][-3000:]
    assert run["peak_mb"] < CASE_PEAK_LIMIT_MB, f"peak {run['peak_mb']:.0f} MB"
    stderr = " ".join(run["stderr"].split())
    if case.outcome == "refused":
        assert run["exit"] == 2, stderr
        assert stderr.startswith("error:") and re.search(case.pattern, stderr), stderr
        return
    assert run["exit"] == 0, stderr
    assert f"{case.skipped:,} record(s) could not be read and were skipped" in stderr, stderr
    assert re.search(case.pattern, stderr), stderr
    assert json.loads(run["stdout"])["posts"] == case.posts


def test_the_whole_run_stays_under_the_process_memory_limit(outcomes: dict[str, Any]) -> None:
    assert outcomes["process_peak_mb"] < PROCESS_PEAK_LIMIT_MB


def test_the_corpus_is_generated_small(tmp_path: Path) -> None:
    """The 3 GiB archives are a few MB on disk: nothing big is written or committed."""
    big = [case for case in CASES if "3 GiB" in case.name]
    for number, case in enumerate(big):
        folder = tmp_path / str(number)
        folder.mkdir()
        assert case.build(folder).stat().st_size < 4_000_000
