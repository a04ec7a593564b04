"""`botwarden diagnose` on exports the tests write in each network's real format, with a planted pattern
before a lock that the report must rank first."""

from __future__ import annotations

import json
import random
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console

from botwarden.diagnose import diagnose, load_export, parse_lock, read_export, to_html
from botwarden.diagnose.analyze import rhythm_of
from botwarden.diagnose.model import HistoryPost, Lock
from botwarden.errors import InputError

from .exports import Written, bluesky_car, car_file, csv_export, jsonl_export, mastodon_export, x_archive
from .test_cli import runner

START = datetime(2026, 3, 1, tzinfo=UTC)
LOCK = START + timedelta(days=20, hours=6)
PLANTED = "Harbour bridge closes for emergency repairs after ship strike"
WORDS = [
    "council",
    "market",
    "ferry",
    "tide",
    "lifeboat",
    "school",
    "library",
    "festival",
    "bus",
    "rail",
    "roadworks",
    "weather",
    "museum",
    "theatre",
    "concert",
    "harbour",
    "quay",
    "beach",
    "pier",
    "garden",
    "bakery",
    "cinema",
    "swimming",
    "election",
    "budget",
    "housing",
    "clinic",
    "football",
    "rowing",
    "regatta",
    "gallery",
    "bridge",
    "parking",
    "recycling",
    "lighthouse",
    "tram",
    "airport",
]


# The other X account's beat: alerts, in words of their own.
ALERT_WORDS = [
    "flood", "gale", "snow", "heatwave", "outage", "closure", "diversion", "evacuation", "landslide",
    "wildfire", "drought", "frost", "fog", "surge", "thunderstorm", "hail", "blackout", "leak",
]  # fmt: skip


def headlines(
    seed: int, count: int, start: datetime, gap_hours: float = 3.0, vocabulary: list[str] = WORDS
) -> list[Written]:
    """Distinct headlines at irregular times (a person's or a real news feed's rhythm)."""
    rng = random.Random(seed)
    posts, at = [], start
    for n in range(count):
        at += timedelta(hours=gap_hours, minutes=rng.randint(-70, 70), seconds=rng.randint(0, 59))
        words = rng.sample(vocabulary, 6)
        text = f"{words[0].title()} {words[1]} {words[2]} update: {words[3]} {words[4]} and {words[5]} no {n}"
        posts.append(Written(at, text, f"https://harbour{seed}.example/story/{n}"))
    return posts


@pytest.fixture
def fleet(tmp_path: Path) -> list[Path]:
    """Four accounts of one operator: two on X, one on Mastodon, one on Bluesky. In the hours before the
    first X account is locked, the same headline on all four: on the two X accounts an hour apart (the
    duplication the multiple-accounts rule forbids), and cross-posted to the other networks."""
    planted_at = LOCK - timedelta(hours=6)
    x_posts = [p for p in headlines(1, 170, START) if p.at < LOCK]
    x_posts.append(Written(planted_at, PLANTED, "https://harbour.example/bridge"))
    x_sister = [p for p in headlines(4, 170, START, vocabulary=ALERT_WORDS) if p.at < LOCK]
    x_sister.append(Written(planted_at + timedelta(hours=1), PLANTED, "https://harbour.example/bridge"))
    masto = [
        *headlines(2, 170, START),
        Written(planted_at + timedelta(hours=2), PLANTED, "https://harbour.example/bridge"),
    ]
    sky = [
        *headlines(3, 170, START),
        Written(planted_at + timedelta(hours=4), PLANTED, "https://harbour.example/bridge"),
    ]
    return [
        x_archive(tmp_path / "twitter-2026-03-22.zip", "harbour_news", sorted(x_posts, key=lambda p: p.at)),
        x_archive(tmp_path / "alerts-2026-03-22.zip", "harbour_alerts", sorted(x_sister, key=lambda p: p.at)),
        mastodon_export(tmp_path / "archive-20260322.tar.gz", "harbour", masto),
        bluesky_car(tmp_path / "repo.car", "did:plc:harboursky", sky),
    ]


def test_each_export_format_is_read_with_its_account_times_and_links(
    tmp_path: Path, fleet: list[Path]
) -> None:
    x, _, masto, sky = (read_export(path) for path in fleet)
    assert {p.account for p in x} == {"harbour_news"} and {p.network for p in x} == {"x"}
    assert {p.account for p in masto} == {"harbour"} and {p.account for p in sky} == {"did:plc:harboursky"}
    assert len(masto) == 171  # the boost is not the account's post
    planted = next(p for p in x if p.text.startswith(PLANTED))
    # The t.co link is replaced by where it goes, so link patterns show.
    assert (
        planted.links == ("https://harbour.example/bridge",)
        and "https://harbour.example/bridge" in planted.text
    )
    assert planted.at == LOCK - timedelta(hours=6)
    sky_planted = next(p for p in sky if p.text.startswith(PLANTED))
    assert sky_planted.links == ("https://harbour.example/bridge",) and sky_planted.network == "bluesky"
    masto_planted = next(p for p in masto if p.text.startswith(PLANTED))
    assert masto_planted.links == ("https://harbour.example/bridge",) and "<" not in masto_planted.text

    posts = [
        Written(START, "Ferry times, updated", "https://e.org/1"),
        Written(START + timedelta(hours=1), "Tides"),
    ]
    for path in (
        csv_export(tmp_path / "h.csv", "desk", posts),
        jsonl_export(tmp_path / "h.jsonl", "desk", posts),
    ):
        read = read_export(path)
        assert [(p.account, p.at, p.text, p.links) for p in read] == [
            ("desk", START, "Ferry times, updated", ("https://e.org/1",)),
            ("desk", START + timedelta(hours=1), "Tides", ()),
        ]


def test_older_archive_wrappers_and_unpacked_folders_are_read(tmp_path: Path) -> None:
    path = x_archive(tmp_path / "old.zip", "oldbot", headlines(4, 5, START), wrapper="tweet")
    assert len(read_export(path)) == 5
    folder = tmp_path / "unpacked"
    import zipfile

    zipfile.ZipFile(path).extractall(folder)
    assert {p.account for p in read_export(folder)} == {"oldbot"}
    assert len(read_export(folder / "data" / "tweet.js", account="named")) == 5


def test_the_planted_cross_account_headline_ranks_first_before_the_lock(fleet: list[Path]) -> None:
    posts = [p for path in fleet for p in read_export(path)]
    result = diagnose(posts, [Lock(LOCK, "harbour_news")], sources=[str(p) for p in fleet])
    (report,) = result.locks
    top = report.causes[0]
    assert top.code == "BW103", [(c.code, c.score) for c in report.causes]
    assert top.baseline_per_day == 0 and top.in_window >= 1
    # The copy on the other X account is the duplication; the copies on Mastodon and Bluesky are
    # cross-posting, which no rule counts.
    planted = [p for p in top.examples if p.text.startswith(PLANTED)]
    assert [p.account for p in planted] == ["harbour_alerts"]
    # The X copies form one cluster; the cross-posts are in none.
    cluster = next(c for c in result.analysis.clusters if c[0][0].text.startswith(PLANTED))
    assert [post.account for post, _, _ in cluster] == ["harbour_news", "harbour_alerts"]
    assert not [f for f in result.analysis.flags if f.post.network != "x" and f.code in ("BW101", "BW103")]


def test_a_pattern_as_common_before_the_lock_ranks_below_a_new_one() -> None:
    """The same hashtag pair on every post (BW105, the whole history) against a burst of near-copies
    in the last day (BW102): the new pattern explains the lock, the old one does not."""
    posts = []
    for n, written in enumerate(headlines(5, 120, START)):
        posts.append(
            HistoryPost(str(n), "bot", "x", written.at, f"{written.text} #Harbour #News", (written.link,))
        )
    last = posts[-1].at
    burst = (
        "Storm warning for the harbour tonight, gusts of 60 mph expected",
        "Storm warning tonight for the harbour: gusts of 60 mph expected",
        "Harbour storm warning for tonight as gusts of 60 mph are expected",
        "Gusts of 60 mph expected tonight under a storm warning for the harbour",
    )
    for n, story in enumerate(burst):
        text = f"{story} #Harbour #News"
        posts.append(HistoryPost(f"s{n}", "bot", "x", last + timedelta(hours=3 * n + 1), text))
    result = diagnose(posts, [Lock(last + timedelta(hours=13), "bot")])
    codes = [c.code for c in result.locks[0].causes]
    assert codes[0] == "BW102" and "BW105" in codes
    bw105 = next(c for c in result.locks[0].causes if c.code == "BW105")
    assert bw105.baseline_per_day > 0 and bw105.score < result.locks[0].causes[0].score


def test_machine_regular_rhythm_is_measured() -> None:
    regular = [
        HistoryPost(str(n), "a", "x", START + timedelta(minutes=15 * n, seconds=n % 3), f"t{n}")
        for n in range(40)
    ]
    rhythm = rhythm_of("a", regular)
    assert rhythm.machine_regular and rhythm.typical_gap == timedelta(minutes=15) and rhythm.share > 0.9
    irregular = [Written(p.at, p.text) for p in headlines(6, 40, START)]
    loose = rhythm_of("b", [HistoryPost(str(n), "b", "x", w.at, w.text) for n, w in enumerate(irregular)])
    assert not loose.machine_regular


def test_bad_exports_say_which_file_and_where(tmp_path: Path) -> None:
    broken = tmp_path / "tweets.js"
    broken.write_text('window.YTD.tweets.part0 = [ {"tweet": {"full_text": "x"} ]')
    with pytest.raises(InputError, match=r"tweets\.js: line 1, column \d+: not valid JSON"):
        read_export(broken)
    # A record that cannot be read is skipped with a note saying where and why; the rest is read.
    no_time = tmp_path / "tweets2.js"
    no_time.write_text(
        'window.YTD.tweets.part0 = [ {"tweet": {"full_text": "x", "id_str": "1"}},'
        ' {"tweet": {"full_text": "y", "id_str": "2", "created_at": "Sun Mar 01 10:00:00 +0000 2026"}} ]'
    )
    export = load_export(no_time)
    assert [p.id for p in export.posts] == ["2"] and export.skipped == 1
    assert re.search(r"tweets2\.js: entry 0: missing or unreadable created_at .*; skipped", export.notes[0])
    bad_csv = tmp_path / "h.csv"
    bad_csv.write_text("time,text\n2026-03-01T00:00:00Z,fine\nyesterday,bad\n")
    export = load_export(bad_csv)
    assert len(export.posts) == 1 and export.skipped == 1
    assert re.search(r"h\.csv:3: unreadable time 'yesterday'", export.notes[0])
    with pytest.raises(InputError, match=r"header needs a 'time' column"):
        (tmp_path / "n.csv").write_text("when,what\n1,2\n")
        read_export(tmp_path / "n.csv")
    (tmp_path / "repo.car").write_bytes(b"\x0anot a car at all")
    with pytest.raises(InputError, match=r"repo\.car: not a readable CAR"):
        read_export(tmp_path / "repo.car")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(InputError, match=r"not an export botwarden knows"):
        read_export(tmp_path / "notes.txt")
    with pytest.raises(InputError, match=r"expected a time"):
        parse_lock("last tuesday")
    assert parse_lock("bot=2026-03-21T14:00Z") == Lock(datetime(2026, 3, 21, 14, tzinfo=UTC), "bot")


def test_html_report_is_self_contained_and_json_has_the_ranking(tmp_path: Path, fleet: list[Path]) -> None:
    from botwarden.cli.main import app

    report = tmp_path / "report.html"
    args = ["diagnose", *map(str, fleet), "--locked", f"harbour_news={LOCK.isoformat()}"]
    result = runner.invoke(app, [*args, "--format", "html", "--out", str(report)])
    assert result.exit_code == 0, result.output
    page = report.read_text()
    assert page.startswith("<!doctype html>") and "<svg" in page and "locked" in page
    assert "http://" not in page.replace("http://www.w3.org", "") and "<script" not in page  # nothing fetched
    assert "publish no spam thresholds" in page
    # Every self-closing SVG tag ends ' />': an unquoted value before '/>' would swallow the slash in HTML.
    assert not re.search(r"[^ ]/>", page)
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["posts"] == sum(len(read_export(path)) for path in fleet)
    assert data["locks"][0]["causes"][0]["code"] == "BW103"
    assert len(data["duplicate_clusters"][0]) == 2
    result = runner.invoke(app, args)
    assert result.exit_code == 0 and "BW103" in result.stdout and "locked" in result.stdout


def test_diagnose_reads_botwardens_own_store_and_its_locks(tmp_path: Path) -> None:
    from botwarden.demo.run import run_demo
    from botwarden.diagnose import posts_from_store
    from botwarden.store import make_engine, session_factory

    demo = run_demo(tmp_path / "demo", Console(file=open("/dev/null", "w")))  # noqa: SIM115
    with session_factory(make_engine(f"sqlite:///{demo.database}"))() as session:
        posts, locks = posts_from_store(session)
    assert posts and [lock.account for lock in locks] == ["harbour-transit"]
    result = diagnose(posts, locks)
    assert result.locks[0].account == "harbour-transit" and result.locks[0].posts_in_window > 0
    html = to_html(result)
    assert "harbour-transit" in html


def test_links_can_be_followed_to_find_ad_pages_in_the_history(site, tmp_path: Path) -> None:
    from botwarden import settings as settings_table
    from botwarden.demo.server import FeedServer
    from botwarden.diagnose import resolve_links

    from .conftest import Site

    docs, server = site
    ads = Site()
    with FeedServer(ads, host="127.0.0.2") as ad_server:
        docs.put("/story", b"ok", "text/html")
        ads.redirect("/click", f"{server.base_url}/story")
        posts = [
            HistoryPost("1", "bot", "x", START, f"Read this {ad_server.base_url}/click", ()),
            HistoryPost("2", "bot", "x", START + timedelta(hours=5), f"And this {server.base_url}/story", ()),
        ]
        settings = settings_table.resolve(
            {"allow_hosts": ["127.0.0.1", "127.0.0.2"], "interstitial_hosts": ["127.0.0.2"]}, env={}
        )
        links = resolve_links(posts, settings)
    result = diagnose(posts, links=links, settings=settings)
    link_flags = {(f.code, f.post.id) for f in result.analysis.flags if f.code.startswith("BW30")}
    # Through the ad host (BW301), which also shows one site and lands on another (BW304).
    assert link_flags == {("BW301", "1"), ("BW304", "1")}


ODD_BUT_VALID = {
    "2026-03-01T09:00:60Z": datetime(2026, 3, 1, 9, 0, 59, tzinfo=UTC),  # a leap second
    "2026-03-01T09:00:00.123456789Z": datetime(2026, 3, 1, 9, 0, 0, 123456, tzinfo=UTC),
    "2026-03-01t09:00:00z": datetime(2026, 3, 1, 9, tzinfo=UTC),
    "2026-03-01T09:00:00-00:00": datetime(2026, 3, 1, 9, tzinfo=UTC),
    "2026-02-28T24:00:00Z": datetime(2026, 3, 1, tzinfo=UTC),
    "2026-03-01T23:00:00+14:00": datetime(2026, 3, 1, 9, tzinfo=UTC),
    "2026-03-01T09:00:00": datetime(2026, 3, 1, 9, tzinfo=UTC),  # no zone: UTC
    "2026-03-01 09:00:00,5Z": datetime(2026, 3, 1, 9, 0, 0, 500000, tzinfo=UTC),
}
NO_CALENDAR_HOLDS = ["0000-01-01T00:00:00Z", "0000-12-31T23:59:59.999Z", "+12026-03-01T00:00:00Z",
                     "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"]  # fmt: skip


def test_a_bluesky_export_with_odd_dates_reads_every_record_a_calendar_holds(tmp_path: Path) -> None:
    records = [
        {"$type": "app.bsky.feed.post", "text": f"post {n}", "createdAt": stamp}
        for n, stamp in enumerate([*ODD_BUT_VALID, *NO_CALENDAR_HOLDS])
    ]
    export = load_export(car_file(tmp_path / "repo.car", "did:plc:odd", records))
    assert sorted(p.at for p in export.posts) == sorted(ODD_BUT_VALID.values())
    assert export.skipped == len(NO_CALENDAR_HOLDS)
    assert all("outside the years 1-9999; skipped" in note for note in export.notes), export.notes
    assert "'0000-01-01T00:00:00Z'" in export.notes[0] and "repo.car: record bafy" in export.notes[0]
    assert {p.account for p in export.posts} == {"did:plc:odd"}
