"""The worker publishing to the fake networks: what each network receives, what every fault does to the
account and the queue, probes of stopped accounts, alerts, the cost meter, and credentials at rest."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from botwarden import config as config_module
from botwarden.cli.main import app
from botwarden.networks import MemoryCredentials
from botwarden.networks.build import credential_store
from botwarden.networks.x import XNetwork
from botwarden.run.loop import Runtime
from botwarden.setup_check import check_accounts
from botwarden.store.models import (
    AccountRow,
    ConsentRow,
    CredentialRow,
    EventRow,
    HistoryRow,
    QueueRow,
    VerdictRow,
)
from tests.conftest import rss
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.server import FakeServer, Reply
from tests.fakes.x import FakeX

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
HEADLINES = [
    "timetable change for the morning crossing",
    "storm warning closes the northern pier until Friday",
    "council approves a new electric ferry for the sound",
]


class Webhook(FakeServer):
    """Where alerts are POSTed."""

    def __init__(self) -> None:
        super().__init__()
        self.route("POST", "/hook", lambda request: Reply(200, {"ok": True}))

    def alerts(self) -> list[dict[str, Any]]:
        return [e.request.json() for e in self.requests_to("POST", "/hook")]


@pytest.fixture
def fakes() -> Iterator[tuple[FakeX, FakeMastodon, FakeBluesky, Webhook]]:
    servers = (FakeX(), FakeMastodon(processing_polls=0), FakeBluesky(), Webhook())
    for server in servers:
        server.start()
    yield servers
    for server in servers:
        server.stop()


def _feed(path: Path, count: int, prefix: str = "Ferry") -> Path:
    items = [
        {
            "guid": f"{prefix}-{n}",
            "title": f"{prefix}: {HEADLINES[n]}",
            "link": f"https://news.example/{prefix.lower()}/{n}",
            "description": f"The {prefix} runs late.",
            "pubDate": format_datetime(T0 - timedelta(minutes=n)),
        }
        for n in range(count)
    ]
    path.write_bytes(rss(*items))
    return path


def _config(
    tmp_path: Path, accounts: list[dict[str, Any]], items: int = 1, **settings: Any
) -> config_module.Config:
    feeds, routes = [], []
    for account in accounts:
        account.setdefault("operator", account["id"])  # one operator each: no cross-account findings
        feed = _feed(tmp_path / f"{account['id']}.xml", items, account["id"].capitalize())
        feeds.append({"id": f"feed-{account['id']}", "url": str(feed)})
        routes.append(
            {
                "feed": f"feed-{account['id']}",
                "account": account["id"],
                "template": "{title} {link}",
                "first_run": "all",
                **account.pop("route", {}),
            }
        )
    raw = {
        "settings": {
            "database_url": f"sqlite:///{tmp_path / 'bw.db'}",
            "secret_key_file": str(tmp_path / "secret.key"),
            "jitter_seconds": 0,
            "min_interval_minutes": 0,
            "burst_max": 100,
            "resolve_links": False,
            **settings,
        },
        "accounts": accounts,
        "feeds": feeds,
        "routes": routes,
    }
    return config_module.from_mapping(raw, label="test.toml", env={})


def _runtime(config: config_module.Config, logins: dict[str, dict[str, str]]) -> Runtime:
    runtime = Runtime(config, env={})
    store = credential_store(config, runtime.sessions, env={})
    for account, values in logins.items():
        store.update(account, values)
    return runtime


def test_one_item_reaches_each_network_as_that_network_wants_it(tmp_path: Path, fakes: Any) -> None:
    x, mastodon, bluesky, _ = fakes
    config = _config(
        tmp_path,
        [
            {"id": "xnews", "network": "x", "server": x.url},
            {
                "id": "toots",
                "network": "mastodon",
                "server": mastodon.url,
                "route": {"post": {"language": "en", "content_warning": "Transport"}},
            },
            {
                "id": "skies",
                "network": "bluesky",
                "server": bluesky.url,
                "route": {"post": {"language": "en"}},
            },
        ],
    )
    runtime = _runtime(
        config,
        {
            "xnews": x.add_oauth1_user("xnews"),
            "toots": mastodon.add_user("toots"),
            "skies": bluesky.add_user("skies.example.com"),
        },
    )
    report = runtime.run_pass(T0)
    assert report.publish.posted == 3, report

    sent = x.user("xnews").tweets[0]["sent_text"]
    assert sent == "Xnews: timetable change for the morning crossing https://news.example/xnews/0"
    status = mastodon.requests_to("POST", "/api/v1/statuses")[0].request
    assert status.json()["visibility"] == "unlisted"  # feed bots post unlisted unless told otherwise
    assert status.json()["language"] == "en" and status.json()["spoiler_text"] == "Transport"
    assert status.headers["idempotency-key"]
    [record] = bluesky.user("skies.example.com").records
    assert record["value"]["langs"] == ["en"]
    assert record["value"]["embed"]["external"]["title"] == "Skies: timetable change for the morning crossing"
    assert record["value"]["facets"][0]["features"][0]["uri"] == "https://news.example/skies/0"

    with runtime.sessions() as session:
        history = {h.account_id: h for h in session.scalars(select(HistoryRow))}
        budgets = {a.id: a.rate_remaining for a in session.scalars(select(AccountRow))}
    assert history["xnews"].cost_usd == 0.20 and history["toots"].cost_usd == 0  # X bills the link price
    assert history["xnews"].remote_id == x.user("xnews").tweets[0]["id"]
    assert budgets == {"xnews": 199, "toots": 299, "skies": 4997}
    runtime.close()


STOPS = ["locked", "spam", "suspended", "write_restricted", "unauthorized"]


@pytest.mark.parametrize("fault", STOPS)
def test_an_account_state_answer_stops_the_account_alerts_and_probes_daily(
    tmp_path: Path, fakes: Any, fault: str
) -> None:
    x, _, _, hook = fakes
    config = _config(
        tmp_path,
        [{"id": "xnews", "network": "x", "server": x.url}],
        items=2,
        alert_webhook_url=f"{hook.url}/hook",
    )
    runtime = _runtime(config, {"xnews": x.add_oauth1_user("xnews")})
    x.fault(fault, path="/2/tweets")

    report = runtime.run_pass(T0)
    assert report.publish.stopped_accounts == ["xnews"] and report.publish.posted == 0
    assert len(x.requests_to("POST", "/2/tweets")) == 1  # the second post was never tried
    with runtime.sessions() as session:
        account = session.get_one(AccountRow, "xnews")
        assert account.status != "ok" and account.next_probe_at == T0 + timedelta(hours=24)
        assert not session.scalars(select(HistoryRow)).all()  # nothing recorded as sent
    [alert] = hook.alerts()
    assert alert["kind"] == "account_stopped" and alert["account"] == "xnews" and "stopped" in alert["text"]

    # The queue is held (BW904) and nothing is retried or probed before a day has passed.
    runtime.run_pass(T0 + timedelta(hours=6))
    assert len(x.requests_to("POST", "/2/tweets")) == 1
    assert not x.requests_to("GET", "/2/users/me")
    with runtime.sessions() as session:
        assert {e.state for e in session.scalars(select(QueueRow))} == {"held"}

    # A day later: one cheap read. It works again, so a person is told; the account stays stopped.
    runtime.run_pass(T0 + timedelta(hours=24, minutes=1))
    runtime.run_pass(T0 + timedelta(hours=25))
    assert len(x.requests_to("GET", "/2/users/me")) == 1
    assert hook.alerts()[-1]["kind"] == "account_answers"
    assert "accounts resume xnews" in hook.alerts()[-1]["text"]
    with runtime.sessions() as session:
        assert session.get_one(AccountRow, "xnews").status != "ok"
    runtime.close()


def test_a_failed_probe_waits_another_day_and_resume_on_probe_resumes(tmp_path: Path, fakes: Any) -> None:
    x, _, _, _ = fakes
    config = _config(tmp_path, [{"id": "xnews", "network": "x", "server": x.url}], resume_on_probe=True)
    runtime = _runtime(config, {"xnews": x.add_oauth1_user("xnews")})
    x.fault("locked", path="/2/tweets")
    runtime.run_pass(T0)
    x.fault("locked", path="/2/users/me")
    runtime.run_pass(T0 + timedelta(hours=24))
    runtime.run_pass(T0 + timedelta(hours=30))
    assert len(x.requests_to("GET", "/2/users/me")) == 1
    runtime.run_pass(T0 + timedelta(hours=48))
    with runtime.sessions() as session:
        assert session.get_one(AccountRow, "xnews").status == "ok"
        kinds = [e.kind for e in session.scalars(select(EventRow).order_by(EventRow.id))]
    assert kinds.count("probe_failed") == 1 and "account_answers" in kinds
    runtime.run_pass(T0 + timedelta(hours=48, minutes=1))  # the held post is checked again and sent
    assert len(x.user("xnews").tweets) == 1
    runtime.close()


RETRIES = [
    ("rate_limited", "ready", 0, "retry"),
    ("usage_capped", "ready", 0, "retry"),
    ("server_error", "ready", 0, "retry"),
    ("duplicate", "sent", 0, None),
    ("bad_request", "failed", 0, "publish_failed"),
    ("drop_after", "sent", 1, "answer_lost"),
]


@pytest.mark.parametrize(("fault", "state", "on_x", "event"), RETRIES)
def test_other_answers_retry_finish_or_fail_the_post(
    tmp_path: Path, fakes: Any, fault: str, state: str, on_x: int, event: str | None
) -> None:
    x, _, _, _ = fakes
    config = _config(tmp_path, [{"id": "xnews", "network": "x", "server": x.url}])
    runtime = _runtime(config, {"xnews": x.add_oauth1_user("xnews")})
    x.fault(fault, path="/2/tweets")
    runtime.run_pass(T0)
    assert len(x.user("xnews").tweets) == on_x
    with runtime.sessions() as session:
        [entry] = session.scalars(select(QueueRow))
        account = session.get_one(AccountRow, "xnews")
        kinds = {e.kind for e in session.scalars(select(EventRow))}
        sent = session.scalars(select(HistoryRow)).all()
    assert entry.state == state and account.status == "ok"
    assert (len(sent) == 1) == (state == "sent")
    if event:
        assert event in kinds
    if fault == "rate_limited":  # the reset X announced is when the post is tried again
        assert entry.not_before > datetime.now(UTC) + timedelta(minutes=10)
        assert account.rate_remaining == 0
    if fault == "server_error":  # backed off, with jitter, not hammered
        assert T0 + timedelta(seconds=40) <= entry.not_before <= T0 + timedelta(seconds=80)
    runtime.close()


def test_login_stores_tokens_encrypted_and_check_reports_the_setup(
    tmp_path: Path, fakes: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    x, mastodon, _, _ = fakes
    creds = x.add_oauth1_user("xnews", description="Harbour news")  # no operator named, no label
    token = mastodon.add_user("toots", note="Ferry times, run by @desk", bot=True, followers=25)[
        "access_token"
    ]
    config = _config(
        tmp_path,
        [
            {"id": "xnews", "network": "x", "server": x.url},
            {"id": "toots", "network": "mastodon", "server": mastodon.url},
        ],
    )
    path = tmp_path / "bw.toml"
    path.write_text(_toml(config), encoding="utf-8")
    for name, value in creds.items():
        monkeypatch.setenv(f"XN_{name.upper()}", value)
    monkeypatch.setenv("TT_ACCESS_TOKEN", token)
    runner = CliRunner()
    for account, prefix in (("xnews", "XN"), ("toots", "TT")):
        result = runner.invoke(app, ["accounts", "login", account, "-c", str(path), "--from-env", prefix])
        assert result.exit_code == 0, result.output
        assert "accepts the tokens" in result.output
        for secret in (*creds.values(), token):
            assert secret not in result.output
    key_file = tmp_path / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    database = (tmp_path / "bw.db").read_bytes()
    for secret in (creds["consumer_secret"], creds["access_token_secret"], token):
        assert secret.encode() not in database
    runtime = Runtime(config, env={})
    with runtime.sessions() as session:
        assert len(session.scalars(select(CredentialRow)).all()) == 2
    runtime.close()

    result = runner.invoke(app, ["accounts", "check", "-c", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "BW951" in result.output and "BW952" in result.output  # the X account: no label, no operator
    toots = [line for line in result.output.splitlines() if line.startswith("│ toots")]
    assert toots and "nothing to fix" in result.output

    # A wrong key cannot read the tokens, and says what to do.
    key_file.write_bytes(b"A" * 43 + b"=\n")
    result = runner.invoke(app, ["accounts", "check", "xnews", "-c", str(path)])
    assert result.exit_code == 1 and "accounts login" in result.output


def test_spend_shows_what_each_x_account_cost(tmp_path: Path, fakes: Any) -> None:
    x, _, _, _ = fakes
    config = _config(tmp_path, [{"id": "xnews", "network": "x", "server": x.url}], items=3, spend_cap_usd=5.0)
    runtime = _runtime(config, {"xnews": x.add_oauth1_user("xnews")})
    runtime.run_pass(datetime.now(UTC))
    runtime.close()
    path = tmp_path / "bw.toml"
    path.write_text(_toml(config), encoding="utf-8")
    result = CliRunner().invoke(app, ["spend", "-c", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "0.600" in result.output and "$5.00 cap" in result.output


def _toml(config: config_module.Config) -> str:
    """The config back as TOML (JSON values are valid TOML for these simple shapes)."""
    lines = ["[settings]"] + [f"{k} = {json.dumps(v)}" for k, v in config.bot.settings.items()]
    for table, entries in (("accounts", config.bot.accounts), ("feeds", config.bot.feeds)):
        for entry in entries:
            lines.append(f"[[{table}]]")
            lines += [f"{k} = {json.dumps(v)}" for k, v in entry.model_dump(exclude_defaults=True).items()]
    for route in config.bot.routes:
        lines += [
            "[[routes]]",
            f'feed = "{route.feed}"',
            f'account = "{route.account}"',
            f"template = {json.dumps(route.template)}",
            'first_run = "all"',
        ]
    return "\n".join(lines) + "\n"


def test_mentions_and_messages_become_opt_ins_and_opt_outs_once(tmp_path: Path, fakes: Any) -> None:
    x, mastodon, bluesky, _ = fakes
    config = _config(
        tmp_path,
        [
            {"id": "xnews", "network": "x", "server": x.url},
            {"id": "toots", "network": "mastodon", "server": mastodon.url},
            {"id": "skies", "network": "bluesky", "server": bluesky.url},
        ],
        items=0,
        inbound_interval_minutes=15,
    )
    runtime = _runtime(
        config,
        {
            "xnews": x.add_oauth1_user("xnews"),
            "toots": mastodon.add_user("toots"),
            "skies": bluesky.add_user("skies.example.com"),
        },
    )
    x.mention("xnews", "ana", "@xnews STOP")
    x.mention("xnews", "ben", "@xnews when does the late ferry run?", reply=True)
    mastodon.mention("toots", "cleo@other.example", "please tell me when the pier reopens", direct=True)
    mastodon.mention("toots", "dan@other.example", "unsubscribe")
    bluesky.mention("skies.example.com", "eve.example.com", "@skies.example.com stop please")
    bluesky.mention("skies.example.com", "fay.example.com", "is the 8:15 running?", reply=True)

    assert runtime.run_pass(T0).inbound == 6
    assert runtime.run_pass(T0 + timedelta(minutes=5)).inbound == 0  # not due yet
    x.mention("xnews", "gus", "@xnews thanks!")
    assert runtime.run_pass(T0 + timedelta(minutes=16)).inbound == 1  # only what is new since the cursor

    with runtime.sessions() as session:
        rows = session.scalars(select(ConsentRow).order_by(ConsentRow.id)).all()
    got = {(r.account_id, r.user, r.kind, r.via) for r in rows}
    assert got == {
        ("xnews", "ana", "opt_out", "mention"),
        ("xnews", "ben", "opt_in", "reply"),
        ("xnews", "gus", "opt_in", "mention"),
        ("toots", "cleo@other.example", "opt_in", "dm"),
        ("toots", "dan@other.example", "opt_out", "mention"),
        ("skies", "eve.example.com", "opt_out", "mention"),
        ("skies", "fay.example.com", "opt_in", "reply"),
    }
    assert all(r.recorded_by.startswith("botwarden inbound") for r in rows)
    # What each message meant and the id of the post are kept; what the user wrote is not.
    assert all(r.interaction for r in rows)
    for said in ("@xnews STOP", "late ferry", "pier reopens", "unsubscribe", "stop please", "8:15", "thanks"):
        assert not [r.note for r in rows if said.casefold() in r.note.casefold()], said
    runtime.close()


def test_a_servers_bot_policy_and_an_accounts_spend_cap_are_kept(tmp_path: Path, fakes: Any) -> None:
    x, mastodon, _, _ = fakes
    config = _config(
        tmp_path,
        [
            {
                "id": "toots",
                "network": "mastodon",
                "server": mastodon.url,
                "daily_cap": 2,
                "required_hashtags": ["bot"],
            },
            {"id": "xnews", "network": "x", "server": x.url, "spend_cap_usd": 0.25},
        ],
        items=3,
    )
    runtime = _runtime(config, {"toots": mastodon.add_user("toots"), "xnews": x.add_oauth1_user("xnews")})
    runtime.run_pass(T0)
    statuses = [e.request.json()["status"] for e in mastodon.requests_to("POST", "/api/v1/statuses")]
    assert len(statuses) == 2 and all(s.endswith("#bot") for s in statuses)  # the server's 5-a-day style cap
    assert len(x.user("xnews").tweets) == 1  # $0.20 spent; a second link post would pass the $0.25 cap
    with runtime.sessions() as session:
        verdicts = {(v.decision, tuple(v.codes)) for v in session.scalars(select(VerdictRow))}
    assert any(decision == "delay" and "BW902" in codes for decision, codes in verdicts)
    assert any(decision == "hold" and "BW905" in codes for decision, codes in verdicts)
    runtime.close()


def test_tokens_never_reach_the_logs(tmp_path: Path, fakes: Any, caplog: pytest.LogCaptureFixture) -> None:
    x, mastodon, bluesky, hook = fakes
    logins = {
        "xnews": x.add_oauth1_user("xnews"),
        "toots": mastodon.add_user("toots"),
        "skies": bluesky.add_user("skies.example.com"),
    }
    config = _config(
        tmp_path,
        [
            {"id": "xnews", "network": "x", "server": x.url},
            {"id": "toots", "network": "mastodon", "server": mastodon.url},
            {"id": "skies", "network": "bluesky", "server": bluesky.url},
        ],
        items=2,
        alert_webhook_url=f"{hook.url}/hook",
    )
    caplog.set_level("DEBUG")
    runtime = _runtime(config, logins)
    x.fault("unauthorized", path="/2/tweets")
    mastodon.fault("unauthorized", path="/api/v1/statuses")
    bluesky.fault("unauthorized", path="/xrpc/com.atproto.repo.createRecord", times=2)
    runtime.run_pass(T0)
    runtime.run_pass(T0 + timedelta(days=1, minutes=1))
    with runtime.sessions() as session:
        stored = " ".join(e.message + json.dumps(e.data) for e in session.scalars(select(EventRow)))
        stored += " ".join(q.last_error for q in session.scalars(select(QueueRow)))
    runtime.close()
    secrets = [v for values in logins.values() for k, v in values.items() if k != "handle"]
    bearer = [e.request.headers.get("authorization", "") for e in x.exchanges + mastodon.exchanges]
    written = caplog.text + stored + json.dumps(hook.alerts())
    assert "stopped" in written  # the run did log and alert
    for secret in secrets + [b.split(" ", 1)[-1] for b in bearer if b]:
        assert secret not in written


def test_setup_check_names_each_undeclared_source(tmp_path: Path, fakes: Any) -> None:
    x, _, _, _ = fakes
    raw = {
        "settings": {"database_url": f"sqlite:///{tmp_path / 'bw.db'}", "declared_sources": ["ours.example"]},
        "accounts": [
            {"id": "xnews", "network": "x", "server": x.url, "automated_label_declared_by": "ops@harbour"}
        ],
        "feeds": [
            {"id": "wire", "url": "https://wire.example/rss"},
            {"id": "own", "url": "https://ours.example/rss"},
            {"id": "paper", "url": "https://paper.example/rss", "republish_declared_by": "ed@paper.example"},
        ],
        "routes": [{"feed": f, "account": "xnews"} for f in ("wire", "own", "paper")],
    }
    config = config_module.from_mapping(raw, env={})
    creds = MemoryCredentials(
        {"xnews": x.add_oauth1_user("xnews", description="News, run by @desk", followers=900)}
    )
    [report] = check_accounts(config, {"x": XNetwork(creds, base_url=x.url)}, T0)
    assert [(f.code, f.evidence.get("sources")) for f in report.findings] == [("BW956", ["wire.example"])]
