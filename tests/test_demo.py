"""`make demo`'s job: one simulated day shows each kind of verdict with its rule and reason, readable at 80
columns and in a pipe, and its lock has a cause that `diagnose` finds in the demo's store."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from botwarden.demo.run import DemoResult, print_summary, run_demo


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    return run_demo(tmp_path_factory.mktemp("demo") / "demo", Console(file=io.StringIO()))


def test_demo_day_shows_posted_delayed_held_and_denied(day: DemoResult) -> None:
    console = Console(record=True, width=220)
    print_summary(day, console)
    text = console.export_text()
    outcomes = {entry.outcome for entry in day.entries}
    assert {"posted", "posted after delay", "held", "denied"} <= outcomes
    codes = {code for entry in day.entries for code in entry.codes}
    assert {"BW101", "BW103", "BW104", "BW105", "BW301", "BW902", "BW903", "BW904", "BW907"} <= codes
    denied = {e.codes[0]: e for e in day.entries if e.outcome == "denied"}
    assert set(denied) == {"BW101", "BW301"}
    assert denied["BW101"].account == "harbour-news" and "same text" in denied["BW101"].reason
    # The news desk's ferry story, told in other words by the transit account an hour earlier: held.
    [similar] = [e for e in day.entries if "BW103" in e.codes]
    assert similar.account == "harbour-news" and similar.outcome == "held"
    assert "harbour-transit" in similar.reason
    # The sponsored link was followed hop by hop: the ad server is named, and the article offered instead.
    assert "goes through 127.0.0.2" in denied["BW301"].reason
    assert "harbourtown.example/news/summer-fair directly" in denied["BW301"].reason
    # Regatta trends: the post went out without the #Regatta the composer would have added.
    regatta = next(e for e in day.entries if e.title.startswith("Regatta"))
    assert regatta.outcome == "posted" and regatta.text.endswith("#Sailing")
    assert "#Regatta" in regatta.reason and "trending" in regatta.reason
    locked = [e for e in day.entries if "BW904" in e.codes]
    assert locked and all(e.account == "harbour-transit" and "locked" in e.reason for e in locked)
    assert "Summary:" in text and "denied" in text
    # Nothing posted twice, and every post in history came from the queue.
    texts = [e.text for e in day.entries if e.posted_at]
    assert len(texts) == len(set(texts))


@pytest.mark.parametrize("width", [80, 100])
def test_every_reason_is_printed_whole_at_80_columns_and_in_a_pipe(day: DemoResult, width: int) -> None:
    """What a narrow terminal or a pipe (which rich treats as 80 columns) shows: every row's title and the
    whole of its reason, under it, with no line longer than the width and nothing cut to '…'."""
    stream = io.StringIO()
    print_summary(day, Console(file=stream, width=width, color_system=None))
    printed = stream.getvalue()
    # Commands to copy are printed whole, however long the store's path is.
    lines = [line for line in printed.splitlines() if "--database" not in line]
    assert all(len(line) <= width for line in lines), max(lines, key=len)
    flat = " ".join(printed.split())
    for entry in day.entries:
        assert " ".join(entry.title.split()) in flat
        if entry.reason:
            assert " ".join(entry.reason.split()) in flat, entry.reason
    assert "…" not in printed


def test_the_lock_has_a_cause_that_diagnose_finds(day: DemoResult) -> None:
    """The network locks the transit account for its fourth post linking one page; the summary says so and
    `diagnose` on the demo's store ranks the repeated link (BW104) first for that lock."""
    from botwarden.diagnose import diagnose, posts_from_store
    from botwarden.store import open_store

    assert day.locked_at is not None
    stream = io.StringIO()
    print_summary(day, Console(file=stream, width=80, color_system=None))
    assert "locked harbour-transit" in stream.getvalue() and "diagnose --database" in stream.getvalue()
    with open_store(f"sqlite:///{day.database}")() as session:
        posts, locks = posts_from_store(session)
    report = diagnose(posts, locks, sources=["demo"])
    [lock] = report.locks
    assert lock.account == "harbour-transit" and lock.lock.at == day.locked_at
    assert lock.causes and lock.causes[0].code == "BW104"
    # Counted in the locked account's own posts before the lock (three posted, the first one is the original).
    assert lock.causes[0].in_window == 2


def test_the_demo_command_prints_no_log_lines(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from botwarden.cli.main import app

    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path / "d")], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert "ERROR" not in result.output and "WARNING" not in result.output
    assert "Summary:" in result.output
