"""Golden replay scenarios: each rule's allowed and caught cases, with the expected verdicts beside them.

The expected files change only on purpose: `pytest tests/test_scenarios.py --regen-scenarios`, then review
the diff like any other change.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from botwarden.replay import Replay, read_lines
from botwarden.rules import load_registry

SCENARIOS = Path(__file__).parent / "scenarios"
FILES = sorted(SCENARIOS.glob("*.jsonl"))
INPUTS = [p for p in FILES if not p.name.endswith(".expected.jsonl")]


def verdict_lines(path: Path) -> list[str]:
    parsed = read_lines(path.read_text(encoding="utf-8").splitlines(), path.name)
    return [
        json.dumps(v.to_json(), ensure_ascii=False, sort_keys=True) for v in Replay().run(parsed, path.name)
    ]


@pytest.mark.parametrize("scenario", INPUTS, ids=[p.stem for p in INPUTS])
def test_scenario_matches_its_golden_verdicts(scenario: Path, request: pytest.FixtureRequest) -> None:
    expected_path = scenario.with_name(scenario.stem + ".expected.jsonl")
    actual = verdict_lines(scenario)
    if request.config.getoption("--regen-scenarios"):
        expected_path.write_text("\n".join(actual) + "\n", encoding="utf-8")
    assert expected_path.exists(), f"no golden file; run pytest {__file__} --regen-scenarios and review it"
    assert actual == expected_path.read_text(encoding="utf-8").splitlines()


def test_each_implemented_rule_has_an_allowed_and_a_caught_case() -> None:
    allowed: set[str] = set()
    caught: set[str] = set()
    for scenario in INPUTS:
        code_prefix = scenario.name.split("-")[0]
        verdicts = [json.loads(line) for line in verdict_lines(scenario)]
        for verdict in verdicts:
            found = {f["code"] for f in verdict["findings"]}
            for rule in load_registry():
                if not rule.code.startswith(code_prefix.rstrip("x")):
                    continue
                (caught if rule.code in found else allowed).add(rule.code)
    implemented = {rule.code for rule in load_registry()}
    assert implemented <= caught, f"no caught case for {sorted(implemented - caught)}"
    assert implemented <= allowed, f"no allowed case for {sorted(implemented - allowed)}"
