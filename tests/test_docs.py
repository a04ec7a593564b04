"""The generated reference pages, the README and the rule modules must agree."""

from __future__ import annotations

import re

from botwarden import docs
from botwarden.rules import load_registry

from .conftest import ROOT, SHARED


def test_generated_pages_are_current() -> None:
    pages = docs.pages()
    for path, render in pages.items():
        assert (ROOT / path).exists(), f"{path} is missing: run `.venv/bin/python -m botwarden.docs`"
        assert (ROOT / path).read_text(encoding="utf-8") == render(), (
            f"{path} is out of date: run `.venv/bin/python -m botwarden.docs`"
        )
    stale = {str(p.relative_to(ROOT)) for p in (ROOT / "docs" / "rules").glob("*.md")} - set(pages)
    assert not stale, f"pages for rules that no longer exist: {sorted(stale)}"


def test_every_rule_page_shows_a_caught_example() -> None:
    for rule in load_registry():
        page = (ROOT / "docs" / "rules" / f"{rule.code}-{rule.slug}.md").read_text(encoding="utf-8")
        assert "## Caught:" in page, f"{rule.code} has no caught example in its page"


def test_implemented_rules_match_the_catalogue_in_rules_md() -> None:
    """Each implemented rule keeps the code, slug and default the design's catalogue gives it."""
    rules_md = SHARED / "RULES.md"
    if not rules_md.exists():
        import pytest

        pytest.skip("../shared/RULES.md is not beside the checkout")
    table = {}
    for line in rules_md.read_text(encoding="utf-8").splitlines():
        # A row marked "(new)" is a rule the catalogue has planned; implemented, it is held like the rest.
        match = re.match(
            r"^\| (BW\d{3})(?: \(new\))? \| ([a-z0-9-]+) \| ([a-z]+)( \((setup|attest)\))?", line
        )
        if match:
            table[match.group(1)] = (match.group(2), match.group(3), match.group(5) or "auto")
    assert len(table) > 50
    registry = load_registry()
    assert sorted(table) == [rule.code for rule in registry], "RULES.md and the implemented rules differ"
    for rule in registry:
        slug, default, enforced = table[rule.code]
        assert (rule.slug, rule.severity.label, rule.enforced) == (slug, default, enforced), rule.code


def test_readme_names_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
