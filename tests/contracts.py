"""Validate requests and answers against the networks' published OpenAPI documents (../shared/api-specs)."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPECS = Path(__file__).resolve().parents[2] / "shared" / "api-specs"


@functools.cache
def _spec(name: str) -> dict[str, Any]:
    spec: dict[str, Any] = json.loads((SPECS / name).read_text(encoding="utf-8"))
    return spec


def _validator(name: str, pointer: str) -> jsonschema.protocols.Validator:
    spec = _spec(name)
    registry: Registry[Any] = Registry().with_resource(
        "spec.json", Resource.from_contents(spec, default_specification=DRAFT202012)
    )
    return jsonschema.Draft202012Validator({"$ref": f"spec.json#{pointer}"}, registry=registry)


def schema_of(
    name: str, path: str, method: str, *, status: str | None = None, content_type: str = "application/json"
) -> str:
    """The JSON pointer of an operation's request body schema, or of its answer's for ``status``."""
    operation = _spec(name)["paths"][path][method.lower()]
    if status is None:
        content = operation["requestBody"]["content"]
    else:
        content = operation["responses"].get(status, operation["responses"].get("default"))["content"]
    media = content.get(content_type) or next(iter(content.values()))
    ref = media["schema"].get("$ref")
    if ref:
        return str(ref).removeprefix("#")
    return f"/paths/{_escape(path)}/{method.lower()}/" + (
        "requestBody/content/application~1json/schema"
        if status is None
        else f"responses/{status}/content/application~1json/schema"
    )


def validate(name: str, pointer: str, instance: Any) -> None:
    """Raise jsonschema.ValidationError when ``instance`` does not fit the schema at ``pointer``."""
    _validator(name, pointer).validate(instance)


def _escape(path: str) -> str:
    return path.replace("~", "~0").replace("/", "~1")


def problem_types(name: str) -> set[str]:
    """The problem ``type`` URIs a spec documents (its ``Problem`` discriminator)."""
    mapping = _spec(name)["components"]["schemas"]["Problem"]["discriminator"]["mapping"]
    return set(mapping)
