"""Holding up under load, on a real server on loopback: a body over the limit is answered 413 before it is
read (declared or chunked), a token over its rate or its share of requests in flight is answered 429 with
Retry-After, and a database whose connections are all taken is answered 503 with Retry-After, never 500.
How fast it all stays is measured by ``bench/http_check.py``, not here."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from botwarden.store.tokens import create_token
from botwarden.web import create_app
from botwarden.web.app import SPARE_CONNECTIONS, serving_store
from botwarden.web.errors import ApiError
from botwarden.web.load import DatabaseSlots
from tests.service import T0, World, build_world, serving

ACTION = {
    "type": "action",
    "id": "l1",
    "kind": "post",
    "account": "harbour-news",
    "at": "2026-11-24T10:00:00+00:00",
    "text": "Harbour festival this weekend with boat parades",
}


@contextmanager
def _served(tmp_path: Path, **settings: Any) -> Iterator[tuple[World, str]]:
    """A two-operator world served as ``serve`` serves it (its pool sized by ``serving_store``)."""
    world = build_world(tmp_path, **settings)
    store = serving_store(world.config)
    _POOLS[id(world)] = store.kw["bind"]
    try:
        with serving(create_app(world.config, store)) as url:
            yield world, url
    finally:
        del _POOLS[id(world)]
        store.kw["bind"].dispose()
        world.runtime.close()


_POOLS: dict[int, Any] = {}  # the served store's engine, by world


def _auth(world: World, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[who]}"}


def _open(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=30)


def _head(world: World, extra: str) -> bytes:
    return (
        "POST /api/v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {world.tokens['harbour']}\r\n{extra}\r\n"
    ).encode()


def _answer(connection: socket.socket) -> tuple[int, dict[str, str], dict[str, Any]]:
    """Status, headers and JSON body of one answer read off the socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        assert chunk, f"the server closed the connection without an answer: {data!r}"
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    while len(body) < int(headers["content-length"]):
        body += connection.recv(65536)
    return int(lines[0].split()[1]), headers, json.loads(body)


# -- the body limit -------------------------------------------------------------------------------------


def test_a_declared_body_over_the_limit_is_refused_before_it_is_sent(tmp_path: Path) -> None:
    with _served(tmp_path, api_max_body_bytes=10_000) as (world, url):
        connection = _open(url)
        # 50 MB announced, not one byte of it sent: the answer comes without it.
        connection.sendall(_head(world, "Content-Length: 50000000\r\n"))
        status, headers, body = _answer(connection)
        connection.close()
        assert status == 413 and body["error"]["code"] == "too_large"
        assert "10,000-byte limit" in body["error"]["message"]
        assert "api_max_body_bytes" in body["error"]["message"]
        assert headers["connection"] == "close"
        assert (
            httpx.post(f"{url}/api/v1/check", json=ACTION, headers=_auth(world, "harbour")).status_code == 200
        )


def test_a_chunked_body_is_refused_once_it_passes_the_limit_without_reading_the_rest(tmp_path: Path) -> None:
    with _served(tmp_path, api_max_body_bytes=10_000) as (world, url):
        connection = _open(url)
        connection.sendall(_head(world, "Transfer-Encoding: chunked\r\n"))
        piece = b"x" * 4096
        for _ in range(3):  # 12 kB of a body that never ends
            connection.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
        status, _headers, body = _answer(connection)
        connection.close()
        assert status == 413 and body["error"]["code"] == "too_large"
        # A chunked body under the limit is read and answered as any other.
        payload = json.dumps(ACTION).encode()
        within = _open(url)
        within.sendall(_head(world, "Transfer-Encoding: chunked\r\n"))
        within.sendall(b"%x\r\n%s\r\n0\r\n\r\n" % (len(payload), payload))
        status, _headers, verdict = _answer(within)
        within.close()
        assert status == 200 and verdict["id"] == "l1"


def test_a_body_at_the_limit_is_read_and_a_limit_of_0_reads_any(tmp_path: Path) -> None:
    padded = {**ACTION, "text": "x" * 500}
    size = len(json.dumps(padded).encode())
    with _served(tmp_path, api_max_body_bytes=size) as (world, url):
        headers = {**_auth(world, "harbour"), "Content-Type": "application/json"}
        answer = httpx.post(f"{url}/api/v1/check", content=json.dumps(padded), headers=headers)
        assert answer.status_code == 200, answer.text
        over = {**padded, "text": "x" * 501}
        refused = httpx.post(f"{url}/api/v1/check", content=json.dumps(over), headers=headers)
        assert refused.status_code == 413
    (tmp_path / "unlimited").mkdir()
    with _served(tmp_path / "unlimited", api_max_body_bytes=0) as (world, url):
        big = {**ACTION, "text": "x" * 2_000_000}
        answer = httpx.post(f"{url}/api/v1/check", json=big, headers=_auth(world, "harbour"))
        assert answer.status_code == 200  # read whole, and judged (too long for any network)


# -- rates per token ------------------------------------------------------------------------------------


def test_a_token_over_its_rate_is_answered_429_and_others_are_not(tmp_path: Path) -> None:
    # A burst of 3 that refills one request every 100 s: the fourth request is over, however slow the machine.
    with _served(tmp_path, api_rate_per_second=0.01, api_rate_burst=3) as (world, url):
        harbour = _auth(world, "harbour")
        statuses = [httpx.get(f"{url}/api/v1/accounts", headers=harbour).status_code for _ in range(3)]
        assert statuses == [200, 200, 200]
        over = httpx.get(f"{url}/api/v1/accounts", headers=harbour)
        assert over.status_code == 429 and over.json()["error"]["code"] == "rate_limited"
        assert int(over.headers["retry-after"]) >= 1
        assert "requests a second with this token" in over.json()["error"]["message"]
        assert httpx.get(f"{url}/api/v1/accounts", headers=_auth(world, "valley")).status_code == 200
        assert httpx.get(f"{url}/api/v1/health").status_code == 200  # a probe is never limited
        made_up = {"Authorization": "Bearer bw_made-up"}  # unknown tokens are limited like any other
        assert [httpx.get(f"{url}/api/v1/accounts", headers=made_up).status_code for _ in range(4)] == [
            401,
            401,
            401,
            429,
        ]


def test_a_token_with_too_many_requests_in_flight_is_answered_429(tmp_path: Path) -> None:
    with _served(tmp_path, api_token_concurrency=1) as (world, url):
        # One request in flight: its body is coming slowly (half of it sent).
        payload = json.dumps(ACTION).encode()
        slow = _open(url)
        slow.sendall(_head(world, f"Content-Length: {len(payload)}\r\n") + payload[: len(payload) // 2])
        harbour = _auth(world, "harbour")
        for _ in range(100):  # until the server has begun on the slow one
            second = httpx.get(f"{url}/api/v1/accounts", headers=harbour)
            if second.status_code == 429:
                break
            anyio.run(anyio.sleep, 0.05)
        assert second.status_code == 429 and "at once with this token" in second.json()["error"]["message"]
        assert second.headers["retry-after"] == "1"
        assert httpx.get(f"{url}/api/v1/accounts", headers=_auth(world, "valley")).status_code == 200
        slow.sendall(payload[len(payload) // 2 :])
        status, _headers, _body = _answer(slow)
        slow.close()
        assert status == 200
        assert httpx.get(f"{url}/api/v1/accounts", headers=harbour).status_code == 200


# -- the database pool ----------------------------------------------------------------------------------


def test_the_pool_holds_a_connection_for_each_thread_and_some_more(tmp_path: Path, database_url: str) -> None:
    world = build_world(tmp_path, http_threads=5, database_url=database_url)
    store = serving_store(world.config)
    try:
        assert store.kw["bind"].pool.size() == 5 + SPARE_CONNECTIONS
        assert store.kw["bind"].pool._max_overflow == 0  # never more than that: the database's own limit
    finally:
        store.kw["bind"].dispose()
        world.runtime.close()


def test_every_connection_taken_is_answered_503_with_retry_after_not_500(
    tmp_path: Path, database_url: str
) -> None:
    settings = {"http_threads": 1, "db_pool_wait_seconds": 0.5, "database_url": database_url}
    with _served(tmp_path, **settings) as (world, url):
        harbour = _auth(world, "harbour")
        assert httpx.get(f"{url}/api/v1/accounts", headers=harbour).status_code == 200  # token now known
        with world.runtime.sessions.begin() as session:
            _token_id, fresh = create_token(session, "valley", "fresh", T0)
        engine = _POOLS[id(world)]
        with ExitStack() as held:
            for _ in range(1 + SPARE_CONNECTIONS):
                held.enter_context(engine.connect())
            for headers in (harbour, {"Authorization": f"Bearer {fresh}"}):  # a session, a token lookup
                busy = httpx.get(f"{url}/api/v1/accounts", headers=headers, timeout=30)
                assert busy.status_code == 503, busy.text
                assert busy.json()["error"]["code"] == "unavailable" and busy.headers["retry-after"] == "1"
        assert httpx.get(f"{url}/api/v1/accounts", headers=harbour).status_code == 200
        assert (
            httpx.get(f"{url}/api/v1/accounts", headers={"Authorization": f"Bearer {fresh}"}).status_code
            == 200
        )


def test_a_request_waiting_for_a_connection_never_holds_up_the_others(tmp_path: Path) -> None:
    """The cause of the stalls: a token looked up on the event loop waited there for a connection, and
    while it waited no other request moved (nor could a thread's connection be handed back). Now the
    lookup waits in a thread: a request that needs no connection is answered meanwhile."""
    with _served(tmp_path, http_threads=1, db_pool_wait_seconds=5.0) as (world, url):
        harbour = _auth(world, "harbour")
        assert httpx.get(f"{url}/api/v1/rules/BW101", headers=harbour).status_code == 200  # token known
        with world.runtime.sessions.begin() as session:
            _token_id, fresh = create_token(session, "valley", "fresh", T0)
        done: list[str] = []
        with ExitStack() as held:
            for _ in range(1 + SPARE_CONNECTIONS):
                held.enter_context(_POOLS[id(world)].connect())

            def waiting() -> None:
                httpx.get(f"{url}/api/v1/accounts", headers={"Authorization": f"Bearer {fresh}"}, timeout=30)
                done.append("the request waiting for a connection")

            waiter = threading.Thread(target=waiting)
            waiter.start()
            anyio.run(anyio.sleep, 0.3)  # let it reach the server and begin to wait
            assert httpx.get(f"{url}/api/v1/rules/BW101", headers=harbour, timeout=30).status_code == 200
            done.append("the request that needs none")
            waiter.join()
        assert done == ["the request that needs none", "the request waiting for a connection"]


def test_many_connections_from_many_new_tokens_get_answers_never_500(tmp_path: Path) -> None:
    """What stalled the server: token lookups waiting for a connection on the event loop while the
    threads that held the others could not hand theirs back. Every answer is an answer now."""
    settings = {"http_threads": 2, "db_pool_wait_seconds": 1.0, "api_token_concurrency": 0}
    with _served(tmp_path, **settings) as (world, url):
        with world.runtime.sessions.begin() as session:
            tokens = [create_token(session, "valley", f"desk {n}", T0)[1] for n in range(32)]
        paths = ["/api/v1/accounts", "/api/v1/queue", "/api/v1/verdicts", "/api/v1/history"]

        def ask(n: int) -> tuple[int, str]:
            headers = {"Authorization": f"Bearer {tokens[n % len(tokens)]}"}
            answer = httpx.get(f"{url}{paths[n % len(paths)]}", headers=headers, timeout=60)
            return answer.status_code, answer.headers.get("retry-after", "")

        with ThreadPoolExecutor(32) as pool:
            answers = list(pool.map(ask, range(128)))
        statuses = {status for status, _ in answers}
        assert statuses <= {200, 503}, answers
        assert all(retry == "1" for status, retry in answers if status == 503)
        assert 200 in statuses


def test_a_request_that_finds_no_free_slot_in_time_is_answered_busy() -> None:
    async def run() -> None:
        slots = DatabaseSlots(1, wait=0.05)
        async with slots.take():
            with pytest.raises(ApiError) as refused:
                async with slots.take():
                    pass
        assert refused.value.status == 503 and refused.value.headers == {"Retry-After": "1"}
        async with slots.take():  # given back
            pass

    anyio.run(run)
