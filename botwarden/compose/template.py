"""Post templates with a safe formatter.

A template names fields in braces (``{title} {link}``). Only plain field names are allowed: no attribute
access, no indexing and no conversions, so a template from a config file cannot reach into Python objects.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

from botwarden.errors import TemplateError

FIELDS = ("title", "summary", "link", "hashtags", "feed_title", "author", "published")
DEFAULT_TEMPLATE = "{title} {link} {hashtags}"

_formatter = string.Formatter()


def fields_of(template: str, *, needs_link: bool = True) -> list[str]:
    """The fields a template uses, in order; raises TemplateError for anything unsafe or unknown (and,
    for a post's template, for one without ``{link}``)."""
    try:
        parsed = list(_formatter.parse(template))
    except ValueError as exc:
        raise TemplateError(
            f"template is not well formed ({exc}); write literal braces as {{{{ }}}}"
        ) from exc
    used: list[str] = []
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name == "" or not name.isidentifier():
            raise TemplateError(
                f"'{{{name}}}' is not allowed: use plain field names such as {{title}} "
                "(no positional fields, attribute access or indexing)"
            )
        if name not in FIELDS:
            raise TemplateError(f"unknown field '{{{name}}}'; known fields: {', '.join(FIELDS)}")
        if spec or conversion:
            raise TemplateError(f"'{{{name}}}' may not carry a format spec or conversion")
        used.append(name)
    if needs_link and "link" not in used:
        raise TemplateError("the template must contain {link}, so readers reach the source")
    return used


def render(template: str, values: Mapping[str, str]) -> str:
    """Fill a validated template and tidy the whitespace that empty fields leave behind."""
    out: list[str] = []
    for literal, name, _spec, _conversion in _formatter.parse(template):
        out.append(literal)
        if name is not None:
            out.append(values.get(name, ""))
    lines = (" ".join(line.split()) for line in "".join(out).splitlines())
    return "\n".join(lines).strip()
