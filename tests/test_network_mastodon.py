"""The Mastodon adapter against the fake server: statuses match the spec, every answer maps to an outcome."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from botwarden.networks import Media, MemoryCredentials, OutcomeKind, Post
from botwarden.networks.mastodon import MastodonNetwork
from tests.contracts import schema_of, validate
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.x import tiny_png

SPEC = "mastodon.openapi.json"
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.fixture
def fake() -> Iterator[FakeMastodon]:
    server = FakeMastodon()
    server.start()
    yield server
    server.stop()


def _network(fake: FakeMastodon, **user: object) -> MastodonNetwork:
    creds = MemoryCredentials({"harbour": fake.add_user("harbour", **user)})
    return MastodonNetwork(creds, {"harbour": fake.url}, media_wait_seconds=5)


def test_a_rich_status_goes_through_with_its_options_and_matches_the_spec(fake: FakeMastodon) -> None:
    network = _network(fake)
    text = "Fähre fällt aus — 渡し船 欠航 @harbour_desk@other.example #Ferry https://example.org/ferry"
    post = Post(
        text,
        "key-1",
        language="de",
        visibility="unlisted",
        content_warning="Weather",
        media=(Media(tiny_png(), "image/png", "the ferry at the pier"),),
    )

    outcome = network.publish("harbour", post, at=NOW)

    assert outcome.kind is OutcomeKind.POSTED and outcome.remote_id
    assert outcome.cost_usd == 0 and outcome.budget is not None and outcome.budget.remaining == 299
    [create] = fake.requests_to("POST", "/api/v1/statuses")
    body = create.request.json()
    # The spec's request is oneOf text/media/poll status, and a status with text and media fits two of
    # them, so it is checked against the one it is.
    validate(SPEC, "/components/schemas/MediaStatus", body)
    validate(SPEC, "/components/schemas/TextStatus", {k: v for k, v in body.items() if k != "media_ids"})
    assert body == {
        "status": text,
        "visibility": "unlisted",
        "language": "de",
        "spoiler_text": "Weather",
        "media_ids": [fake.requests_to("POST", "/api/v2/media")[0].reply.body["id"]],
    }  # type: ignore[union-attr]
    assert create.request.headers["idempotency-key"] == "key-1"
    assert create.reply is not None
    validate(SPEC, "/components/schemas/Status", create.reply.body)
    # The attachment was processed (202, then polled) before the status referred to it.
    assert len(fake.requests_to("POST", "/api/v2/media")) == 1
    [upload] = fake.requests_to("POST", "/api/v2/media")
    assert upload.reply is not None and upload.reply.status == 202
    validate(SPEC, "/components/schemas/MediaAttachment", upload.reply.body)


def test_the_same_idempotency_key_never_makes_a_second_status(fake: FakeMastodon) -> None:
    network = _network(fake)
    post = Post("Ferry back in service https://example.org/ferry/2", "key-2")
    first = network.publish("harbour", post, at=NOW)
    second = network.publish("harbour", post, at=NOW)
    assert first.remote_id == second.remote_id
    assert len(fake.user("harbour").statuses) == 1


FAULTS = [
    ("rate_limited", OutcomeKind.RATE_LIMITED),
    ("unauthorized", OutcomeKind.AUTH_REVOKED),
    ("suspended", OutcomeKind.SUSPENDED),
    ("forbidden", OutcomeKind.WRITE_RESTRICTED),
    ("gone", OutcomeKind.SUSPENDED),
    ("unprocessable", OutcomeKind.REJECTED),
    ("server_error", OutcomeKind.TRANSIENT),
    ("html_error", OutcomeKind.TRANSIENT),
]


@pytest.mark.parametrize(("fault", "kind"), FAULTS)
def test_every_fault_maps_to_its_outcome(fake: FakeMastodon, fault: str, kind: OutcomeKind) -> None:
    network = _network(fake)
    fake.fault(fault, path="/api/v1/statuses")
    outcome = network.publish("harbour", Post("Ferry news", "key-3"), at=NOW)
    assert outcome.kind is kind, outcome
    assert fake.user("harbour").statuses == []
    [exchange] = fake.requests_to("POST", "/api/v1/statuses")
    assert exchange.reply is not None
    status = str(exchange.reply.status)
    if status in ("401", "404", "422", "429", "503"):  # the statuses the spec gives a body
        validate(SPEC, schema_of(SPEC, "/api/v1/statuses", "POST", status=status), exchange.reply.body)
    if kind is OutcomeKind.RATE_LIMITED:
        assert outcome.retry_at is not None and outcome.retry_at > datetime.now(UTC)


def test_a_lost_answer_is_found_on_the_timeline_and_a_resend_is_deduplicated(fake: FakeMastodon) -> None:
    network = _network(fake)
    post = Post("Ferry back in service\nfrom 06:00 #Ferry https://example.org/ferry/3", "key-4")
    fake.fault("drop_after", path="/api/v1/statuses")
    outcome = network.publish("harbour", post, at=NOW)
    assert outcome.kind is OutcomeKind.TRANSIENT and outcome.uncertain
    [status] = fake.user("harbour").statuses
    assert network.find_published("harbour", post) == status["id"]  # read back from its HTML content
    assert network.publish("harbour", post, at=NOW).remote_id == status["id"]  # same key: same status
    assert len(fake.user("harbour").statuses) == 1


def test_probe_and_profile_read_the_server(fake: FakeMastodon) -> None:
    network = _network(fake, note="Ferry times, run by @desk", bot=True)
    assert network.probe("harbour") is None
    profile = network.profile("harbour")
    assert profile.bot_flag and profile.char_limit == 500 and "run by @desk" in profile.bio
    fake.fault("suspended", path="/api/v1/accounts/verify_credentials")
    probe = network.probe("harbour")
    assert probe is not None and probe.kind is OutcomeKind.SUSPENDED
    me = next(e for e in fake.requests_to("GET", "/api/v1/accounts/verify_credentials") if e.reply)
    validate(SPEC, "/components/schemas/Account", me.reply.body)  # type: ignore[union-attr]
