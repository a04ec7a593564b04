"""Reference pages generated from the code: the rule catalogue and the settings table."""

from __future__ import annotations

from botwarden import settings
from botwarden.rules import load_registry


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
        ]
    return "\n".join(lines) + "\n"


PAGES = {"docs/rules.md": rules_markdown, "docs/settings.md": settings.render_markdown}


def main() -> None:
    from pathlib import Path

    for path, render in PAGES.items():
        Path(path).write_text(render(), encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
