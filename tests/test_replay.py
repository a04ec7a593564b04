"""`botwarden check --replay`: the RULES.md contract, through the real command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ACCOUNT = {
    "type": "account",
    "id": "a",
    "network": "mastodon",
    "operator": "o",
    "bot_flag": True,
    "bio": "run by @o",
}


def replay(tmp_path: Path, lines: list[object], *args: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "scenario.jsonl"
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n")
    return subprocess.run(
        [sys.executable, "-m", "botwarden", "check", "--replay", str(path), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def action(ident: str, at: str, text: str, **extra: object) -> dict[str, object]:
    return {"type": "action", "id": ident, "kind": "post", "account": "a", "at": at, "text": text, **extra}


def test_one_json_verdict_per_action_in_order_and_allowed_actions_enter_history(tmp_path: Path) -> None:
    done = replay(
        tmp_path,
        [
            ACCOUNT,
            action("1", "2026-03-21T09:00:00Z", "Hello harbour"),
            {"type": "posted", "account": "a", "at": "2026-03-21T09:05:00Z", "text": "x"},
            action("2", "2026-03-21T10:00:00+01:00", "hello, Harbour!"),
        ],
        "--format",
        "json",
    )
    assert done.returncode == 0, done.stderr
    verdicts = [json.loads(line) for line in done.stdout.splitlines()]
    assert [v["id"] for v in verdicts] == ["1", "2"]
    assert set(verdicts[0]) == {"id", "decision", "codes", "findings", "not_before"}
    assert verdicts[0]["decision"] == "allow"
    assert (verdicts[1]["decision"], verdicts[1]["codes"]) == ("deny", ["BW101"])
    assert verdicts[1]["findings"][0]["evidence"]["earlier_id"] == "1"


def test_config_lines_change_settings_from_then_on(tmp_path: Path) -> None:
    done = replay(
        tmp_path,
        [
            ACCOUNT,
            {"type": "config", "burst_max": 1},
            action("1", "2026-03-21T09:00:00Z", "one"),
            action("2", "2026-03-21T09:01:00Z", "two"),
        ],
        "--format",
        "json",
    )
    verdicts = [json.loads(line) for line in done.stdout.splitlines()]
    assert verdicts[1]["decision"] == "delay"
    assert verdicts[1]["not_before"] == "2026-03-21T09:15:00+00:00"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", ":2: not valid JSON"),
        ('["a"]', ":2: each line must be a JSON object"),
        ({"id": "x"}, ":2: missing field 'type'"),
        ({"type": "tweet"}, ":2: unknown type 'tweet'"),
        (
            {"type": "action", "id": "1", "kind": "post", "account": "a"},
            ":2: action line: missing required field 'at'",
        ),
        (action("1", "2026-03-21T09:00:00", "x"), ":2: action line: field 'at': the time needs a zone"),
        (action("1", "yesterday", "x"), ":2: action line: field 'at'"),
        (action("1", "2026-03-21T09:00:00Z", "x", colour="red"), ":2: action line: unknown field 'colour'"),
        ({**action("1", "2026-03-21T09:00:00Z", "x"), "kind": "poke"}, ":2: action line: field 'kind'"),
        (
            action("1", "2026-03-21T09:00:00Z", "x", account="ghost"),
            ":2: action line: account 'ghost' has no account",
        ),
        ({"type": "config", "no_such_setting": 1}, ":2: config line: unknown setting 'no_such_setting'"),
    ],
)
def test_bad_input_exits_2_naming_line_and_field(tmp_path: Path, line: object, message: str) -> None:
    done = replay(tmp_path, [ACCOUNT, line, action("ok", "2026-03-21T09:00:00Z", "fine")], "--format", "json")
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stdout == "", "no verdicts are printed for a file that is not valid"
    assert "Traceback" not in done.stderr


def test_text_format_explains(tmp_path: Path) -> None:
    done = replay(tmp_path, [ACCOUNT, action("1", "2026-03-21T09:00:00Z", "#a #b #c post")])
    assert done.returncode == 0
    assert "1: allow BW105" in done.stdout and "hashtag-stuffing" in done.stdout
