"""Reference pages generated from the code: the rule catalogue, a page per rule with its golden examples,
the settings table, and the examples file the dashboard and ``botwarden explain`` show. Run
``python -m botwarden.docs`` from the checkout; a test fails when they drift."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from botwarden import settings
from botwarden.limits.markdown import render_markdown as limits_markdown
from botwarden.rules import Rule, load_registry
from botwarden.rules.examples import Example

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "tests" / "scenarios"
Scenarios = list[tuple[str, dict[str, Any], dict[str, Any]]]  # (file name, action line, expected verdict)


def rules_markdown() -> str:
    lines = [
        "# Rules",
        "",
        "Every automated action is checked against these rules before it is taken. Each finding names its",
        "rule; `botwarden explain CODE` prints the rule's page. Thresholds are operator settings, not facts",
        "about the platforms, which publish none. This page is generated from the rule modules",
        "(`python -m botwarden.docs`); a test fails when it drifts from them.",
        "",
        "| code | slug | default | enforced | what it catches |",
        "|---|---|---|---|---|",
    ]
    registry = load_registry()
    for rule in registry:
        lines.append(
            f"| {rule.code} | `{rule.slug}` | {rule.severity.label} | {rule.enforced} | {rule.summary} |"
        )
    for rule in registry:
        lines += [
            "",
            f"## {rule.code} `{rule.slug}`",
            "",
            f"*Enforces:* {rule.section}.",
            "",
            rule.summary,
            "",
            rule.explanation,
            "",
            f"Examples: [{_page_name(rule)}](rules/{_page_name(rule)}).",
        ]
    return "\n".join(lines) + "\n"


def _page_name(rule: Rule) -> str:
    return f"{rule.code}-{rule.slug}.md"


def _scenarios() -> Scenarios:
    """(scenario file, action line, verdict) for every action of every golden scenario."""
    found = []
    for path in sorted(SCENARIOS.glob("*.jsonl")):
        if path.name.endswith(".expected.jsonl"):
            continue
        actions = [
            json.loads(line)
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and json.loads(line).get("type") == "action"
        ]
        expected = path.with_name(path.stem + ".expected.jsonl").read_text(encoding="utf-8").splitlines()
        found += [(path.name, a, json.loads(v)) for a, v in zip(actions, expected, strict=True)]
    return found


def choose_examples(rule: Rule, scenarios: Scenarios) -> list[Example]:
    """Up to two scenario actions the rule catches, and one of its own family's it lets pass."""
    caught = [(f, a, v) for f, a, v in scenarios if any(x["code"] == rule.code for x in v["findings"])]
    allowed = [
        (f, a, v)
        for f, a, v in scenarios
        if a["kind"] in rule.kinds
        and rule.code.startswith(f.split("-")[0].rstrip("x"))
        and not any(x["code"] == rule.code for x in v["findings"])
    ]
    chosen = []
    for is_caught, picked in ((True, caught[:2]), (False, allowed[:1])):
        for name, action, verdict in picked:
            messages = [x for x in verdict["findings"] if x["code"] == rule.code]
            chosen.append(
                Example(
                    caught=is_caught,
                    scenario=f"tests/scenarios/{name}",
                    action=action,
                    decision=verdict["decision"],
                    message=messages[0]["message"] if messages else "",
                )
            )
    return chosen


def examples_json(scenarios: Scenarios) -> str:
    """What ``botwarden.rules.examples`` ships: every rule's chosen examples, by code."""
    chosen = {rule.code: [e.to_json() for e in choose_examples(rule, scenarios)] for rule in load_registry()}
    return json.dumps(chosen, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def rule_page(rule: Rule, scenarios: Scenarios) -> str:
    lines = [
        f"# {rule.code} `{rule.slug}`",
        "",
        f"Default: **{rule.severity.label}** · enforced: {rule.enforced} · family {rule.family} · "
        f"applies to: {', '.join(sorted(rule.kinds))}",
        "",
        f"*Enforces:* {rule.section}.",
        "",
        rule.summary,
        "",
        rule.explanation,
    ]
    for example in choose_examples(rule, scenarios):
        lines += [
            "",
            f"## {example.title}: `{example.action['id']}` (from `{example.scenario}`)",
            "",
            "```json",
            json.dumps(example.action, ensure_ascii=False),
            "```",
            "",
            f"Decision: **{example.decision}**"
            + (f" — {rule.code}: {example.message}" if example.caught else ""),
        ]
    return "\n".join(lines) + "\n"


def pages() -> dict[str, Callable[[], str]]:
    """Every generated page by path, relative to the checkout."""
    found: dict[str, Callable[[], str]] = {
        "docs/rules.md": rules_markdown,
        "docs/settings.md": settings.render_markdown,
        "docs/limits.md": limits_markdown,
    }
    scenarios = _scenarios()
    found["botwarden/rules/examples.json"] = lambda: examples_json(scenarios)
    for rule in load_registry():
        found[f"docs/rules/{_page_name(rule)}"] = lambda rule=rule: rule_page(rule, scenarios)  # type: ignore[misc]
    return found


def main() -> None:
    for path, render in pages().items():
        target = ROOT / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(), encoding="utf-8")
    print(f"wrote {len(pages())} generated files under {ROOT}")


if __name__ == "__main__":
    main()
