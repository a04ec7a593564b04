"""Exact X spend: every billable call metered at the configured prices, each resource read billed once a
UTC day, usage caps waited out until their own reset, and the daily reconciliation with X's usage report."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from botwarden import config as config_module
from botwarden.cli.main import app
from botwarden.networks import Media, MemoryCredentials, OutcomeKind, Post
from botwarden.networks.base import ContentRef
from botwarden.networks.metering import Billable, Meter, Prices, Use
from botwarden.networks.x import XNetwork
from botwarden.networks.x_answers import cap_reset, next_monthly_reset
from botwarden.run.loop import Runtime
from botwarden.settings import BY_NAME
from botwarden.store import make_engine, migrate, session_factory
from botwarden.store.models import EventRow, MeteredRow, QueueRow, UsageDayRow
from botwarden.store.spend import metered_posts, record_uses, utc_day
from botwarden.trends import XTrends
from tests.contracts import schema_of, validate
from tests.fakes.server import FakeServer, Reply
from tests.fakes.x import FakeX, tiny_png
from tests.test_publishing import _config, _toml

SPEC = "x-api-v2.openapi.json"
T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
PRICES = {
    Billable.POST: 0.015,
    Billable.POST_WITH_URL: 0.2,
    Billable.MEDIA_METADATA: 0.005,
    Billable.POST_READ: 0.005,
    Billable.OWNED_READ: 0.001,
    Billable.USER_READ: 0.01,
    Billable.TREND_READ: 0.01,
    Billable.DM_READ: 0.01,
}


class Webhook(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.route("POST", "/hook", lambda request: Reply(200, {"ok": True}))

    def alerts(self) -> list[dict[str, Any]]:
        return [e.request.json() for e in self.requests_to("POST", "/hook")]


@pytest.fixture
def x() -> Iterator[FakeX]:
    server = FakeX()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def hook() -> Iterator[Webhook]:
    server = Webhook()
    server.start()
    yield server
    server.stop()


def _adapter(x: FakeX, username: str = "harbour") -> tuple[XNetwork, Meter]:
    meter = Meter(Prices(PRICES))
    creds = MemoryCredentials({"harbour": x.add_oauth1_user(username)})
    return XNetwork(creds, base_url=x.url, meter=meter, bearer_token=x.app_bearer), meter


# -- the meter ----------------------------------------------------------------------------------------


def test_every_billable_call_of_the_adapter_is_metered_with_why_it_was_made(x: FakeX) -> None:
    network, meter = _adapter(x)
    network.publish("harbour", Post("Ferry late", "k1"), at=T0)
    network.publish("harbour", Post("Ferry late https://e.org/1", "k2"), at=T0)
    network.publish(
        "harbour", Post("Pier photo", "k3", media=(Media(tiny_png(), "image/png", "the pier"),)), at=T0
    )
    assert network.probe("harbour") is None
    network.profile("harbour")
    network.find_published("harbour", Post("not there", "k4"))
    first = x.mention("harbour", "ana", "@harbour when is the ferry?")
    network.inbound("harbour", None)
    network.deleted("harbour", [ContentRef(first, "post")])
    used = {(u.kind, u.purpose, u.resource, len(u.ids)) for u in meter.drain()}
    assert used == {
        (Billable.POST, "publish", "post", 0),
        (Billable.POST_WITH_URL, "publish", "post", 0),
        (Billable.MEDIA_METADATA, "publish", "media", 0),
        (Billable.OWNED_READ, "lookup", "user", 1),  # the account's own id, asked once
        (Billable.OWNED_READ, "probe", "user", 1),
        (Billable.OWNED_READ, "setup", "user", 1),
        (Billable.OWNED_READ, "reconcile", "post", 3),  # its own timeline: three posts came back
        (Billable.POST_READ, "inbound", "post", 1),
        (Billable.POST_READ, "retention", "post", 1),
    }
    assert list(x.alt_texts.values()) == ["the pier"]


def test_failed_and_empty_calls_are_not_billed(x: FakeX) -> None:
    network, meter = _adapter(x)
    x.fault("server_error", path="/2/tweets")
    assert network.publish("harbour", Post("Ferry late", "k1"), at=T0).kind is OutcomeKind.TRANSIENT
    x.fault("unauthorized", path="/2/users/me")
    assert network.probe("harbour") is not None
    network.inbound("harbour", None)  # no mentions: nothing returned, nothing billed
    assert [u.purpose for u in meter.drain()] == ["lookup"]


def test_a_post_whose_answer_was_lost_is_metered_when_it_is_found(x: FakeX) -> None:
    network, meter = _adapter(x)
    x.fault("drop_after", path="/2/tweets")
    outcome = network.publish("harbour", Post("Ferry late https://e.org/1", "k1"), at=T0)
    assert outcome.uncertain and not [u for u in meter.drain() if u.kind is Billable.POST_WITH_URL]
    assert network.find_published("harbour", Post("Ferry late https://e.org/1", "k1")) is not None
    assert [u.kind for u in meter.drain() if u.purpose == "publish"] == [Billable.POST_WITH_URL]


def test_trends_are_billed_per_trend_returned(x: FakeX) -> None:
    x.trends = ["#Budget2026", "ferry strike", "#Regatta"]
    meter = Meter(Prices(PRICES))
    trends = XTrends(x.app_bearer, 1, base_url=x.url, meter=meter)
    assert trends.current(T0)
    [use] = meter.drain()
    assert use.kind is Billable.TREND_READ and use.account is None and len(use.ids) == 3


def test_a_resource_read_twice_in_one_utc_day_is_billed_once(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    sessions = session_factory(engine)
    prices = Prices(PRICES)
    morning = T0.replace(hour=1)

    def read(at: datetime, *ids: str) -> Use:
        return Use(
            at, "x", "harbour", Billable.POST_READ, "post", "inbound", "GET /2/users/{id}/mentions", ids
        )

    with sessions.begin() as session:
        assert record_uses(
            session, [read(morning, "1", "2"), read(morning, "2", "3")], prices
        ) == pytest.approx(0.015)
    with sessions.begin() as session:  # another worker, later the same day: 3 again is free, 4 is not
        assert record_uses(session, [read(T0.replace(hour=23), "3", "4")], prices) == pytest.approx(0.005)
    with sessions.begin() as session:  # the next UTC day bills them again
        assert record_uses(session, [read(T0 + timedelta(days=1), "1")], prices) == pytest.approx(0.005)
        write = Use(T0, "x", "harbour", Billable.POST_WITH_URL, "post", "publish", "POST /2/tweets")
        assert record_uses(session, [write, write], prices) == pytest.approx(0.4)  # writes: every request
    with sessions() as session:
        assert metered_posts(session, "x", utc_day(T0)) == 4
        assert sum(r.units for r in session.scalars(select(MeteredRow))) == 4 + 1 + 2


def test_every_price_is_a_setting_with_the_documented_default() -> None:
    from botwarden.networks.metering import PRICE_SETTINGS

    defaults = {kind: BY_NAME[name].default for kind, name in PRICE_SETTINGS.items()}
    assert defaults == PRICES  # https://docs.x.com/x-api/getting-started/pricing (2026)
    meter = Meter.from_settings(dict.fromkeys(PRICE_SETTINGS.values(), 1.5))
    assert meter.prices.of(Billable.DM_READ) == 1.5 and meter.prices.of(Billable.USAGE_READ) == 0


# -- usage caps wait for their own reset -------------------------------------------------------------


def test_next_monthly_reset_is_the_next_reset_day_clamped_to_the_month() -> None:
    assert next_monthly_reset(datetime(2026, 11, 24, 9, tzinfo=UTC), 17) == datetime(2026, 12, 17, tzinfo=UTC)
    assert next_monthly_reset(datetime(2026, 11, 10, 9, tzinfo=UTC), 17) == datetime(2026, 11, 17, tzinfo=UTC)
    assert next_monthly_reset(datetime(2027, 1, 31, 1, tzinfo=UTC), 31) == datetime(2027, 2, 28, tzinfo=UTC)
    assert next_monthly_reset(datetime(2026, 12, 20, tzinfo=UTC), None) == datetime(2027, 1, 1, tzinfo=UTC)


def test_a_daily_cap_waits_for_the_spent_24_hour_window_not_the_15_minute_one() -> None:
    now = T0
    headers = {
        "x-rate-limit-remaining": "100",
        "x-rate-limit-reset": str(int((now + timedelta(minutes=10)).timestamp())),
        "x-user-limit-24hour-remaining": "0",
        "x-user-limit-24hour-reset": str(int((now + timedelta(hours=7)).timestamp())),
    }
    assert cap_reset(
        429, {"title": "UsageCapExceeded", "period": "Daily"}, headers, now, 17
    ) == now + timedelta(hours=7)
    # A daily cap without headers: the next UTC midnight; a monthly one: the reset day.
    assert cap_reset(429, {"period": "Daily"}, {}, now, None) == datetime(2026, 11, 25, tzinfo=UTC)
    assert cap_reset(
        429, {"detail": "Usage cap exceeded: Monthly product cap"}, headers, now, 17
    ) == datetime(2026, 12, 17, tzinfo=UTC)
    assert cap_reset(402, {"title": "CreditsDepleted"}, {}, now, 17) == now + timedelta(hours=24)


@pytest.mark.parametrize(
    ("fault", "bearer", "expected"),
    [
        ("usage_capped", True, "reset day"),  # the reset day comes from X's usage report
        ("usage_capped", False, "first of next month"),
        ("daily_capped", True, "24-hour window"),
    ],
)
def test_a_capped_post_and_the_accounts_other_posts_wait_for_the_caps_reset(
    tmp_path: Path, x: FakeX, fault: str, bearer: bool, expected: str
) -> None:
    config = _config(tmp_path, [{"id": "xnews", "network": "x", "server": x.url}], items=2, x_api_url=x.url)
    env = {"BOTWARDEN_X_BEARER_TOKEN": x.app_bearer} if bearer else {}
    runtime = Runtime(config, env=env)
    from botwarden.networks.build import credential_store

    credential_store(config, runtime.sessions, env={}).update("xnews", x.add_oauth1_user("xnews"))
    x.fault(fault, path="/2/tweets")
    now = datetime.now(UTC)
    runtime.run_pass(now)
    with runtime.sessions() as session:
        entries = session.scalars(select(QueueRow).order_by(QueueRow.id)).all()
    waits = {e.not_before for e in entries if e.state == "ready"}
    assert len(x.requests_to("POST", "/2/tweets")) == 1  # the second post waits too (BW901), untried
    [wait] = waits
    if expected == "reset day":
        assert wait == next_monthly_reset(now, x.cap_reset_day) and wait.day == x.cap_reset_day
    elif expected == "first of next month":
        assert wait == next_monthly_reset(now, None) and wait.day == 1
    else:
        assert now + timedelta(hours=4) < wait < now + timedelta(hours=6)
    runtime.close()


# -- the daily reconciliation -------------------------------------------------------------------------


def _reconciling(tmp_path: Path, x: FakeX, hook: Webhook, **settings: Any) -> Runtime:
    config = _config(
        tmp_path,
        [{"id": "xnews", "network": "x", "server": x.url}],
        items=2,
        alert_webhook_url=f"{hook.url}/hook",
        x_api_url=x.url,  # the app's own calls (the usage report) go to the API's address
        **settings,
    )
    runtime = Runtime(config, env={"BOTWARDEN_X_BEARER_TOKEN": x.app_bearer})
    from botwarden.networks.build import credential_store

    credential_store(config, runtime.sessions, env={}).update("xnews", x.add_oauth1_user("xnews"))
    return runtime


def _reads_today(runtime: Runtime, x: FakeX) -> datetime:
    """A day of reads at the wall clock's time (X counts usage by the real UTC day): mentions, twice."""
    now = datetime.now(UTC)
    for n in range(3):
        x.mention("xnews", f"user{n}", f"@xnews question {n}")
    runtime.run_pass(now)
    runtime.inbound.run(now + timedelta(minutes=20))  # nothing new: the same posts are not read again
    with runtime.sessions.begin() as session:  # a second worker reads the same three posts the same day
        from botwarden.store.accounts import save_inbound_cursor

        save_inbound_cursor(session, "xnews", None)
    runtime.inbound.run(now + timedelta(minutes=40))
    from botwarden.networks.build import record_metered

    record_metered(runtime.meter, runtime.sessions)
    return now


def test_the_meter_agrees_with_xs_usage_report_and_says_so(tmp_path: Path, x: FakeX, hook: Webhook) -> None:
    runtime = _reconciling(tmp_path, x, hook)
    now = _reads_today(runtime, x)
    runtime.run_pass(now + timedelta(days=1))  # the next day's pass reconciles the day that ended
    with runtime.sessions() as session:
        [day] = session.scalars(select(UsageDayRow)).all()
        kinds = [e.kind for e in session.scalars(select(EventRow))]
    assert (day.day, day.reported, day.metered, day.drift) == (utc_day(now), 3, 3, False)
    assert "usage_drift" not in kinds and not [a for a in hook.alerts() if a["kind"] == "usage_drift"]
    validate(
        SPEC,
        schema_of(SPEC, "/2/usage/tweets", "GET", status="200"),
        x.requests_to("GET", "/2/usage/tweets")[0].reply.body,
    )
    runtime.close()


def test_drift_from_xs_usage_report_warns_and_a_client_app_id_narrows_it(
    tmp_path: Path, x: FakeX, hook: Webhook
) -> None:
    runtime = _reconciling(tmp_path, x, hook)
    now = _reads_today(runtime, x)
    x.other_apps_reads[utc_day(now)] = 40  # another app of the project read 40 posts that day
    runtime.run_pass(now + timedelta(days=1))
    [alert] = [a for a in hook.alerts() if a["kind"] == "usage_drift"]
    assert (
        "43" in alert["text"]
        and "botwarden metered 3" in alert["text"]
        and "x_client_app_id" in alert["text"]
    )
    asked = len(x.requests_to("GET", "/2/usage/tweets"))
    runtime.run_pass(now + timedelta(days=1, hours=12))  # reconciled once a day, not every pass
    assert len(x.requests_to("GET", "/2/usage/tweets")) == asked
    runtime.close()

    (tmp_path / "app").mkdir()
    narrowed = _reconciling(tmp_path / "app", x, hook, x_client_app_id=x.client_app_id)
    with narrowed.sessions.begin() as session:  # the same reads, metered in this store too
        record_uses(
            session,
            [
                Use(
                    now,
                    "x",
                    "xnews",
                    Billable.POST_READ,
                    "post",
                    "inbound",
                    "GET",
                    tuple(sorted(x.post_reads[utc_day(now)])),
                )
            ],
            narrowed.meter.prices,
        )
    narrowed.run_pass(now + timedelta(days=1))
    with narrowed.sessions() as session:
        [day] = session.scalars(select(UsageDayRow)).all()
    assert (day.reported, day.metered, day.drift) == (3, 3, False) and day.scope.startswith("client app")
    narrowed.close()


def test_spend_shows_writes_reads_the_month_and_the_reconciled_days(
    tmp_path: Path, x: FakeX, hook: Webhook
) -> None:
    runtime = _reconciling(tmp_path, x, hook, spend_cap_usd=5.0)
    now = _reads_today(runtime, x)  # also posts the feed's two items, with links
    runtime.run_pass(now + timedelta(days=1))
    runtime.close()
    path = tmp_path / "bw.toml"
    path.write_text(_toml(runtime.config), encoding="utf-8")
    result = CliRunner().invoke(app, ["spend", "-c", str(path), "--days", "3"], env={"COLUMNS": "220"})
    assert result.exit_code == 0, result.output
    out = result.output
    assert "0.400" in out  # two posts with a link
    assert "inbound" in out and "post_read" in out and "0.015" in out  # three mentions, once each
    assert "probe" not in out or "owned_read" in out
    assert "of the $5.00 cap" in out and "reads $0.01" in out
    assert (
        f"{utc_day(now)}: X's usage report (project) counts 3 post(s) read, botwarden metered 3: agrees"
        in out
    )
    assert f"resets on day {x.cap_reset_day}" in out


def test_the_fakes_new_answers_match_the_spec(x: FakeX) -> None:
    network, _ = _adapter(x)
    post = network.publish(
        "harbour", Post("Pier photo", "k1", media=(Media(tiny_png(), "image/png", "pier"),)), at=T0
    )
    assert post.kind is OutcomeKind.POSTED
    [metadata] = x.requests_to("POST", "/2/media/metadata")
    validate(SPEC, schema_of(SPEC, "/2/media/metadata", "POST"), metadata.request.json())
    validate(SPEC, schema_of(SPEC, "/2/media/metadata", "POST", status="200"), metadata.reply.body)
    mention = x.mention("harbour", "ana", "@harbour hi")
    x.delete(mention)
    network.deleted("harbour", [ContentRef(mention, "post"), ContentRef(str(post.remote_id), "post")])
    [lookup] = x.requests_to("GET", "/2/tweets")
    validate(SPEC, schema_of(SPEC, "/2/tweets", "GET", status="200"), lookup.reply.body)
    message = x.dm("harbour", "ben", "hello")
    network.deleted("harbour", [ContentRef(message, "message")])
    [event] = x.requests_to("GET", f"/2/dm_events/{message}")
    validate(SPEC, schema_of(SPEC, "/2/dm_events/{event_id}", "GET", status="200"), event.reply.body)
    network.usage(7)
    [usage] = x.requests_to("GET", "/2/usage/tweets")
    validate(SPEC, schema_of(SPEC, "/2/usage/tweets", "GET", status="200"), usage.reply.body)
    assert json.loads(json.dumps(usage.reply.body))["data"]["cap_reset_day"] == x.cap_reset_day


def test_the_usage_report_needs_the_apps_bearer_token(x: FakeX) -> None:
    creds = MemoryCredentials({"harbour": x.add_oauth1_user("harbour")})
    from botwarden.errors import NetworkUnavailable

    with pytest.raises(NetworkUnavailable, match="BOTWARDEN_X_BEARER_TOKEN"):
        XNetwork(creds, base_url=x.url).usage(1)
    assert not x.requests_to("GET", "/2/usage/tweets")
    with pytest.raises(NetworkUnavailable):
        XNetwork(creds, base_url=x.url, bearer_token="wrong").usage(1)


def test_a_watch_interval_that_cannot_keep_the_24_hour_promise_is_refused(tmp_path: Path) -> None:
    from botwarden.errors import ConfigError

    with pytest.raises(ConfigError, match="watch_interval_hours"):
        config_module.from_mapping({"settings": {"watch_interval_hours": 24}}, label="t.toml", env={})


def test_a_chore_is_taken_by_one_worker_when_it_is_due(database_url: str) -> None:
    from botwarden.store import chores

    engine = make_engine(database_url)
    migrate(engine)
    sessions = session_factory(engine)
    with sessions() as session:
        assert chores.due(session, ["usage:x", "watch:a"], T0) == ["usage:x", "watch:a"]  # never run: due
    with sessions.begin() as session:
        assert chores.take(session, "usage:x", T0, T0 + timedelta(hours=24)) == {}
        chores.finish(session, "usage:x", {"through": "2026-11-23"})
    with sessions.begin() as session:
        assert chores.take(session, "usage:x", T0 + timedelta(hours=23), T0 + timedelta(hours=47)) is None
    with sessions() as session:
        assert chores.due(session, ["usage:x", "watch:a"], T0 + timedelta(hours=23)) == ["watch:a"]
        assert chores.found(session, "usage:x") == {"through": "2026-11-23"}
    with sessions.begin() as session:
        taken = chores.take(session, "usage:x", T0 + timedelta(hours=24), T0 + timedelta(hours=48))
    assert taken == {"through": "2026-11-23"}
