"""Operator overrides: a rule's severity changed, or the rule ignored, for one route or account."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from botwarden import config as config_module
from botwarden.errors import ConfigError
from botwarden.rules import AccountInfo, Action, CheckContext, Decision, Engine
from botwarden.rules.model import Severity

from .test_config import GOOD, write
from .test_rules import T0, history

NEAR_COPY = "Storm warning for the whole coast tonight, ferries cancelled"
REWORDED = "Ferries cancelled tonight as a storm warning is issued for the whole coast"


def judged(overrides_toml: str, tmp_path: Path) -> tuple[Decision, list[str], list[str]]:
    text = GOOD.replace("[routes.pacing]", f"rules = {overrides_toml}\n[routes.pacing]")
    cfg = config_module.load(write(tmp_path, text), env={})
    ctx = CheckContext(
        AccountInfo("a", "local"),
        history((60, NEAR_COPY)),
        settings=cfg.settings,
        overrides=cfg.overrides_for("a", "f->a"),
    )
    verdict = Engine().check(Action("n", "post", "a", T0, REWORDED), ctx)
    return verdict.decision, verdict.codes, [f.message for f in verdict.findings]


def test_without_an_override_the_rewording_is_held(tmp_path: Path) -> None:
    decision, codes, _ = judged("{}", tmp_path)
    assert decision is Decision.HOLD and codes == ["BW102"]


def test_a_route_can_set_a_rules_severity_and_the_verdict_says_who_did(tmp_path: Path) -> None:
    decision, codes, messages = judged('{ near-duplicate-post = "warn" }', tmp_path)
    assert decision is Decision.ALLOW and codes == ["BW102"]
    assert messages[0].endswith("[hold → warn by route f->a]")


def test_an_ignored_rule_leaves_an_info_finding(tmp_path: Path) -> None:
    decision, codes, messages = judged('{ BW102 = "ignore" }', tmp_path)
    assert decision is Decision.ALLOW and codes == []
    assert messages[0].endswith("[ignored by route f->a]")


def test_the_routes_override_wins_over_the_accounts(tmp_path: Path) -> None:
    text = GOOD.replace('network = "local"', 'network = "local"\nrules = { BW102 = "deny" }')
    text = text.replace("[routes.pacing]", 'rules = { BW102 = "info" }\n[routes.pacing]')
    cfg = config_module.load(write(tmp_path, text), env={})
    assert cfg.overrides_for("a")["BW102"].severity is Severity.DENY
    assert cfg.overrides_for("a", "f->a")["BW102"].severity is Severity.INFO


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ('{ BW999 = "warn" }', "no rule 'BW999'"),
        ('{ BW102 = "shrug" }', "'shrug' is not one of ignore, info, warn, hold, deny"),
        ('{ BW903 = "delay" }', "'delay' is not one of"),
    ],
)
def test_bad_overrides_are_refused_with_what_to_fix(tmp_path: Path, rules: str, message: str) -> None:
    text = GOOD.replace("[routes.pacing]", f"rules = {rules}\n[routes.pacing]")
    with pytest.raises(ConfigError, match=message):
        config_module.load(write(tmp_path, text), env={})


def test_an_override_to_the_same_severity_changes_nothing() -> None:
    from botwarden.rules import overrides
    from botwarden.rules.registry import load_registry

    same = overrides.parse({"BW102": "hold"}, load_registry(), "route r")
    ctx = CheckContext(AccountInfo("a", "x"), history((60, NEAR_COPY)), overrides=same)
    verdict = Engine().check(Action("n", "post", "a", T0 + timedelta(minutes=1), REWORDED), ctx)
    assert "[" not in verdict.findings[0].message
