"""A check API that remembers: outside software reports what it posted (`POST /api/v1/posted`, idempotent
by its own id) or asks a check to record what it allowed (`?record=true`), and from then on the history and
the cross-account rules protect it as they protect botwarden's own posts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from botwarden.store.models import HistoryRow
from botwarden.web import create_app
from tests.service import T0, World, build_world


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = build_world(tmp_path)
    yield built
    built.runtime.close()


@pytest.fixture
def client(world: World) -> TestClient:
    app_client = TestClient(create_app(world.config, world.runtime.sessions), raise_server_exceptions=False)
    # Outside software with two accounts of its own on one network, registered through the API.
    for account in ("harbour-a", "harbour-b"):
        made = app_client.post(
            "/api/v1/accounts", json={"id": account, "network": "x"}, headers=_auth(world, "harbour")
        )
        assert made.status_code == 201, made.text
    return app_client


def _auth(world: World, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[who]}"}


def _action(account: str, id_: str, text: str, minutes: int, **extra: Any) -> dict[str, Any]:
    at = T0 + timedelta(hours=2, minutes=minutes)
    return {"type": "action", "id": id_, "kind": "post", "account": account, "at": at.isoformat(),
            "text": text, **extra}  # fmt: skip


STORY = "Storm warning for the north coast: ferries cancelled until Thursday, stay away from the sea walls"
OTHER_WORDS = (
    "Ferries cancelled until Thursday as a storm warning covers the north coast; keep off the sea walls"
)


def _history(world: World, account: str) -> list[HistoryRow]:
    with world.runtime.sessions() as session:
        rows = session.query(HistoryRow).filter(HistoryRow.account_id == account).all()
        session.expunge_all()
        return rows


def test_a_check_that_records_protects_the_caller_from_its_own_duplicates(
    client: TestClient, world: World
) -> None:
    first = client.post("/api/v1/check?record=true", json=_action("harbour-a", "p1", STORY, 0),
                        headers=_auth(world, "harbour"))  # fmt: skip
    assert first.status_code == 200, first.text
    assert first.json()["decision"] == "allow" and first.headers["Botwarden-Recorded"] == "yes"
    # The same text again from the same account: the same text (BW101).
    again = client.post(
        "/api/v1/check", json=_action("harbour-a", "p2", STORY, 30), headers=_auth(world, "harbour")
    )
    assert again.json()["decision"] == "deny" and "BW101" in again.json()["codes"]
    # The same story from the sister account on the same network: cross-account (BW103).
    sister = client.post(
        "/api/v1/check", json=_action("harbour-b", "p3", STORY, 45), headers=_auth(world, "harbour")
    )
    assert "BW103" in sister.json()["codes"] and sister.json()["decision"] == "deny"
    # The same id asked again (a retried request) answers the first verdict and records nothing twice.
    retried = client.post("/api/v1/check?record=true", json=_action("harbour-a", "p1", STORY, 0),
                          headers=_auth(world, "harbour"))  # fmt: skip
    assert retried.headers["Botwarden-Recorded"] == "earlier"
    assert retried.json() == first.json()
    assert len(_history(world, "harbour-a")) == 1
    # A denied check is not recorded.
    denied = client.post("/api/v1/check?record=true", json=_action("harbour-b", "p4", STORY, 50),
                         headers=_auth(world, "harbour"))  # fmt: skip
    assert denied.json()["decision"] == "deny" and denied.headers["Botwarden-Recorded"] == "no"
    assert _history(world, "harbour-b") == []
    # Nor is an allowed action that is not a post.
    like = client.post("/api/v1/check?record=true", json=_action("harbour-b", "p5", "", 55, kind="follow",
                                                                 target_user="@someone"),
                       headers=_auth(world, "harbour"))  # fmt: skip
    assert like.headers["Botwarden-Recorded"] == "no"


def test_reported_posts_are_idempotent_by_the_callers_id(client: TestClient, world: World) -> None:
    body = {
        "account": "harbour-a",
        "id": "tweet-1",
        "at": (T0 + timedelta(hours=1)).isoformat(),
        "text": STORY,
    }
    made = client.post("/api/v1/posted", json=body, headers=_auth(world, "harbour"))
    assert made.status_code == 201, made.text
    assert made.json()["created"] is True and made.json()["id"] == "tweet-1"
    same = client.post("/api/v1/posted", json=body, headers=_auth(world, "harbour"))
    assert same.status_code == 200 and same.json()["created"] is False
    assert len(_history(world, "harbour-a")) == 1
    changed = client.post(
        "/api/v1/posted", json={**body, "text": "something else"}, headers=_auth(world, "harbour")
    )
    assert changed.status_code == 409 and changed.json()["error"]["code"] == "conflict"
    assert "tweet-1" in changed.json()["error"]["message"]
    # What was reported now stands in the history: a rewording on the sister account is held (BW103).
    reworded = client.post(
        "/api/v1/check", json=_action("harbour-b", "c1", OTHER_WORDS, 0), headers=_auth(world, "harbour")
    )
    assert "BW103" in reworded.json()["codes"], reworded.json()
    # A check of an id already reported as posted is refused rather than judged against itself.
    rechecked = client.post("/api/v1/check?record=true", json=_action("harbour-a", "tweet-1", STORY, 0),
                            headers=_auth(world, "harbour"))  # fmt: skip
    assert rechecked.status_code == 409


def test_reports_keep_to_the_callers_accounts_and_the_error_shape(client: TestClient, world: World) -> None:
    body = {"account": "harbour-a", "id": "t", "at": T0.isoformat(), "text": "hello there"}
    other = client.post("/api/v1/posted", json=body, headers=_auth(world, "valley"))
    assert other.status_code == 404 and other.json()["error"]["code"] == "not_found"
    assert _history(world, "harbour-a") == []
    naive = client.post(
        "/api/v1/posted", json={**body, "at": "2026-11-24T10:00:00"}, headers=_auth(world, "harbour")
    )
    assert naive.status_code == 422 and naive.json()["error"]["code"] == "invalid"
    assert "at" in naive.json()["error"]["message"]
    empty = client.post("/api/v1/posted", json={**body, "id": ""}, headers=_auth(world, "harbour"))
    assert empty.status_code == 422
    anonymous = client.post("/api/v1/posted", json=body)
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "unauthorized"
    recorded = client.post("/api/v1/check?record=true", json=_action("harbour-a", "z", "hi there all", 0),
                           headers=_auth(world, "valley"))  # fmt: skip
    assert recorded.status_code == 404
    assert _history(world, "harbour-a") == []
