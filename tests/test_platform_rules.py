"""The platforms as they are in late 2026, through the real parts: the worker and the fake networks for
paid partnerships and young accounts, the setup check reading profiles, the composer and BW804, X's
cashtag extraction against twitter-text's conformance suite, and replay input errors."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from botwarden.compose import ItemFields, compose
from botwarden.language.cashtags import cashtags_in
from botwarden.language.invisible import hidden_characters
from botwarden.links.affiliate import affiliate_reason
from botwarden.networks import MemoryCredentials
from botwarden.networks.bluesky import BlueskyNetwork
from botwarden.networks.mastodon import MastodonNetwork
from botwarden.networks.x import XNetwork
from botwarden.setup_check import check_accounts
from botwarden.store.models import QueueRow
from tests.conftest import SHARED
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.x import FakeX
from tests.test_publishing import T0, _config, _runtime

RTL_OVERRIDE, ZERO_WIDTH_SPACE, TAG_A = "\u202e", "\u200b", "\U000e0041"


@pytest.fixture
def x() -> Any:
    server = FakeX()
    server.start()
    yield server
    server.stop()


def test_a_paid_partnership_route_sends_x_its_label(tmp_path: Path, x: FakeX) -> None:
    config = _config(
        tmp_path,
        [
            {"id": "deals", "network": "x", "server": x.url, "route": {"post": {"paid_partnership": True}}},
            {"id": "news", "network": "x", "server": x.url},
        ],
    )
    runtime = _runtime(config, {"deals": x.add_oauth1_user("deals"), "news": x.add_oauth1_user("news")})
    assert runtime.run_pass(T0).publish.posted == 2
    assert [t["paid_partnership"] for t in x.user("deals").tweets] == [True]
    assert [t["paid_partnership"] for t in x.user("news").tweets] == [False]
    runtime.close()


def test_a_young_account_declared_in_the_configuration_has_its_links_paced(tmp_path: Path, x: FakeX) -> None:
    young = (T0 - timedelta(days=2)).isoformat()
    config = _config(
        tmp_path,
        [{"id": "fresh", "network": "x", "server": x.url, "created_at": young}],
        items=3,
        young_link_burst_max=2,
    )
    runtime = _runtime(config, {"fresh": x.add_oauth1_user("fresh")})
    report = runtime.run_pass(T0)
    assert (report.publish.posted, report.publish.delayed) == (2, 1)
    with runtime.sessions() as session:
        [waiting] = session.scalars(select(QueueRow).where(QueueRow.state == "ready")).all()
        assert waiting.not_before == T0 + timedelta(minutes=30)
    runtime.close()


def test_the_setup_check_reads_age_followers_and_the_picture(tmp_path: Path, x: FakeX) -> None:
    mastodon, bluesky = FakeMastodon(processing_polls=0), FakeBluesky()
    mastodon.start()
    bluesky.start()
    try:
        raw = {
            "settings": {"database_url": f"sqlite:///{tmp_path / 'bw.db'}"},
            "accounts": [
                {"id": "xfresh", "network": "x", "server": x.url},
                {"id": "mnew", "network": "mastodon", "server": mastodon.url},
                {"id": "bold", "network": "bluesky", "server": bluesky.url},
            ],
        }
        from botwarden import config as config_module

        config = config_module.from_mapping(raw, env={})
        creds = MemoryCredentials(
            {
                "xfresh": x.add_oauth1_user("xfresh", description="Tides, run by @acme"),
                "mnew": mastodon.add_user(
                    "mnew",
                    note="Tides, run by @acme",
                    bot=True,
                    created_at="2026-11-20T00:00:00.000Z",
                    followers=12,
                ),
                "bold": bluesky.add_user(
                    "bold.example.com", description="Tides, run by @acme", bot_label=True, followers=4000
                ),
            }
        )
        x.user("xfresh").created_at = (T0 - timedelta(days=1)).isoformat().replace("+00:00", "Z")
        x.user("xfresh").avatar = False
        bluesky.user("bold.example.com").avatar = True
        networks = {
            "x": XNetwork(creds, base_url=x.url),
            "mastodon": MastodonNetwork(creds, servers={"mnew": mastodon.url}),
            "bluesky": BlueskyNetwork(creds, servers={"bold": bluesky.url}),
        }
        reports = {r.account: r for r in check_accounts(config, networks, T0)}
    finally:
        mastodon.stop()
        bluesky.stop()

    fresh = reports["xfresh"]
    assert fresh.profile is not None and fresh.profile.followers == 0 and fresh.profile.has_avatar is False
    assert any("no posts and no followers" in note for note in fresh.notes)
    codes = {f.code: f for f in fresh.findings}
    assert codes["BW909"].evidence["missing"] == ["picture"]  # the bio is there
    assert "BW951" in codes and codes["BW951"].evidence["declared"] is False

    mnew = reports["mnew"]
    assert mnew.profile is not None and mnew.profile.created_at == datetime(2026, 11, 20, tzinfo=UTC)
    assert mnew.profile.has_avatar is False and mnew.profile.posts == 0
    assert any("created 4 day(s) ago" in note for note in mnew.notes)

    bold = reports["bold"]
    assert bold.profile is not None and (bold.profile.followers, bold.profile.has_avatar) == (4000, True)
    assert bold.profile.created_at == datetime(2025, 6, 1, 10, tzinfo=UTC)
    assert not bold.notes and not [f for f in bold.findings if f.code == "BW909"]


def test_a_declared_automated_label_satisfies_bw951_and_two_apps_for_one_feed_are_bw957(
    tmp_path: Path, x: FakeX
) -> None:
    from botwarden import config as config_module

    raw = {
        "settings": {"database_url": f"sqlite:///{tmp_path / 'bw.db'}"},
        "accounts": [
            {"id": "one", "network": "x", "server": x.url, "app": "app-one",
             "automated_label_declared_by": "ops@acme", "automated_label_declared_on": "2026-11-01"},
            {"id": "two", "network": "x", "server": x.url, "app": "app-two"},
        ],
        "feeds": [{"id": "tides", "url": "https://tides.example/rss", "republish_declared_by": "ops"}],
        "routes": [{"feed": "tides", "account": "one"}, {"feed": "tides", "account": "two"}],
    }  # fmt: skip
    config = config_module.from_mapping(raw, env={})
    creds = MemoryCredentials(
        {
            "one": x.add_oauth1_user("one", description="Tides, run by @acme", followers=50),
            "two": x.add_oauth1_user("two", description="Tides, run by @acme", followers=50),
        }
    )
    reports = {r.account: r for r in check_accounts(config, {"x": XNetwork(creds, base_url=x.url)}, T0)}
    one = {f.code: f for f in reports["one"].findings}
    two = {f.code: f for f in reports["two"].findings}
    assert "BW951" not in one and "BW951" in two
    assert one["BW957"].evidence["apps"] == {"app-one": ["one"], "app-two": ["two"]}
    assert "https://tides.example/rss" in one["BW957"].evidence["use_case"]


def test_the_composer_removes_what_bw804_flags() -> None:
    title = f"Pay at moc.{RTL_OVERRIDE}elpmaxe{TAG_A} today: fr{ZERO_WIDTH_SPACE}ee"
    family = "Family day \U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert len(hidden_characters(title)) == 3 and hidden_characters(family) == []
    draft = compose(
        ItemFields(title=title, summary=family, link="https://harbour.example/pay"),
        "{title} {summary} {link}",
        "mastodon",
    )
    assert hidden_characters(draft.text) == []
    assert "free" in draft.text and "\u200d" in draft.text  # the joiner of the emoji stays


def test_affiliate_links_are_told_from_plain_ones() -> None:
    assert affiliate_reason("https://www.amazon.co.uk/dp/B01?tag=harbour-21")
    assert affiliate_reason("https://go.skimresources.com/?id=1&url=https%3A%2F%2Fshop.example")
    assert affiliate_reason("https://shop.example/item?aff_id=77")
    assert not affiliate_reason("https://news.example/story?tag=weather")  # `tag` means something else
    assert not affiliate_reason("https://www.amazon.co.uk/dp/B01")


def test_cashtags_match_twitter_texts_conformance_suite() -> None:
    suite = SHARED / "conformance" / "twitter-text" / "extract.yml"
    if not suite.exists():
        pytest.skip("../shared/conformance is not beside the checkout")
    tests = yaml.safe_load(suite.read_text(encoding="utf-8"))["tests"]
    for case in tests["cashtags"]:
        assert cashtags_in(case["text"]) == case["expected"], case["description"]
    for case in tests["cashtags_with_indices"]:
        assert cashtags_in(case["text"]) == [c["cashtag"] for c in case["expected"]], case["description"]


@pytest.mark.parametrize(
    ("line", "complaint"),
    [
        ({"type": "account", "id": "a", "network": "x", "access": "platinum"}, "field 'access'"),
        ({"type": "account", "id": "a", "network": "x", "created_at": "2026-03-01T00:00:00"}, "needs a zone"),
        ({"type": "account", "id": "a", "network": "x", "followers": -3}, "field 'followers'"),
        ({"type": "config", "limits": {"x": {"posts_per_minute": 3}}}, "limits.x.posts_per_minute"),
    ],
)
def test_bad_new_fields_in_a_replay_are_named(tmp_path: Path, line: dict[str, Any], complaint: str) -> None:
    scenario = tmp_path / "bad.jsonl"
    scenario.write_text(json.dumps(line) + "\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "botwarden", "check", "--replay", str(scenario), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2 and "bad.jsonl:1" in done.stderr and complaint in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
