"""Every error shape each network documents lands on an outcome, and every outcome has a handling."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from botwarden.networks import RETRY_LATER, STOPS_ACCOUNT, OutcomeKind
from botwarden.networks.bluesky_answers import ERRORS, bluesky_outcome
from botwarden.networks.mastodon_answers import mastodon_outcome
from botwarden.networks.x_answers import CODES, PROBLEMS, x_outcome

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
BODIES = [b"", b"<html>Bad Gateway</html>", b"null", b"[]", b'{"unexpected": true}', b'{"errors": "nope"}']


def _answer(status: int, body: object, headers: dict[str, str] | None = None) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.Response(status, content=content, headers=headers or {})


@pytest.mark.parametrize(("code", "kind"), sorted(CODES.items()))
def test_each_numbered_x_error_maps_as_documented(code: int, kind: OutcomeKind) -> None:
    status = 429 if kind is OutcomeKind.RATE_LIMITED else 403
    outcome = x_outcome(_answer(status, {"errors": [{"code": code, "message": "m"}]}), NOW)
    assert outcome.kind is kind and f"X error {code}" in outcome.message


@pytest.mark.parametrize(("problem", "kind"), sorted(PROBLEMS.items()))
def test_each_x_problem_maps_as_documented(problem: str, kind: OutcomeKind) -> None:
    body = {"type": f"https://api.x.com/2/problems/{problem}", "title": "t", "detail": "d", "status": 403}
    assert x_outcome(_answer(403, body), NOW).kind is kind


@pytest.mark.parametrize(("error", "kind"), sorted(ERRORS.items()))
def test_each_bluesky_error_maps_as_documented(error: str, kind: OutcomeKind) -> None:
    assert bluesky_outcome(400, error, "m", {}, NOW).kind is kind


def test_every_status_and_body_of_every_network_lands_on_an_outcome() -> None:
    seen: dict[str, set[OutcomeKind]] = {"x": set(), "mastodon": set(), "bluesky": set()}
    for status in range(200, 600):
        for body in BODIES:
            seen["x"].add(x_outcome(_answer(status, body), NOW).kind)
            seen["mastodon"].add(mastodon_outcome(_answer(status, body), NOW).kind)
        if status >= 400:  # the SDK raises only for errors; a success is read from its result
            seen["bluesky"].add(bluesky_outcome(status, "", "", {}, NOW).kind)
    # An unknown answer is never taken for a post: only 2xx is posted.
    assert x_outcome(_answer(500, b""), NOW).kind is OutcomeKind.TRANSIENT
    assert mastodon_outcome(_answer(502, BODIES[1]), NOW).kind is OutcomeKind.TRANSIENT
    assert OutcomeKind.POSTED in seen["x"] and OutcomeKind.POSTED in seen["mastodon"]
    assert OutcomeKind.POSTED not in seen["bluesky"]
    assert all(OutcomeKind.TRANSIENT in kinds for kinds in seen.values())


def test_x_reaches_every_outcome_and_each_outcome_has_one_handling() -> None:
    reached = {x_outcome(_answer(201, {"data": {"id": "1", "text": "t"}}), NOW).kind}
    reached |= set(CODES.values()) | set(PROBLEMS.values())
    reached |= {x_outcome(_answer(s, b""), NOW).kind for s in (400, 401, 402, 403, 429, 503)}
    assert reached == set(OutcomeKind)
    for kind in OutcomeKind:
        handlings = [
            kind in (OutcomeKind.POSTED, OutcomeKind.DUPLICATE),
            kind in STOPS_ACCOUNT,
            kind in RETRY_LATER,
            kind is OutcomeKind.REJECTED,
        ]
        assert handlings.count(True) == 1, kind


def test_rate_limit_headers_pick_the_tightest_window() -> None:
    soon, tomorrow = int(NOW.timestamp()) + 900, int(NOW.timestamp()) + 86400
    headers = {
        "x-rate-limit-remaining": "150",
        "x-rate-limit-reset": str(soon),
        "x-user-limit-24hour-remaining": "0",
        "x-user-limit-24hour-reset": str(tomorrow),
    }
    outcome = x_outcome(_answer(429, {"title": "Too Many Requests"}, headers), NOW)
    assert outcome.kind is OutcomeKind.RATE_LIMITED
    assert outcome.retry_at == datetime.fromtimestamp(tomorrow, UTC)  # the spent 24-hour cap decides
    mastodon = mastodon_outcome(
        _answer(
            200, {"id": "7"}, {"X-RateLimit-Remaining": "12", "X-RateLimit-Reset": "2026-11-24T15:00:00.000Z"}
        ),
        NOW,
    )
    assert mastodon.budget is not None and mastodon.budget.remaining == 12
    assert mastodon.budget.reset == datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
