"""The Bluesky adapter (atproto SDK) against the fake PDS: records fit the lexicon, facets carry UTF-8
byte offsets, one session is reused and refreshed, every answer maps to an outcome."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from atproto import models
from atproto_client.models import get_or_create

from botwarden.networks import LinkCard, Media, MemoryCredentials, OutcomeKind, Post
from botwarden.networks.bluesky import BlueskyNetwork
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.x import tiny_png

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.fixture
def fake() -> Iterator[FakeBluesky]:
    server = FakeBluesky()
    server.start()
    yield server
    server.stop()


def _network(fake: FakeBluesky, creds: MemoryCredentials) -> BlueskyNetwork:
    return BlueskyNetwork(creds, {"harbour": fake.url}, timeout=5)


def test_a_rich_post_has_facets_card_and_langs_that_fit_the_lexicon(fake: FakeBluesky) -> None:
    creds = MemoryCredentials({"harbour": fake.add_user("harbour.example.com")})
    fake.add_user("desk.example.com")
    network = _network(fake, creds)
    text = "Fähre fällt aus — 渡し船 欠航 @desk.example.com #Fähre https://example.org/ferry"
    card = LinkCard(
        "https://example.org/ferry", "Ferry cancelled", "Storm on the sound", Media(tiny_png(), "image/png")
    )

    outcome = network.publish("harbour", Post(text, "k1", language="de", card=card), at=NOW)

    assert outcome.kind is OutcomeKind.POSTED and str(outcome.remote_id).startswith("at://did:plc:")
    assert outcome.budget is not None and outcome.budget.remaining == 5000 - 3
    [record] = fake.user("harbour.example.com").records
    value = record["value"]
    get_or_create(value, models.AppBskyFeedPost.Record, strict=True)
    assert value["langs"] == ["de"] and value["text"] == text
    raw = text.encode()
    spans = {
        raw[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode(): f["features"][0]
        for f in value["facets"]
    }
    assert spans["@desk.example.com"]["did"] == fake.user("desk.example.com").did
    assert spans["#Fähre"]["tag"] == "Fähre"
    assert spans["https://example.org/ferry"]["uri"] == "https://example.org/ferry"
    external = value["embed"]["external"]
    assert external["title"] == "Ferry cancelled" and external["thumb"]["mimeType"] == "image/png"


def test_the_record_links_whole_urls_and_only_valid_tags(fake: FakeBluesky) -> None:
    creds = MemoryCredentials({"harbour": fake.add_user("harbour.example.com")})
    text = "Mercury (https://en.wikipedia.org/wiki/Mercury_(planet)). #a\u200bb #\ufe0f\u20e3 $ssw bsky.app"
    assert _network(fake, creds).publish("harbour", Post(text, "k3"), at=NOW).kind is OutcomeKind.POSTED
    [record] = fake.user("harbour.example.com").records
    value = record["value"]
    get_or_create(value, models.AppBskyFeedPost.Record, strict=True)
    raw = text.encode()
    spans = [
        (raw[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode(), f["features"][0])
        for f in value["facets"]
    ]
    assert [(shown, feature.get("uri") or feature.get("tag")) for shown, feature in spans] == [
        ("https://en.wikipedia.org/wiki/Mercury_(planet)", "https://en.wikipedia.org/wiki/Mercury_(planet)"),
        ("#a", "a"),
        ("$ssw", "$SSW"),
        ("bsky.app", "https://bsky.app"),
    ]


def test_images_are_uploaded_with_their_alt_text(fake: FakeBluesky) -> None:
    creds = MemoryCredentials({"harbour": fake.add_user("harbour.example.com")})
    post = Post("Harbour at dawn", "k2", media=(Media(tiny_png(), "image/png", "boats at the pier"),))
    assert _network(fake, creds).publish("harbour", post, at=NOW).kind is OutcomeKind.POSTED
    [record] = fake.user("harbour.example.com").records
    assert record["value"]["embed"]["images"][0]["alt"] == "boats at the pier"
    assert len(fake.requests_to("POST", "/xrpc/com.atproto.repo.uploadBlob")) == 1


def test_one_session_is_reused_stored_and_refreshed_not_a_login_per_post(fake: FakeBluesky) -> None:
    creds = MemoryCredentials({"harbour": fake.add_user("harbour.example.com")})
    network = _network(fake, creds)
    for n in range(5):
        assert network.publish("harbour", Post(f"Tide table {n}", f"k{n}"), at=NOW).kind is OutcomeKind.POSTED
    assert fake.logins == 1
    assert creds.get("harbour")["session"].startswith("harbour.example.com")
    # A new process picks the stored session up instead of logging in again.
    assert (
        _network(fake, creds).publish("harbour", Post("Tide table 6", "k6"), at=NOW).kind
        is OutcomeKind.POSTED
    )
    assert fake.logins == 1


def test_an_expired_access_token_is_refreshed(fake: FakeBluesky) -> None:
    fake.access_lifetime = 60  # the SDK refreshes a token that expires within 15 minutes
    creds = MemoryCredentials({"harbour": fake.add_user("harbour.example.com")})
    network = _network(fake, creds)
    assert network.publish("harbour", Post("One", "k1"), at=NOW).kind is OutcomeKind.POSTED
    assert network.publish("harbour", Post("Two", "k2"), at=NOW).kind is OutcomeKind.POSTED
    assert fake.requests_to("POST", "/xrpc/com.atproto.server.refreshSession")
    assert fake.logins == 1


def test_revoked_sessions_fall_back_to_one_login_then_revoked_auth(fake: FakeBluesky) -> None:
    creds = MemoryCredentials({"harbour": fake.add_user("harbour.example.com")})
    assert _network(fake, creds).publish("harbour", Post("One", "k1"), at=NOW).kind is OutcomeKind.POSTED
    fake.revoke_sessions("harbour.example.com")
    assert _network(fake, creds).publish("harbour", Post("Two", "k2"), at=NOW).kind is OutcomeKind.POSTED
    assert fake.logins == 2
    fake.revoke_sessions("harbour.example.com")
    creds.update("harbour", {"app_password": "wrong-pass-word-here"})
    outcome = _network(fake, creds).publish("harbour", Post("Three", "k3"), at=NOW)
    assert outcome.kind is OutcomeKind.AUTH_REVOKED and "wrong-pass" not in outcome.message


FAULTS = [
    ("rate_limited", OutcomeKind.RATE_LIMITED),
    ("takedown", OutcomeKind.SUSPENDED),
    ("unauthorized", OutcomeKind.AUTH_REVOKED),
    ("invalid", OutcomeKind.REJECTED),
    ("server_error", OutcomeKind.TRANSIENT),
    ("unavailable", OutcomeKind.TRANSIENT),
]


@pytest.mark.parametrize(("fault", "kind"), FAULTS)
def test_every_fault_maps_to_its_outcome(fake: FakeBluesky, fault: str, kind: OutcomeKind) -> None:
    creds = MemoryCredentials({"harbour": fake.add_user("harbour.example.com")})
    network = _network(fake, creds)
    assert network.probe("harbour") is None  # logged in before the fault
    # A refused session earns one fresh login and one more try, so "unauthorized" must answer twice.
    times = 2 if kind is OutcomeKind.AUTH_REVOKED else 1
    fake.fault(fault, path="/xrpc/com.atproto.repo.createRecord", times=times)
    outcome = network.publish("harbour", Post("Ferry news", "k1"), at=NOW)
    assert outcome.kind is kind, outcome
    assert fake.logins == times
    assert fake.user("harbour.example.com").records == []
    if kind is OutcomeKind.RATE_LIMITED:
        assert outcome.retry_at is not None and outcome.retry_at > datetime.now(UTC)


def test_a_dropped_answer_is_uncertain_and_found_in_the_repo(fake: FakeBluesky) -> None:
    creds = MemoryCredentials({"harbour": fake.add_user("harbour.example.com")})
    network = _network(fake, creds)
    post = Post("Ferry back in service https://example.org/ferry/2", "k1")
    fake.fault("drop_after", path="/xrpc/com.atproto.repo.createRecord")
    outcome = network.publish("harbour", post, at=NOW)
    assert outcome.kind is OutcomeKind.TRANSIENT and outcome.uncertain
    [record] = fake.user("harbour.example.com").records
    assert network.find_published("harbour", post) == record["uri"]
    assert network.find_published("harbour", Post("Not posted", "k9")) is None


def test_profile_reads_the_bot_self_label(fake: FakeBluesky) -> None:
    creds = MemoryCredentials(
        {
            "harbour": fake.add_user(
                "harbour.example.com", description="Ferry times, run by @desk", bot_label=True
            )
        }
    )
    profile = _network(fake, creds).profile("harbour")
    assert profile.bot_flag and profile.handle == "harbour.example.com" and "run by" in profile.bio
