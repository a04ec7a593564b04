"""Trends providers (a file, X's trends endpoint on a loopback stand-in) and the composer leaving out a
hashtag it would have added when that hashtag trends."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from botwarden.compose import HashtagPolicy, ItemFields, compose
from botwarden.errors import ConfigError
from botwarden.trends import CombinedTrends, FileTrends, XTrends, parse_trends

NOW = datetime(2026, 3, 21, 9, 0, tzinfo=UTC)


def by_network(trends: list) -> dict[str, frozenset[str]]:
    return {t.network: t.terms for t in trends}


def test_json_trends_file_names_terms_per_network(tmp_path: Path) -> None:
    path = tmp_path / "trends.json"
    path.write_text(json.dumps({"x": ["#Budget2026", "Ferry Strike"], "mastodon": ["#Harbour"]}))
    got = by_network(FileTrends(path).current(NOW))
    assert got == {"x": frozenset({"#budget2026", "ferry strike"}), "mastodon": frozenset({"#harbour"})}


def test_text_trends_file_applies_to_every_network_unless_one_is_named(tmp_path: Path) -> None:
    path = tmp_path / "trends.txt"
    path.write_text("# what trends today\n#Harbour\nx: ferry strike\n\n")
    got = by_network(FileTrends(path).current(NOW))
    assert got["x"] == {"#harbour", "ferry strike"}
    assert got["mastodon"] == got["bluesky"] == {"#harbour"}


def test_the_file_is_read_again_when_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "trends.txt"
    path.write_text("#One\n")
    provider = FileTrends(path)
    assert by_network(provider.current(NOW))["x"] == {"#one"}
    path.write_text("#Two\n#Three\n")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert by_network(provider.current(NOW))["x"] == {"#two", "#three"}


def test_a_bad_trends_file_says_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"not valid JSON"):
        parse_trends("{", "t.json")
    with pytest.raises(ConfigError, match=r'expected \{"network"'):
        parse_trends('{"x": "not a list"}', "t.json")
    with pytest.raises(ConfigError, match=r"cannot read it"):
        FileTrends(tmp_path / "absent.txt").current(NOW)


class _FakeXTrends(BaseHTTPRequestHandler):
    """X's GET /2/trends/by/woeid/{woeid}, answering the documented shape (data: [{trend_name, ...}])."""

    calls: ClassVar[list[str]] = []
    status: ClassVar[int] = 200

    def do_GET(self) -> None:
        type(self).calls.append(self.path)
        if self.headers.get("Authorization") != "Bearer app-token":
            self._json(401, {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "no"})
            return
        if type(self).status != 200:
            self._json(type(self).status, {"title": "Too Many Requests", "type": "about:blank"})
            return
        self._json(
            200, {"data": [{"trend_name": "#FerryStrike", "tweet_count": 1200}, {"trend_name": "Budget"}]}
        )

    def _json(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def fake_x() -> Iterator[str]:
    _FakeXTrends.calls, _FakeXTrends.status = [], 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeXTrends)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_x_trends_are_read_with_the_bearer_token_and_cached(fake_x: str) -> None:
    provider = XTrends("app-token", 1, base_url=fake_x, refresh=timedelta(minutes=15))
    assert by_network(provider.current(NOW)) == {"x": frozenset({"#ferrystrike", "budget"})}
    provider.current(NOW + timedelta(minutes=5))
    assert len(_FakeXTrends.calls) == 1  # within the refresh interval: not asked again
    assert _FakeXTrends.calls[0].startswith("/2/trends/by/woeid/1?")
    assert "trend.fields=trend_name" in _FakeXTrends.calls[0]


def test_x_trends_keep_the_last_answer_when_a_later_one_fails(fake_x: str) -> None:
    provider = XTrends("app-token", 1, base_url=fake_x, refresh=timedelta(minutes=15))
    provider.current(NOW)
    _FakeXTrends.status = 429
    assert by_network(provider.current(NOW + timedelta(minutes=20))) == {
        "x": frozenset({"#ferrystrike", "budget"})
    }
    assert len(_FakeXTrends.calls) == 2


def test_x_trends_with_a_bad_token_give_nothing_rather_than_fail(fake_x: str) -> None:
    assert XTrends("wrong", 1, base_url=fake_x).current(NOW) == []


def test_combined_trends_merge_per_network(tmp_path: Path, fake_x: str) -> None:
    path = tmp_path / "t.txt"
    path.write_text("x: #Local\nmastodon: #Harbour\n")
    merged = by_network(
        CombinedTrends([FileTrends(path), XTrends("app-token", 1, base_url=fake_x)]).current(NOW)
    )
    assert merged["x"] == {"#local", "#ferrystrike", "budget"}
    assert merged["mastodon"] == {"#harbour"}


# -- the composer -------------------------------------------------------------------------------------

ITEM = ItemFields(
    title="Ferry services cut for strike day",
    link="https://harbourtown.example/news/ferry",
    categories=("Ferry Strike", "Transport", "Harbour"),
)


def test_a_trending_hashtag_the_composer_would_add_is_left_out_and_the_next_one_used() -> None:
    draft = compose(
        ITEM,
        "{title} {link} {hashtags}",
        "x",
        hashtags=HashtagPolicy(limit=2),
        trending=frozenset({"#ferrystrike"}),
    )
    assert draft.hashtags == ("#Transport", "#Harbour")
    assert draft.dropped_hashtags == ("FerryStrike",)
    assert "#FerryStrike" not in draft.text and draft.text.endswith("#Transport #Harbour")
    assert any("trending" in note for note in draft.notes)


def test_nothing_is_dropped_when_nothing_trends_or_the_tag_was_not_going_to_be_used() -> None:
    assert compose(ITEM, "{title} {link} {hashtags}", "x").dropped_hashtags == ()
    beyond_limit = compose(
        ITEM,
        "{title} {link} {hashtags}",
        "x",
        hashtags=HashtagPolicy(limit=1),
        trending=frozenset({"harbour"}),
    )
    assert beyond_limit.hashtags == ("#FerryStrike",) and beyond_limit.dropped_hashtags == ()
