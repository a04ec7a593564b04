"""The generated reference pages, the README and the rule modules must agree."""

from __future__ import annotations

import re

from botwarden import docs
from botwarden.rules import load_registry

from .conftest import ROOT, SHARED


def test_generated_pages_are_current() -> None:
    for path, render in docs.PAGES.items():
        assert (ROOT / path).read_text(encoding="utf-8") == render(), (
            f"{path} is out of date: run `.venv/bin/python -m botwarden.docs`"
        )


def test_implemented_rules_match_the_catalogue_in_rules_md() -> None:
    """Each implemented rule keeps the code, slug and default the design's catalogue gives it."""
    rules_md = SHARED / "RULES.md"
    if not rules_md.exists():
        import pytest

        pytest.skip("../shared/RULES.md is not beside the checkout")
    table = {}
    for line in rules_md.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\| (BW\d{3}) \| ([a-z0-9-]+) \| ([a-z]+)", line)
        if match:
            table[match.group(1)] = (match.group(2), match.group(3))
    assert len(table) > 50
    for rule in load_registry():
        assert rule.code in table, f"{rule.code} is not in RULES.md"
        slug, default = table[rule.code]
        assert (rule.slug, rule.severity.label) == (slug, default), rule.code


def test_readme_names_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
