"""The watch: Bluesky moderation labels and a Mastodon account limited or suspended as another server sees
it stop the account like a lock (BW904), with the label or state as evidence; a Mastodon server's
published rules are shown, and applied where they say plainly what a bot must do."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from botwarden.cli.main import app
from botwarden.networks import MemoryCredentials
from botwarden.networks.base import ServerRule
from botwarden.networks.build import credential_store
from botwarden.networks.labels import SeenLabel, moderation_labels
from botwarden.networks.mastodon import MastodonNetwork
from botwarden.run.loop import Runtime
from botwarden.server_rules import read_rules
from botwarden.store.models import AccountRow, EventRow, QueueRow, VerdictRow
from tests.conftest import rss
from tests.contracts import schema_of, validate
from tests.fakes.bluesky import BSKY_LABELER, FakeBluesky
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.server import FakeServer, Reply
from tests.test_publishing import _config, _toml

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
OTHER_LABELER = "did:plc:someotherlabelerxxxxxxxx"


class Webhook(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.route("POST", "/hook", lambda request: Reply(200, {"ok": True}))

    def alerts(self) -> list[dict[str, Any]]:
        return [e.request.json() for e in self.requests_to("POST", "/hook")]


@pytest.fixture
def servers() -> Iterator[tuple[FakeBluesky, FakeMastodon, FakeMastodon, Webhook]]:
    started = (
        FakeBluesky(),
        FakeMastodon(processing_polls=0),
        FakeMastodon(domain="elsewhere.example"),
        Webhook(),
    )
    for server in started:
        server.start()
    yield started
    for server in started:
        server.stop()


def _runtime(
    tmp_path: Path, accounts: list[dict[str, Any]], logins: dict[str, dict[str, str]], **settings: Any
) -> Runtime:
    config = _config(tmp_path, accounts, items=3, inbound_interval_minutes=0, **settings)
    runtime = Runtime(config, env={})
    store = credential_store(config, runtime.sessions, env={})
    for account, values in logins.items():
        store.update(account, values)
    return runtime


def _account(runtime: Runtime, account_id: str) -> AccountRow:
    with runtime.sessions() as session:
        return session.get_one(AccountRow, account_id)


# -- Bluesky labels -----------------------------------------------------------------------------------


def test_labels_that_count_are_a_labelers_own_in_force() -> None:
    own = "did:plc:me"
    post = "at://did:plc:me/app.bsky.feed.post/1"
    seen = [
        SeenLabel("bot", own, own, "2026-01-01T00:00:00Z"),  # a self-label
        SeenLabel("spam", BSKY_LABELER, own, "2026-11-01T00:00:00Z"),
        SeenLabel("!hide", BSKY_LABELER, post, "2026-11-02T00:00:00Z"),
        SeenLabel("!hide", BSKY_LABELER, post, "2026-11-03T00:00:00Z", neg=True),  # taken back
        SeenLabel("rude", OTHER_LABELER, post, "2026-11-02T00:00:00Z", exp="2026-11-10T00:00:00Z"),  # expired
        SeenLabel("graphic-media", BSKY_LABELER, post, "2026-11-05T00:00:00Z"),
    ]
    found = moderation_labels(seen, own, NOW, ignored={"graphic-media"})
    assert [(label.val, label.uri) for label in found] == [("spam", own)]


def test_a_label_on_a_recent_post_stops_the_account_like_a_lock(tmp_path: Path, servers: Any) -> None:
    bluesky, _, _, hook = servers
    runtime = _runtime(
        tmp_path,
        [{"id": "skies", "network": "bluesky", "server": bluesky.url}],
        {"skies": bluesky.add_user("skies.example.com")},
        alert_webhook_url=f"{hook.url}/hook",
    )
    runtime.run_pass(NOW)
    assert len(bluesky.user("skies.example.com").records) == 3
    bluesky.label("skies.example.com", "bot", labeler=bluesky.user("skies.example.com").did)  # its own
    bluesky.label("skies.example.com", "spam", labeler=OTHER_LABELER, post=0)  # a labeler not asked for
    runtime.run_pass(NOW + timedelta(hours=12))
    assert _account(runtime, "skies").status == "ok"

    bluesky.label("skies.example.com", "spam", post=1)  # Bluesky's own moderation service
    runtime.run_pass(NOW + timedelta(hours=24))
    account = _account(runtime, "skies")
    assert (
        account.status == "labelled"
        and "'spam' from did:plc:ar7c4by46qjdydhdevvrndac" in account.status_reason
    )
    [alert] = [a for a in hook.alerts() if a["kind"] == "account_stopped"]
    assert alert["status"] == "labelled" and "spam" in alert["text"]
    with runtime.sessions() as session:
        [event] = session.scalars(select(EventRow).where(EventRow.kind == "account_stopped")).all()
    assert event.data["evidence"]["labels"][0]["val"] == "spam"
    asks = [
        e.request.headers.get("atproto-accept-labelers")
        for e in bluesky.requests_to("GET", "/xrpc/app.bsky.feed.getAuthorFeed")
    ]
    assert asks and set(asks) == {BSKY_LABELER}

    # A new item is held (BW904), with the label as the reason.
    (tmp_path / "skies.xml").write_bytes(
        rss(
            {
                "guid": "Skies-new",
                "title": "Skies: pier reopens",
                "link": "https://news.example/skies/9",
                "pubDate": format_datetime(NOW),
            }
        )
    )
    runtime.run_pass(NOW + timedelta(hours=25))
    assert len(bluesky.user("skies.example.com").records) == 3
    with runtime.sessions() as session:
        verdicts = session.scalars(select(VerdictRow).order_by(VerdictRow.id)).all()
    assert verdicts[-1].codes == ["BW904"] and "spam" in verdicts[-1].findings[0]["evidence"]["reason"]
    runtime.close()


def test_a_labelled_account_is_probed_with_the_same_question(tmp_path: Path, servers: Any) -> None:
    bluesky, _, _, hook = servers
    runtime = _runtime(
        tmp_path,
        [{"id": "skies", "network": "bluesky", "server": bluesky.url}],
        {"skies": bluesky.add_user("skies.example.com")},
        alert_webhook_url=f"{hook.url}/hook",
    )
    bluesky.label("skies.example.com", "!hide")
    runtime.run_pass(NOW)
    assert _account(runtime, "skies").status == "labelled"
    assert not bluesky.user("skies.example.com").records  # stopped before anything was posted
    runtime.run_pass(NOW + timedelta(hours=24, minutes=1))  # the daily probe: still labelled
    assert _account(runtime, "skies").status == "labelled"
    with runtime.sessions() as session:
        probes = [e.message for e in session.scalars(select(EventRow).where(EventRow.kind == "probe_failed"))]
    assert probes and "!hide" in probes[0]
    bluesky.label("skies.example.com", "!hide", neg=True)  # the label is taken back
    runtime.run_pass(NOW + timedelta(hours=48, minutes=2))
    assert hook.alerts()[-1]["kind"] == "account_answers"
    runtime.close()


# -- Mastodon: as another server sees the account --------------------------------------------------------


@pytest.mark.parametrize(("state", "status"), [("limited", "limited"), ("suspended", "suspended_elsewhere")])
def test_an_account_limited_or_suspended_elsewhere_stops_like_a_lock(
    tmp_path: Path, servers: Any, state: str, status: str
) -> None:
    _, home, observer, hook = servers
    runtime = _runtime(
        tmp_path,
        [{"id": "toots", "network": "mastodon", "server": home.url}],
        {"toots": home.add_user("toots")},
        alert_webhook_url=f"{hook.url}/hook",
        mastodon_observer_server=observer.url,
    )
    runtime.run_pass(NOW)
    assert _account(runtime, "toots").status == "ok" and len(home.user("toots").statuses) == 3
    observer.remote_states["toots@fake.social"] = state
    runtime.run_pass(NOW + timedelta(hours=12))
    account = _account(runtime, "toots")
    assert account.status == status and "toots@fake.social" in account.status_reason
    [alert] = [a for a in hook.alerts() if a["kind"] == "account_stopped"]
    assert state in alert["text"] and observer.url.split("//")[1].split(":")[0] in alert["text"]
    [lookup] = observer.requests_to("GET", "/api/v1/accounts/lookup")[-1:]
    validate(
        "mastodon.openapi.json",
        schema_of("mastodon.openapi.json", "/api/v1/accounts/lookup", "GET", status="200"),
        lookup.reply.body,
    )

    del observer.remote_states["toots@fake.social"]
    runtime.run_pass(NOW + timedelta(hours=36, minutes=1))
    assert hook.alerts()[-1]["kind"] == "account_answers"
    runtime.close()


def test_without_an_observer_nothing_is_looked_up(tmp_path: Path, servers: Any) -> None:
    _, home, observer, _ = servers
    network = MastodonNetwork(MemoryCredentials({"toots": home.add_user("toots")}), {"toots": home.url})
    assert network.standing("toots") == [] and not observer.exchanges


# -- Mastodon server rules --------------------------------------------------------------------------------

RULES = [
    {"id": "1", "text": "Be excellent to each other.", "hint": ""},
    {
        "id": "2",
        "text": "Bots: no more than two posts a day.",
        "hint": "Automated accounts flood the local timeline.",
    },
    {"id": "3", "text": "Automated accounts must use the #bot hashtag on every post.", "hint": ""},
    {"id": "4", "text": "Bots must post unlisted and must be flagged as bots.", "hint": ""},
]


@pytest.mark.parametrize(
    ("text", "cap", "tags", "unlisted", "flag"),
    [
        ("No more than 5 automated posts per day", 5, (), False, False),
        ("Bots: max. 2 toots an hour", 48, (), False, False),
        ("Please do not post more than 10 statuses per hour.", 240, (), False, False),
        ("We allow bots. Bots must use #bot and #automated.", None, ("bot", "automated"), False, False),
        ("Bots must not use #FediBlock.", None, (), False, False),
        ("Automated accounts must post unlisted", None, (), True, False),
        ("Bots should not post unlisted; use followers-only.", None, (), False, False),
        ("Bot accounts must be marked as bots in their profile", None, (), False, True),
        ("Post at most 3 times a week", None, (), False, False),
        ("No spam, no hate speech.", None, (), False, False),
    ],
)
def test_what_a_rule_says_plainly_is_read(
    text: str, cap: int | None, tags: tuple[str, ...], unlisted: bool, flag: bool
) -> None:
    reading = read_rules([ServerRule("9", text)])
    assert (reading.daily_cap, reading.hashtags, reading.unlisted, reading.bot_flag) == (
        cap,
        tags,
        unlisted,
        flag,
    )
    assert bool(reading.understood) == any((cap, tags, unlisted, flag))


def test_server_rules_are_shown_and_applied_stricter_only(tmp_path: Path, servers: Any) -> None:
    _, home, _, _ = servers
    home.rules = RULES
    runtime = _runtime(
        tmp_path,
        [
            {
                "id": "toots",
                "network": "mastodon",
                "server": home.url,
                "route": {"post": {"visibility": "public"}},
            }
        ],
        {"toots": home.add_user("toots")},
    )
    path = tmp_path / "bw.toml"
    path.write_text(
        _toml(runtime.config).replace("[[routes]]", '[[routes]]\npost = { visibility = "public" }'),
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["accounts", "check", "-c", str(path)], env={"COLUMNS": "220"})
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Be excellent to each other" in out and "(for a person to follow)" in out
    assert "at most 2 posts a day" in out and "#bot" in out and "unlisted" in out
    assert "flagged as bots" in out  # the account is not flagged: BW953 and the rule both say so
    [instance] = home.requests_to("GET", "/api/v2/instance")[:1]
    validate(
        "mastodon.openapi.json",
        schema_of("mastodon.openapi.json", "/api/v2/instance", "GET", status="200"),
        instance.reply.body,
    )

    runtime.run_pass(NOW)  # the rules `accounts check` kept apply from the first pass
    statuses = home.user("toots").statuses
    assert len(statuses) == 2  # the third post waits for tomorrow (BW902)
    assert all(s["sent_text"].endswith("#bot") and s["visibility"] == "unlisted" for s in statuses)
    with runtime.sessions() as session:
        [waiting] = session.scalars(select(QueueRow).where(QueueRow.state != "sent")).all()
        [verdict] = session.scalars(select(VerdictRow).where(VerdictRow.queue_id == waiting.id)).all()[-1:]
    assert "BW902" in verdict.codes

    # Rules that ask less than the configuration never loosen it; rules read by the watch apply too.
    home.rules = [{"id": "2", "text": "Bots: no more than 5000 posts a day.", "hint": ""}]  # Mastodon: 2,400
    runtime.run_pass(NOW + timedelta(hours=12))
    assert runtime.publisher.config.accounts["toots"].daily_cap is None
    assert runtime.publisher.config.routes["feed-toots->toots"].post.visibility == "public"
    runtime.close()
