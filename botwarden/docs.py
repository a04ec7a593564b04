"""Reference pages generated from the code: the rule catalogue, a page per rule with its golden examples,
and the settings table. Run ``python -m botwarden.docs`` from the checkout; a test fails when they drift."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from botwarden import settings
from botwarden.rules import Rule, load_registry

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "tests" / "scenarios"


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


def _examples() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
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


def rule_page(rule: Rule, examples: list[tuple[str, dict[str, Any], dict[str, Any]]]) -> str:
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
    caught = [(f, a, v) for f, a, v in examples if any(x["code"] == rule.code for x in v["findings"])]
    allowed = [
        (f, a, v)
        for f, a, v in examples
        if a["kind"] in rule.kinds
        and rule.code.startswith(f.split("-")[0].rstrip("x"))
        and not any(x["code"] == rule.code for x in v["findings"])
    ]
    for title, chosen in (("Caught", caught[:2]), ("Not caught", allowed[:1])):
        for name, action, verdict in chosen:
            messages = [x for x in verdict["findings"] if x["code"] == rule.code] or verdict["findings"][:1]
            lines += [
                "",
                f"## {title}: `{action['id']}` (from `tests/scenarios/{name}`)",
                "",
                "```json",
                json.dumps(action, ensure_ascii=False),
                "```",
                "",
                f"Decision: **{verdict['decision']}**"
                + (f" — {rule.code}: {messages[0]['message']}" if title == "Caught" else ""),
            ]
    return "\n".join(lines) + "\n"


def pages() -> dict[str, Callable[[], str]]:
    """Every generated page by path, relative to the checkout."""
    found: dict[str, Callable[[], str]] = {
        "docs/rules.md": rules_markdown,
        "docs/settings.md": settings.render_markdown,
    }
    examples = _examples()
    for rule in load_registry():
        found[f"docs/rules/{_page_name(rule)}"] = lambda rule=rule: rule_page(rule, examples)  # type: ignore[misc]
    return found


def main() -> None:
    for path, render in pages().items():
        target = ROOT / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(), encoding="utf-8")
    print(f"wrote {len(pages())} pages under {ROOT / 'docs'}")


if __name__ == "__main__":
    main()
