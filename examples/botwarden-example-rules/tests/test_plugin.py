"""The example plugin, installed: its rule loads through the ``botwarden.rules`` entry point, as the
built-in rules do, and it judges a replay run by the ``botwarden`` command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from botwarden.rules import load_registry

SCENARIO = Path(__file__).parent / "scenario.jsonl"


def test_the_rule_loads_through_the_entry_point() -> None:
    registry = load_registry()
    rule = registry.get("BW001")
    assert rule is not None and type(rule).__module__ == "botwarden_example_rules.shouting"
    assert registry.get("shouting") is rule


def test_the_rule_judges_a_replay() -> None:
    answer = subprocess.run(
        [sys.executable, "-m", "botwarden", "check", "--replay", str(SCENARIO), "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    verdicts = {v["id"]: v for v in map(json.loads, answer.stdout.splitlines())}
    [caught] = [f for f in verdicts["caught"]["findings"] if f["code"] == "BW001"]
    assert caught["severity"] == "warn" and caught["evidence"]["capital_share"] == 1.0
    assert "BW001" in verdicts["caught"]["codes"]
    assert "BW001" not in verdicts["allowed"]["codes"]
