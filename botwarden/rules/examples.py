"""Each rule's worked examples: actions from the golden scenarios it catches, and one it lets pass.

``examples.json`` beside this module is generated from ``tests/scenarios`` by ``python -m botwarden.docs``
(a test fails when it drifts), so an installed botwarden can show them without its test folder."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True, slots=True)
class Example:
    caught: bool
    scenario: str  # the scenario file it comes from, relative to the checkout
    action: dict[str, Any]  # the replay-format action line
    decision: str
    message: str  # the rule's finding, for a caught example

    @property
    def title(self) -> str:
        return "Caught" if self.caught else "Not caught"

    def to_json(self) -> dict[str, Any]:
        return {
            "caught": self.caught,
            "scenario": self.scenario,
            "action": self.action,
            "decision": self.decision,
            "message": self.message,
        }


@cache
def _all() -> dict[str, tuple[Example, ...]]:
    raw = json.loads(resources.files(__package__).joinpath("examples.json").read_text(encoding="utf-8"))
    return {code: tuple(Example(**e) for e in found) for code, found in raw.items()}


def examples_for(code: str) -> tuple[Example, ...]:
    """The rule's examples, caught first; none for a rule of a plugin that ships no scenarios."""
    return _all().get(code, ())
