"""The consent ledger's commands: what they record in the store, what the rules then see, and the errors."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from botwarden.cli.common import open_store
from botwarden.cli.main import app
from botwarden.errors import BotwardenError
from botwarden.store.consent import load_ledger

from .test_cli import invoke, runner, write_config

T = "2026-03-21T09:00:00+00:00"
AT = datetime(2026, 3, 21, 9, 0, tzinfo=UTC)


def ledger_json(config: Path, *extra: str) -> list[dict[str, object]]:
    result = runner.invoke(app, ["consent", "list", "-c", str(config), "--format", "json", *extra])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_opt_in_then_opt_out_is_recorded_with_who_and_when(tmp_path: Path) -> None:
    config = write_config(tmp_path, "https://example.org/feed.rss")
    code, output = invoke(
        "optin",
        "add",
        "city-news",
        "@Reader",
        "--via",
        "dm",
        "--interaction",
        "m-1",
        "--at",
        T,
        "-c",
        str(config),
        "--by",
        "ops@harbour",
    )
    assert code == 0 and "recorded: @reader opted in to city-news by dm" in output
    code, output = invoke(
        "optout", "add", "city-news", "reader", "-c", str(config), "--at", "2026-03-21T10:00:00Z"
    )
    assert code == 0 and "opted out" in output
    rows = ledger_json(config)
    assert [(r["kind"], r["user"], r["via"]) for r in rows] == [
        ("opt_in", "reader", "dm"),
        ("opt_out", "reader", None),
    ]
    assert rows[0]["recorded_by"] == "ops@harbour" and rows[0]["interaction"] == "m-1"
    code, output = invoke("optout", "list", "-c", str(config))
    assert code == 0 and "opt_out" in output and "opt_in" not in output

    with open_store(f"sqlite:///{tmp_path / 'bw.db'}")() as session:
        ledger = load_ledger(session)
    assert ledger.standing("city-news", "Reader", AT).asked  # opted in at 09:00
    assert ledger.standing("city-news", "Reader", AT.replace(hour=11)).opted_out_at == AT.replace(hour=10)


def test_inbound_messages_opt_in_or_out_by_what_they_say(tmp_path: Path) -> None:
    config = write_config(tmp_path, "https://example.org/feed.rss")
    code, output = invoke("inbound", "city-news", "@a", "Can you send me the tide times?", "-c", str(config))
    assert code == 0 and "opted in" in output
    code, output = invoke("inbound", "city-news", "@b", "STOP", "--via", "reply", "-c", str(config))
    assert code == 0 and "opted out" in output
    code, output = invoke("inbound", "city-news", "@c", "please don't stop posting these", "-c", str(config))
    assert code == 0 and "opted in" in output  # a sentence that merely contains "stop" is not an opt-out
    kinds = [(r["user"], r["kind"]) for r in ledger_json(config)]
    assert kinds == [("a", "opt_in"), ("b", "opt_out"), ("c", "opt_in")]


def test_owner_consent_purpose_and_revocation(tmp_path: Path) -> None:
    config = write_config(tmp_path, "https://example.org/feed.rss")
    code, output = invoke(
        "consent",
        "grant",
        "city-news",
        "--owner",
        "Harbour Café",
        "--actions",
        "post, reply",
        "--purpose-version",
        "v2",
        "--delete-notice",
        "--at",
        T,
        "-c",
        str(config),
    )
    assert code == 0 and "consented to automated post, reply" in output
    assert invoke("consent", "purpose", "v3", "-c", str(config), "--at", "2026-03-22T00:00:00Z")[0] == 0
    assert invoke("consent", "revoke", "city-news", "-c", str(config), "--at", "2026-03-23T00:00:00Z")[0] == 0
    with open_store(f"sqlite:///{tmp_path / 'bw.db'}")() as session:
        ledger = load_ledger(session, ["city-news"])
    consent = ledger.consent_for("city-news", AT)
    assert consent is not None and consent.actions == {"post", "reply"} and consent.delete_notice
    assert ledger.purpose_version(AT.replace(day=22, hour=1)) == "v3"
    assert ledger.owner_opted_out("city-news", AT.replace(day=24)) is not None
    code, output = invoke("consent", "list", "-c", str(config))
    assert code == 0 and "Harbour Café" in output and "owner_opt_out" in output


def test_ledger_commands_refuse_bad_input_clearly(tmp_path: Path) -> None:
    config = write_config(tmp_path, "https://example.org/feed.rss")
    cases = [
        (("optout", "add", "nobody", "@u"), "no account 'nobody'"),
        (("optin", "add", "city-news", "@u", "--via", "telepathy"), "--via must be one of"),
        (("optout", "add", "city-news", "@u", "--at", "yesterday"), "not an ISO 8601 time"),
        (("optout", "add", "city-news", "@u", "--at", "2026-03-21T09:00:00"), "give a time zone"),
        (
            (
                "consent",
                "grant",
                "city-news",
                "--owner",
                "o",
                "--actions",
                "teleport",
                "--purpose-version",
                "1",
            ),
            "unknown kind 'teleport'",
        ),
        (("consent", "list", "--format", "xml"), "--format must be table or json"),
    ]
    for args, message in cases:
        # main() turns these errors into one line and exit code 2 (tests/test_cli.py runs it end to end).
        result = runner.invoke(app, [*args, "-c", str(config)])
        assert isinstance(result.exception, BotwardenError), (args, result.output)
        assert result.exception.exit_code == 2 and message in str(result.exception), (args, result.exception)
    assert ledger_json(config) == []  # nothing half-recorded
    done = subprocess.run(
        [sys.executable, "-m", "botwarden", "optout", "add", "nobody", "@u", "-c", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "no account 'nobody'" in done.stderr and "Traceback" not in done.stderr
