"""Filters and "why was this never posted?": regular expressions and negation per field, a maximum item
age, the operator's own tracking parameters, and a record of every item a route skipped with its reason
(`botwarden skipped`, with --format json)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from botwarden.cli.main import app
from botwarden.compose.filters import Filters, PatternError, parse_pattern
from botwarden.compose.links import canonical_link
from botwarden.config import Config
from botwarden.errors import ConfigError
from botwarden.run.loop import Runtime
from botwarden.store import reads
from botwarden.store.models import LocalPostRow
from botwarden.store.skipped import skipped_views

from .conftest import rss

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def item(n: int, hours_ago: float, title: str, category: str = "", link: str = "") -> dict[str, str]:
    found = {
        "guid": f"g{n}",
        "title": title,
        "link": link or f"https://e.org/{n}",
        "pubDate": format_datetime(T0 - timedelta(hours=hours_ago)),
    }
    return found | ({"category": category} if category else {})


@pytest.mark.parametrize(
    ("include", "exclude", "fields", "why"),
    [
        ({}, {"title": ["sport"]}, {"title": "SPORT: results"}, "title matches excluded 'sport'"),
        ({}, {"title": ["/^ad(vert)?:/"]}, {"title": "Advert: buy"}, "title matches excluded /^ad(vert)?:/"),
        ({}, {"title": ["/^ad:/"]}, {"title": "Head: ad: no"}, ""),  # anchored: only at the start
        ({"title": [r"/\bstorms?\b/"]}, {}, {"title": "Brainstorming day"}, "title matches none of"),
        ({"title": [r"/\bstorms?\b/"]}, {}, {"title": "Storms ahead"}, ""),
        ({}, {"link": ["!harbour.example"]}, {"link": "https://other.example/x"}, "link does not match"),
        ({}, {"link": ["!harbour.example"]}, {"link": "https://harbour.example/x"}, ""),
        # A category is one value: /^sport$/ is the category Sport, not Sports.
        ({}, {"categories": ["/^sport$/"]}, {"categories": ["Sports", "Local"]}, ""),
        ({}, {"categories": ["/^sport$/"]}, {"categories": ["Local", "Sport"]}, "categories matches"),
        ({"categories": ["!Opinion"]}, {}, {"categories": []}, ""),
        ({"categories": ["!Opinion"]}, {}, {"categories": ["opinion"]}, "categories matches none of"),
        ({"author": ["desk", "/^ap\\b/"]}, {}, {"author": "AP staff"}, ""),
    ],
)
def test_patterns(include: dict[str, Any], exclude: dict[str, Any], fields: dict[str, Any], why: str) -> None:
    found = Filters.parse(include, exclude).why_not(fields)
    assert found.startswith(why) if why else found == "", found


@pytest.mark.parametrize(
    ("pattern", "says"), [("/(unclosed/", "not a valid regular expression"), ("!", "matches nothing")]
)
def test_a_pattern_that_cannot_work_is_refused_when_the_file_is_read(
    pattern: str, says: str, make_config: Callable[..., Config]
) -> None:
    with pytest.raises(PatternError, match=says):
        parse_pattern(pattern)
    with pytest.raises(ConfigError, match=r"routes\[0\]\.filters\.exclude") as caught:
        route = {"feed": "feed", "account": "acct", "filters": {"exclude": {"title": [pattern]}}}
        make_config("http://127.0.0.1:1", routes=[route])
    assert says in str(caught.value)


def test_a_runaway_expression_on_feed_text_skips_the_item_instead_of_stalling() -> None:
    evil = Filters.parse({}, {"title": [r"/^(\w+\s?)*$/"]})
    took = datetime.now(UTC)
    why = evil.why_not({"title": "a" * 5000 + "!"})
    assert (datetime.now(UTC) - took).total_seconds() < 2
    assert why == "" or "ran over" in why


def _posted(runtime: Runtime) -> list[str]:
    with runtime.sessions() as session:
        return list(session.scalars(select(LocalPostRow.text).order_by(LocalPostRow.id)))


def test_skipped_items_are_recorded_with_why(site, make_config: Callable[..., Config], tmp_path) -> None:
    docs, server = site
    docs.put(
        "/feed.rss",
        rss(
            item(1, 1, "Storm warning for the coast", "Local"),
            item(2, 2, "Sponsored: win a cruise", "Local"),
            item(3, 3, "Storm over the budget", "Opinion"),
            item(4, 80, "Storm of 2026 remembered", "Local"),  # older than 48 hours
            item(5, 4, "Storm clean-up begins", "Local"),
        ),
    )
    route = {
        "feed": "feed",
        "account": "acct",
        "template": "{title} {link}",
        "first_run": "newest",
        "filters": {
            "include": {"title": [r"/\bstorm\b/"], "categories": ["!Opinion"]},
            "exclude": {"title": ["sponsored"]},
            "max_age_hours": 48,
        },
    }
    runtime = Runtime(make_config(server.base_url, routes=[route]))
    runtime.run_pass(T0)
    assert _posted(runtime) == ["Storm warning for the coast https://e.org/1"]
    with runtime.sessions() as session:
        rows, total = skipped_views(session)
    why = {row.title: (row.kind, row.reason) for row in rows}
    assert total == 4
    assert why["Sponsored: win a cruise"] == ("filter", "title matches excluded 'sponsored'")
    assert why["Storm over the budget"][0] == "filter" and "categories" in why["Storm over the budget"][1]
    assert why["Storm of 2026 remembered"][0] == "too_old"
    assert "more than 48 hours before" in why["Storm of 2026 remembered"][1]
    assert why["Storm clean-up begins"] == (
        "first_run",
        "first run: only the newest item of the backlog is posted (first_run = newest)",
    )
    # A new item a filter stops is recorded as it comes.
    docs.put(
        "/feed.rss", rss(item(6, -0.5, "Sponsored storm tour", "Local"), item(1, 1, "Storm warning", "Local"))
    )
    runtime.run_pass(T0 + timedelta(hours=1))
    runtime.close()
    config = tmp_path / "cli.toml"
    config.write_text(f'[settings]\ndatabase_url = "sqlite:///{tmp_path / "bw.db"}"\n')
    result = CliRunner().invoke(app, ["skipped", "-c", str(config), "--format", "json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert len(listed) == 5 and listed[0]["title"] == "Sponsored storm tour"  # newest first
    assert {"route", "account", "feed", "item", "title", "link", "published", "kind", "reason"} <= set(
        listed[0]
    )
    result = CliRunner().invoke(
        app, ["skipped", "-c", str(config), "--kind", "too_old"], env={"COLUMNS": "200"}
    )
    assert "Storm of 2026 remembered" in result.output and "Sponsored" not in result.output
    result = CliRunner().invoke(app, ["skipped", "-c", str(config), "--kind", "bogus"])
    assert result.exit_code != 0


def test_the_max_item_age_setting_applies_where_a_route_sets_none(
    site, make_config: Callable[..., Config]
) -> None:
    docs, server = site
    docs.put("/feed.rss", rss(item(1, 30, "Day-old harbour news")))
    runtime = Runtime(make_config(server.base_url, max_item_age_hours=24))
    runtime.run_pass(T0)
    assert _posted(runtime) == []
    with runtime.sessions() as session:
        assert reads.entry_reports(session) == []
        [row], _ = skipped_views(session)
    assert row.kind == "too_old" and "more than 24 hours before" in row.reason
    runtime.close()


def test_the_operators_tracking_parameters_leave_posted_links(
    site, make_config: Callable[..., Config]
) -> None:
    docs, server = site
    link = "https://news.example/story?id=7&traffic_source=rss&maca=x-1&ref_campaign=a&utm_source=feed"
    docs.put("/feed.rss", rss(item(1, 1, "Quay works finish early", link=link.replace("&", "&amp;"))))
    runtime = Runtime(make_config(server.base_url, tracking_parameters=["traffic_source", "maca", "ref_*"]))
    runtime.run_pass(T0)
    assert _posted(runtime) == ["Quay works finish early https://news.example/story?id=7"]
    # Fetched again, the item is the same item: the operator's list changes posts, not identities.
    runtime.run_pass(T0 + timedelta(hours=1))
    assert len(_posted(runtime)) == 1
    runtime.close()
    assert (
        canonical_link(link) == "https://news.example/story?id=7&traffic_source=rss&maca=x-1&ref_campaign=a"
    )
