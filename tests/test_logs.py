"""Logs for a service: `--log-level` and `--log-format text|json` (one JSON object a line, ISO 8601 UTC
times), no library chatter at INFO, an idle summary at most every N minutes, one line per event however
long (nothing wrapped off a terminal), a stopped account logged once, and `serve` logging its address and
each request."""

from __future__ import annotations

import io
import json
import logging
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from botwarden import __version__
from botwarden import config as config_module
from botwarden.cli.logs import configure
from botwarden.networks import Outcome, OutcomeKind
from botwarden.run.ingest import IngestReport
from botwarden.run.loop import PassLog, PassReport, Runtime
from botwarden.run.outbox import PublishReport
from tests.conftest import ROOT, rss
from tests.pg import _free_port
from tests.service import build_world

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    yield stream
    logging.basicConfig(level=logging.WARNING, force=True)  # leave the root as pytest expects it


def test_json_lines_with_utc_times_and_the_events_fields(captured: io.StringIO) -> None:
    configure("info", "json", captured)
    logging.getLogger("botwarden.events").warning(
        "feed_error: %s", "a\nmultiline\nerror", extra={"event": "feed_error", "feed": "news"}
    )
    logging.getLogger("botwarden.runtime").debug("not shown at info")
    [line] = captured.getvalue().splitlines()
    record = json.loads(line)
    assert ISO_UTC.match(record["time"]), record["time"]
    assert record["level"] == "warning" and record["logger"] == "botwarden.events"
    assert record["message"] == "feed_error: a\nmultiline\nerror"
    assert record["event"] == "feed_error" and record["feed"] == "news"


def test_text_is_one_line_per_event_however_long(captured: io.StringIO) -> None:
    configure("info", "text", captured)
    long = "word " * 80
    logging.getLogger("botwarden").info("first line\nsecond line %s", long)
    [line] = captured.getvalue().splitlines()
    stamp, level, rest = line.split(" ", 2)
    assert ISO_UTC.match(stamp) and level == "INFO"
    assert rest.startswith("botwarden: first line\\nsecond line word") and len(line) > 400


@pytest.mark.parametrize("level", ["warning", "error"])
def test_info_can_be_turned_off(captured: io.StringIO, level: str) -> None:
    configure(level, "text", captured)
    logging.getLogger("botwarden").info("a pass")
    logging.getLogger("alembic.runtime.migration").warning("library warning")
    assert "a pass" not in captured.getvalue()
    assert ("library warning" in captured.getvalue()) == (level == "warning")


def test_libraries_say_nothing_at_info_on_a_first_run(tmp_path: Path) -> None:
    """A first `run --once` creates and migrates the store: Alembic's dozen lines stay out of the log."""
    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss({"guid": "1", "title": "Hello harbour", "link": "https://e.org/1"}))
    config = tmp_path / "bw.toml"
    config.write_text(
        f'[settings]\ndatabase_url = "sqlite:///{tmp_path / "bw.db"}"\nresolve_links = false\n'
        '[[accounts]]\nid = "a"\nnetwork = "local"\n'
        f'[[feeds]]\nid = "f"\nurl = "{feed}"\n[[routes]]\nfeed = "f"\naccount = "a"\n'
    )
    command = [sys.executable, "-m", "botwarden", "run", "--once", "-c", str(config), "--log-format", "json"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stderr.splitlines()]
    assert records, "info shows botwarden's own events"
    assert all(r["logger"].startswith("botwarden") for r in records), [r["logger"] for r in records]
    assert any(r.get("event") == "route_seeded" for r in records)
    assert "posted 1" in done.stdout


def _report(at: datetime, **counts: int) -> PassReport:
    publish = PublishReport(**{k: v for k, v in counts.items() if k in ("posted", "held")})
    ingest = IngestReport(
        **{k: v for k, v in counts.items() if k in ("fetched", "not_modified", "new_items")}
    )
    return PassReport(at, ingest, publish)


def test_idle_passes_are_one_summary_at_most_every_n_minutes(captured: io.StringIO) -> None:
    configure("info", "text", captured)
    passes = PassLog(idle_minutes=60)
    for minute in range(181):  # three hours of a pass a minute, one of them busy
        at = T0 + timedelta(minutes=minute)
        passes(_report(at, posted=1, new_items=1) if minute == 90 else _report(at, not_modified=1))
    lines = captured.getvalue().splitlines()
    assert len(lines) == 4, lines  # three idle summaries and the busy pass, not 181 lines
    assert sum("idle:" in line for line in lines) == 3
    assert sum("pass: fetched 0" in line and "posted 1" in line for line in lines) == 1
    assert "pass(es) in the last 60 minutes found nothing new" in lines[0]


def test_a_stopped_account_is_logged_once(tmp_path: Path, captured: io.StringIO) -> None:
    configure("info", "text", captured)
    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss({"guid": "1", "title": "Hello harbour", "link": "https://e.org/1"}))
    raw = {
        "settings": {"database_url": f"sqlite:///{tmp_path / 'bw.db'}", "resolve_links": False},
        "accounts": [{"id": "a", "network": "local"}],
        "feeds": [{"id": "f", "url": str(feed)}],
        "routes": [{"feed": "f", "account": "a"}],
    }
    locked = Outcome(OutcomeKind.LOCKED, message="326: locked")
    runtime = Runtime(config_module.from_mapping(raw, env={}), faults=lambda *_: locked, env={})
    runtime.run_pass(T0)
    runtime.close()
    stopped = [
        line for line in captured.getvalue().splitlines() if "stopped" in line and " a " in f" {line} "
    ]
    assert len(stopped) == 1 and " ERROR " in stopped[0], captured.getvalue()


def test_version() -> None:
    done = subprocess.run([sys.executable, "-m", "botwarden", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == f"botwarden {__version__}"


def test_serve_logs_its_address_and_each_request(tmp_path: Path) -> None:
    world = build_world(tmp_path)
    world.runtime.close()
    port = _free_port()
    command = [sys.executable, "-m", "botwarden", "serve", "-c", str(world.path), "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--log-format", "json"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline and server.poll() is None, "serve did not start"
                time.sleep(0.2)
        httpx.get(f"http://127.0.0.1:{port}/api/v1/queue/5", timeout=5)
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    records = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert len(records) == len(output.splitlines()), output  # every line is a JSON object
    [started] = [r for r in records if r["logger"] == "botwarden.serve"]
    assert f"http://127.0.0.1:{port}" in started["message"] and started["port"] == port
    requests = [r for r in records if r["logger"] == "botwarden.web.access"]
    assert any(r["path"] == "/api/v1/health" and r["status"] == 200 for r in requests)
    assert any(r["path"] == "/api/v1/queue/5" and r["status"] == 401 for r in requests)
    assert all(ISO_UTC.match(r["time"]) for r in records)
