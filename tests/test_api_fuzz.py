"""Schemathesis against the service's own OpenAPI document: whatever each operation is sent, no 500,
and every answer fits the document (its schema and content type)."""

from __future__ import annotations

from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from botwarden.web import create_app
from tests.service import build_world

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def test_no_input_makes_the_service_fail(tmp_path: Path) -> None:
    world = build_world(tmp_path)
    app = create_app(world.config, world.runtime.sessions)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    calls = 0

    def fuzz(operation: schemathesis.APIOperation, token: str) -> None:
        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case: schemathesis.Case) -> None:
            nonlocal calls
            calls += 1
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

        run()

    for operation in operations:
        for token in (world.tokens["harbour"], "bw_unknown"):  # deep paths, and the refusals
            fuzz(operation, token)
    print(f"\n{len(operations)} operations, {calls} generated requests, no server error")
    world.runtime.close()
