"""Setup without hand-editing from the command line: `feeds add`, `feeds import FILE.opml`, `feeds export`.
The configuration file stays the source of truth: changes are validated as the file is, written back with
its comments and layout kept, atomically, and never over a change someone else made meanwhile; a running
worker takes the changed file up at its next pass."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwarden import config as config_module
from botwarden.cli.main import FileWatch, app
from botwarden.configfile import ConfigFile, feed_id_for
from botwarden.errors import BotwardenError, ConfigError, InputError
from botwarden.feeds.opml import OpmlFeed, read_opml, write_opml

runner = CliRunner()


def bw(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    if isinstance(result.exception, BotwardenError):
        return result.exception.exit_code, result.output + str(result.exception)
    return result.exit_code, result.output


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "bw.toml"
    assert bw("init", str(path))[0] == 0
    path.write_text(path.read_text().replace("sqlite:///botwarden.db", f"sqlite:///{tmp_path / 'bw.db'}"))
    return path


def _comments(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if line.lstrip().startswith("#")]


def test_feeds_add_writes_a_feed_and_its_route_and_keeps_every_comment(config: Path) -> None:
    comments = _comments(config)
    news = "https://www.harbourtown.example/news/rss.xml"
    options = ["--template", "{title} {link}", "--first-run", "none", "-c", str(config)]
    code, output = bw("feeds", "add", news, "--account", "city-news", *options)
    assert code == 0, output
    assert "feed 'harbourtown-news' and route harbourtown-news->city-news" in output
    assert _comments(config) == comments
    loaded = config_module.load(config, env={})
    route = loaded.routes["harbourtown-news->city-news"]
    assert route.template == "{title} {link}" and route.first_run == "none"
    assert loaded.feeds["harbourtown-news"].url == "https://www.harbourtown.example/news/rss.xml"
    # The same address again routes the existing feed rather than adding it twice.
    code, output = bw("feeds", "add", news, "--account", "city-news", "-c", str(config))
    assert code == 2 and "'harbourtown-news->city-news' is used twice" in output
    assert len(config_module.load(config, env={}).feeds) == 2


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--account", "nobody"], "no account with id 'nobody'"),
        (["--account", "city-news", "--template", "{title}"], "must contain {link}"),
        (["--account", "city-news", "--first-run", "everything"], "first_run"),
        (["--account", "city-news", "--id", "bad id!"], "feeds[1].id"),
    ],
)
def test_what_the_file_would_refuse_is_refused_and_nothing_written(
    config: Path, args: list[str], says: str
) -> None:
    before = config.read_text()
    code, output = bw("feeds", "add", "https://e.org/feed.xml", *args, "-c", str(config))
    assert code == 2 and says in output, output
    assert config.read_text() == before


def test_opml_import_adds_each_new_feed_once_and_routes_it(config: Path, tmp_path: Path) -> None:
    opml = tmp_path / "reader.opml"
    opml.write_text(
        """<?xml version="1.0" encoding="utf-8"?>
<opml version="1.0"><head><title>My reader</title></head><body>
  <outline text="Local">
    <outline text="Harbour Town News" type="rss" xmlUrl="https://harbourtown.example/news.rss"/>
    <outline title="Weather &amp; Tides" text="WT" type="rss" xmlUrl="https://weather.example/tides.xml"/>
  </outline>
  <outline text="City" type="rss" xmlUrl="https://example.org/news/rss.xml"/>
  <outline text="Again" type="rss" xmlurl="https://harbourtown.example/news.rss"/>
  <outline text="A folder without feeds"/>
</body></opml>""",
        encoding="utf-8",
    )
    comments = _comments(config)
    code, output = bw("feeds", "import", str(opml), "--account", "city-news", "-c", str(config))
    assert code == 0, output
    assert "3 feed(s); added 2, 1 already there; 2 new route(s)" in output
    loaded = config_module.load(config, env={})
    assert loaded.feeds["harbour-town-news"].url == "https://harbourtown.example/news.rss"
    assert loaded.feeds["weather-tides"].url == "https://weather.example/tides.xml"
    assert {"harbour-town-news->city-news", "weather-tides->city-news"} <= set(loaded.routes)
    assert _comments(config) == comments
    # Importing again changes nothing.
    before = config.read_text()
    code, output = bw("feeds", "import", str(opml), "--account", "city-news", "-c", str(config))
    assert code == 0 and "added 0, 3 already there; 0 new route(s)" in output
    assert config.read_text() == before


def test_opml_export_lists_every_feed_and_imports_back(config: Path, tmp_path: Path) -> None:
    assert (
        bw("feeds", "add", "https://a.example/feed.xml", "--account", "city-news", "-c", str(config))[0] == 0
    )
    out = tmp_path / "out.opml"
    code, output = bw("feeds", "export", "--out", str(out), "-c", str(config))
    assert code == 0 and "2 feed(s)" in output
    listed = read_opml(out.read_bytes(), str(out))
    assert [f.url for f in listed] == ["https://example.org/news/rss.xml", "https://a.example/feed.xml"]
    fresh = tmp_path / "fresh.toml"
    bw("init", str(fresh))
    code, output = bw("feeds", "import", str(out), "-c", str(fresh))
    assert code == 0 and "added 1, 1 already there" in output


@pytest.mark.parametrize(
    ("document", "says"),
    [
        (b"<html><body>a web page</body></html>", "not an OPML file"),
        (b"<opml><body><outline text='no feeds'/></body></opml>", "lists no feeds"),
        (b"not xml at all", "not an OPML file"),
        # An entity is never expanded (no billion laughs, no file read): the document is refused.
        (
            b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<opml><body><outline xmlUrl="https://e.org/&x;"/></body></opml>',
            "external entity",
        ),
    ],
)
def test_opml_that_is_not_a_feed_list_is_refused_clearly(document: bytes, says: str) -> None:
    with pytest.raises(InputError, match=says):
        read_opml(document, "x.opml")


def test_opml_round_trip_keeps_odd_characters() -> None:
    feeds = [OpmlFeed("https://e.org/rss?a=1&b=<2>", 'Tides & "times"')]
    assert read_opml(write_opml(feeds, "t", datetime(2026, 1, 1, tzinfo=UTC)), "t") == feeds


def test_a_change_made_meanwhile_is_never_overwritten(config: Path) -> None:
    document = ConfigFile.load(config)
    document.add_feed({"id": "late", "url": "https://late.example/rss"})
    config.write_text(config.read_text() + "\n# someone else's edit\n")
    with pytest.raises(ConfigError, match="changed by someone else meanwhile"):
        document.save()
    assert "late.example" not in config.read_text() and "someone else's edit" in config.read_text()


def test_feed_ids_come_from_the_address_or_title_and_stay_unique() -> None:
    assert feed_id_for("https://www.bbc.co.uk/news/rss.xml", set()) == "bbc-news"
    assert feed_id_for("https://e.org/feed", {"e"}) == "e-2"
    assert feed_id_for("https://e.org/x", set(), "Weather & Tides!") == "weather-tides"
    assert feed_id_for("/srv/feeds/local.xml", set()) == "srv-local"


def test_a_running_worker_takes_a_changed_file_up(config: Path, tmp_path: Path) -> None:
    """`botwarden run` rebuilds its runtime when the file changes; an invalid change is logged and the
    worker goes on as it was."""
    from botwarden.cli.main import _reloaded
    from botwarden.run.loop import Runtime

    feed = tmp_path / "feed.xml"
    feed.write_text("<rss version='2.0'><channel><title>t</title></channel></rss>")
    config.write_text(config.read_text().replace("https://example.org/news/rss.xml", str(feed)))
    runtime = Runtime(config_module.load(config, env={}))
    watch = FileWatch(config)
    assert not watch.changed()
    assert bw("feeds", "add", "https://b.example/rss", "--account", "city-news", "-c", str(config))[0] == 0
    # The pass ends the loop: the file changed since the watch last looked.
    runtime.run_forever(threading.Event(), until=watch.changed)
    assert "b->city-news" not in runtime.config.routes
    reloaded = _reloaded(runtime, config, None, None)
    assert reloaded is not runtime and "b->city-news" in reloaded.config.routes
    assert not watch.changed()
    config.write_text(config.read_text() + "\n[[routes]]\nfeed = 'nope'\naccount = 'city-news'\n")
    assert _reloaded(reloaded, config, None, None) is reloaded  # not valid: the worker goes on as it was
    reloaded.close()
