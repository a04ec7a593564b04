"""The HTTP API: the check contract, one error shape, review of held entries, and tenancy on every
endpoint (another operator's token is refused everywhere)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from botwarden.web import create_app
from tests.pg import ThrowawayCluster
from tests.service import T0, World, build_world


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = build_world(tmp_path)
    yield built
    built.runtime.close()


@pytest.fixture
def client(world: World) -> TestClient:
    return TestClient(create_app(world.config, world.runtime.sessions), raise_server_exceptions=False)


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_health_needs_no_token_and_says_the_database_answers(client: TestClient) -> None:
    answer = client.get("/api/v1/health")
    assert answer.status_code == 200 and answer.json()["database"] == "ok"


def test_check_answers_one_verdict_for_one_replay_action(client: TestClient, world: World) -> None:
    action = {
        "type": "action",
        "id": "a1",
        "kind": "post",
        "account": "harbour-news",
        "at": (T0.replace(hour=10)).isoformat(),
        "text": "Ferry timetable for the winter season",
        "links": ["https://harbour.example/1"],
    }
    answer = client.post("/api/v1/check", json=action, headers=_auth(world.tokens["harbour"]))
    assert answer.status_code == 200, answer.text
    verdict = answer.json()
    assert (
        verdict["id"] == "a1" and verdict["decision"] == "deny" and "BW101" in verdict["codes"]
    )  # posted at 9:00
    fresh = {
        **action,
        "id": "a2",
        "text": "Harbour festival this weekend with boat parades",
        "links": ["https://harbour.example/9"],
    }
    assert (
        client.post("/api/v1/check", json=fresh, headers=_auth(world.tokens["harbour"])).json()["decision"]
        == "allow"
    )


def test_bad_input_gets_the_one_error_shape_naming_the_field(client: TestClient, world: World) -> None:
    answer = client.post(
        "/api/v1/check",
        json={"type": "action", "id": 1, "kind": "post", "account": "harbour-news", "at": "yesterday"},
        headers=_auth(world.tokens["harbour"]),
    )
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "invalid" and "at" in error["message"]
    missing = client.get("/api/v1/accounts")
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "unauthorized"
    assert missing.headers["www-authenticate"] == "Bearer"
    wrong = client.get("/api/v1/accounts", headers=_auth("bw_not-a-real-token"))
    assert wrong.status_code == 401 and "unknown or revoked" in wrong.json()["error"]["message"]
    nowhere = client.get("/api/v1/nothing-here", headers=_auth(world.tokens["harbour"]))
    assert nowhere.status_code == 404 and set(nowhere.json()["error"]) == {
        "status",
        "code",
        "message",
        "detail",
    }


def test_a_held_entry_is_explained_approved_and_scheduled(client: TestClient, world: World) -> None:
    auth = _auth(world.tokens["harbour"])
    [held] = client.get("/api/v1/queue", params={"state": "held"}, headers=auth).json()
    assert held["id"] == world.held_id and held["verdict"]["codes"] == ["BW801"]
    assert "phone" in held["verdict"]["findings"][0]["message"]
    approved = client.post(f"/api/v1/queue/{world.held_id}/approve", headers=auth).json()
    assert approved["approved_codes"] == ["BW801"] and approved["entry"]["state"] == "ready"
    assert approved["entry"]["approved_by"] == "harbour desk"
    again = client.post(f"/api/v1/queue/{world.held_id}/approve", headers=auth)
    assert again.status_code == 400 and "not held" in again.json()["error"]["message"]
    report = world.runtime.run_pass(datetime.now(UTC) + timedelta(seconds=1))  # approved entries are due now
    assert report.publish.posted == 1  # the approved post went out; the phone finding stays as information
    sent = client.get(f"/api/v1/queue/{world.held_id}", headers=auth).json()
    assert sent["state"] == "sent" and sent["verdict"]["decision"] == "allow"


def test_pause_holds_and_resume_releases(client: TestClient, world: World) -> None:
    auth = _auth(world.tokens["valley"])
    assert client.post("/api/v1/accounts/valley-news/pause", headers=auth).json()["status"] == "paused"
    assert (
        client.get("/api/v1/accounts/valley-news", headers=auth).json()["status_reason"]
        == "paused by valley desk"
    )
    assert client.post("/api/v1/accounts/valley-news/resume", headers=auth).json()["status"] == "ok"


def test_an_operator_creates_an_account_and_checks_its_posts(client: TestClient, world: World) -> None:
    harbour, valley = _auth(world.tokens["harbour"]), _auth(world.tokens["valley"])
    # On the network of harbour-news: cross-account rules compare an operator's accounts on one network.
    new = {"id": "harbour-weather", "network": "local"}
    made = client.post("/api/v1/accounts", json=new, headers=harbour)
    assert made.status_code == 201, made.text
    assert made.json() | {"status_since": None} == {
        "id": "harbour-weather",
        "network": "local",
        "operator": "harbour",
        "status": "ok",
        "status_since": None,
        "status_reason": "",
        "queue": {},
        "spent_today_usd": 0.0,
    }
    assert "harbour-weather" in client.get("/api/v1/accounts", headers=harbour).text
    assert "harbour-weather" not in client.get("/api/v1/accounts", headers=valley).text
    # The new account is one of the operator's fleet on its network: harbour-news's post is a
    # cross-account duplicate.
    action = {
        "type": "action",
        "id": "w1",
        "kind": "post",
        "account": "harbour-weather",
        "at": T0.replace(hour=10).isoformat(),
        "text": "Ferry timetable for the winter season",
    }
    verdict = client.post("/api/v1/check", json=action, headers=harbour).json()
    assert "BW103" in verdict["codes"], verdict
    assert client.post("/api/v1/check", json=action, headers=valley).status_code == 404
    setup = client.post("/api/v1/accounts/harbour-weather/setup-check", headers=harbour)
    assert setup.status_code == 409 and "accounts login harbour-weather" in setup.json()["error"]["message"]


@pytest.mark.parametrize(
    ("token", "body", "status", "says"),
    [
        ("valley", {"id": "v2", "network": "x", "operator": "harbour"}, 403, "for operator 'valley' only"),
        ("harbour", {"id": "harbour-news", "network": "x"}, 409, "already exists"),
        ("valley", {"id": "harbour-news", "network": "local"}, 422, "begins with 'valley-'"),
        ("harbour", {"id": "weather", "network": "x"}, 422, "begins with 'harbour-'"),
        ("harbour", {"id": "harbour-", "network": "x"}, 422, "begins with 'harbour-'"),
        ("admin", {"id": "v2", "network": "x", "operator": "valley"}, 422, "begins with 'valley-'"),
        ("admin", {"id": "v2", "network": "x"}, 422, "give `operator`"),
        ("harbour", {"id": "bad id/../x", "network": "x"}, 422, "id"),
        ("harbour", {"id": "h2", "network": "myspace"}, 422, "network"),
    ],
)
def test_creating_an_account_refuses_what_it_must(
    client: TestClient, world: World, token: str, body: dict[str, Any], status: int, says: str
) -> None:
    answer = client.post("/api/v1/accounts", json=body, headers=_auth(world.tokens[token]))
    assert answer.status_code == status and says in answer.json()["error"]["message"], answer.text
    with world.runtime.sessions() as session:  # nothing was made, nothing changed hands
        from botwarden.store.models import AccountRow

        assert session.get(AccountRow, body["id"]) is None or body["id"] == "harbour-news"
        assert session.get_one(AccountRow, "harbour-news").operator == "harbour"


def test_an_admin_creates_an_account_for_any_operator(client: TestClient, world: World) -> None:
    body = {"id": "valley-alerts", "network": "mastodon", "operator": "valley"}
    answer = client.post("/api/v1/accounts", json=body, headers=_auth(world.tokens["admin"]))
    assert answer.status_code == 201 and answer.json()["operator"] == "valley"
    listed = client.get("/api/v1/accounts", headers=_auth(world.tokens["valley"])).json()
    assert "valley-alerts" in [a["id"] for a in listed]


def test_checks_survive_a_database_restart(tmp_path: Path, postgres: ThrowawayCluster) -> None:
    world = build_world(tmp_path, database_url=postgres.new_database())
    client = TestClient(create_app(world.config, world.runtime.sessions), raise_server_exceptions=False)
    action = {**ENDPOINTS[-1][2], "text": "Harbour festival this weekend with boat parades"}
    harbour = _auth(world.tokens["harbour"])
    assert client.post("/api/v1/check", json=action, headers=harbour).status_code == 200
    postgres.halt()
    postgres.resume()  # the check's own connection died with the server: opened again, check retried
    assert client.post("/api/v1/check", json=action, headers=harbour).status_code == 200
    postgres.halt()
    try:
        away = client.post("/api/v1/check", json=action, headers=harbour)
    finally:
        postgres.resume()
    assert away.status_code == 503 and away.headers["retry-after"] == "5"
    assert away.json()["error"]["code"] == "unavailable"
    assert client.post("/api/v1/check", json=action, headers=harbour).status_code == 200
    world.runtime.close()


def test_revoked_tokens_are_refused(client: TestClient, world: World) -> None:
    from botwarden.store.tokens import revoke_token, verify_token

    with world.runtime.sessions.begin() as session:
        principal = verify_token(session, world.tokens["valley"])
        assert principal is not None
        revoke_token(session, principal.token_id, T0)
    assert client.get("/api/v1/accounts", headers=_auth(world.tokens["valley"])).status_code == 401


# Every endpoint that reaches an operator's data, with the harbour operator's own ids.
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/api/v1/accounts/harbour-news", None),
    ("POST", "/api/v1/accounts/harbour-news/pause", None),
    ("POST", "/api/v1/accounts/harbour-news/resume", None),
    ("POST", "/api/v1/accounts/harbour-news/setup-check", None),
    ("GET", "/api/v1/queue/{held}", None),
    ("POST", "/api/v1/queue/{held}/approve", None),
    ("POST", "/api/v1/queue/{held}/reject", None),
    (
        "POST",
        "/api/v1/posted",
        {"account": "harbour-news", "id": "x", "at": "2026-11-24T10:00:00+00:00", "text": "hello"},
    ),
    (
        "POST",
        "/api/v1/check",
        {
            "type": "action",
            "id": "x",
            "kind": "post",
            "account": "harbour-news",
            "at": "2026-11-24T10:00:00+00:00",
            "text": "hello",
        },
    ),
]
LISTS = [
    "/api/v1/accounts",
    "/api/v1/feeds",
    "/api/v1/routes",
    "/api/v1/queue",
    "/api/v1/history",
    "/api/v1/verdicts",
    "/api/v1/queue?state=held",
    "/api/v1/history?account=harbour-news",
    "/api/v1/verdicts?account=harbour-news",
    "/api/v1/queue?account=harbour-news",
]


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_another_operators_token_is_refused_on_every_endpoint(
    client: TestClient, world: World, method: str, path: str, body: dict[str, Any] | None
) -> None:
    answer = client.request(
        method, path.format(held=world.held_id), json=body, headers=_auth(world.tokens["valley"])
    )
    assert answer.status_code == 404, answer.text
    assert answer.json()["error"]["code"] == "not_found"
    with world.runtime.sessions() as session:  # and nothing changed
        from botwarden.store.models import AccountRow, QueueRow

        assert session.get_one(AccountRow, "harbour-news").status == "ok"
        assert session.get_one(QueueRow, world.held_id).state == "held"


def _forget_harbour_news(world: World) -> None:
    """Make harbour-news and everything of it missing from the store, as if it had never been."""
    from sqlalchemy import delete, select

    from botwarden.store.models import (
        AccountRow,
        HistoryRow,
        LocalPostRow,
        QueueRow,
        RouteRow,
        SkippedRow,
        VerdictRow,
    )

    with world.runtime.sessions.begin() as session:
        entries = select(QueueRow.id).where(QueueRow.account_id == "harbour-news")
        routes = select(RouteRow.id).where(RouteRow.account_id == "harbour-news")
        session.execute(delete(VerdictRow).where(VerdictRow.queue_id.in_(entries)))
        session.execute(delete(HistoryRow).where(HistoryRow.account_id == "harbour-news"))
        session.execute(delete(SkippedRow).where(SkippedRow.route_id.in_(routes)))
        session.execute(delete(LocalPostRow).where(LocalPostRow.account_id == "harbour-news"))
        session.execute(delete(QueueRow).where(QueueRow.account_id == "harbour-news"))
        session.execute(delete(RouteRow).where(RouteRow.account_id == "harbour-news"))
        session.execute(delete(AccountRow).where(AccountRow.id == "harbour-news"))


# Every request another operator could make about harbour's objects: the API's, the dashboard's pages.
PROBES = [
    *[("api", m, p, b) for m, p, b in ENDPOINTS],
    ("api", "POST", "/api/v1/check?record=true", ENDPOINTS[-1][2]),
    *[("api", "GET", p, None) for p in LISTS],
    ("page", "GET", "/accounts/harbour-news", None),
    ("page", "GET", "/accounts/harbour-news/resume", None),
    ("page", "POST", "/accounts/harbour-news/resume", {}),
    ("page", "GET", "/accounts/harbour-news/diagnosis", None),
    ("page", "GET", "/queue/{held}", None),
    ("page", "POST", "/review/{held}/approve", {}),
    ("page", "POST", "/review/{held}/reject", {}),
    ("page", "GET", "/queue?account=harbour-news", None),
]


def _dashboard(client: TestClient, token: str) -> str:
    """Log ``client`` in to the dashboard; the session's CSRF token."""
    login = client.get("/login").text
    csrf = login.split('name="csrf" value="')[1].split('"')[0]
    assert (
        client.post("/login", data={"token": token, "csrf": csrf}, follow_redirects=False).status_code == 303
    )
    return client.get("/").text.split('name="csrf" value="')[1].split('"')[0]


@pytest.mark.parametrize(("face", "method", "path", "body"), PROBES)
def test_another_operators_object_answers_exactly_as_a_missing_one(
    world: World, face: str, method: str, path: str, body: dict[str, Any] | None
) -> None:
    """Status and every byte of the answer are the same whether harbour-news (and its held entry)
    belongs to another operator or does not exist: asking reveals nothing."""
    client = TestClient(create_app(world.config, world.runtime.sessions), raise_server_exceptions=False)
    headers = _auth(world.tokens["valley"]) if face == "api" else {}
    if face == "page":
        csrf = _dashboard(client, world.tokens["valley"])
        body = None if body is None else {**body, "csrf": csrf}

    def ask() -> tuple[int, bytes]:
        target = path.format(held=world.held_id)
        if face == "page" and body is not None:
            answer = client.request(method, target, data=body, follow_redirects=False)
        else:
            answer = client.request(method, target, json=body, headers=headers, follow_redirects=False)
        return answer.status_code, answer.content

    theirs = ask()
    _forget_harbour_news(world)
    missing = ask()
    assert theirs == missing, f"{method} {path}: {theirs!r} against {missing!r}"
    assert theirs[0] in (200, 404), theirs


def test_creating_another_operators_account_id_answers_as_for_a_free_one(
    client: TestClient, world: World
) -> None:
    valley = _auth(world.tokens["valley"])
    taken = client.post("/api/v1/accounts", json={"id": "harbour-news", "network": "local"}, headers=valley)
    free = client.post("/api/v1/accounts", json={"id": "harbour-nowhere", "network": "local"}, headers=valley)
    assert (taken.status_code, taken.content) == (free.status_code, free.content)
    assert taken.status_code == 422
    # Within its own ids, an operator is told what it has, as before.
    made = client.post("/api/v1/accounts", json={"id": "valley-alerts", "network": "local"}, headers=valley)
    again = client.post("/api/v1/accounts", json={"id": "valley-alerts", "network": "local"}, headers=valley)
    assert made.status_code == 201 and again.status_code == 409


@pytest.mark.parametrize("path", LISTS)
def test_lists_show_only_the_operators_own_data(client: TestClient, world: World, path: str) -> None:
    valley = client.get(path, headers=_auth(world.tokens["valley"]))
    assert valley.status_code == 200
    assert "harbour" not in valley.text
    admin = client.get(
        path.replace("account=harbour-news", "account=valley-news"), headers=_auth(world.tokens["admin"])
    )
    assert admin.status_code == 200


def test_every_endpoint_of_the_document_is_in_the_tenancy_table(client: TestClient) -> None:
    """A new endpoint must be added to the tables above, so tenancy is checked for it too."""
    document = client.get("/openapi.json").json()
    covered = {(m, p.split("?")[0]) for m, p, _ in ENDPOINTS} | {("GET", p.split("?")[0]) for p in LISTS}
    covered |= {("GET", "/api/v1/health"), ("GET", "/api/v1/rules"), ("GET", "/api/v1/rules/{code}")}
    covered |= {("POST", "/api/v1/accounts")}  # test_creating_an_account_refuses_what_it_must
    for path, operations in document["paths"].items():
        for method in operations:
            concrete = path.replace("{account_id}", "harbour-news").replace("{entry_id}", "{held}")
            assert (method.upper(), concrete) in covered, (
                f"{method.upper()} {path} is not in the tenancy table"
            )


def test_metrics_count_checks(client: TestClient, world: World) -> None:
    client.post("/api/v1/check", json=ENDPOINTS[-1][2], headers=_auth(world.tokens["harbour"]))
    text = client.get("/metrics").text
    assert "botwarden_checks_total" in text and 'route="/api/v1/check"' in text
