"""`make demo`'s job: one simulated day shows each kind of verdict with its rule and reason."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from botwarden.demo.run import print_summary, run_demo


def test_demo_day_shows_posted_delayed_held_and_denied(tmp_path: Path) -> None:
    console = Console(record=True, width=220)
    result = run_demo(tmp_path / "demo", console)
    print_summary(result, console)
    text = console.export_text()
    outcomes = {entry.outcome for entry in result.entries}
    assert {"posted", "posted after delay", "held", "denied"} <= outcomes
    codes = {code for entry in result.entries for code in entry.codes}
    assert {"BW101", "BW103", "BW104", "BW105", "BW301", "BW902", "BW903", "BW904", "BW907"} <= codes
    denied = {e.codes[0]: e for e in result.entries if e.outcome == "denied"}
    assert set(denied) == {"BW101", "BW301"}
    assert denied["BW101"].account == "harbour-news" and "same text" in denied["BW101"].reason
    # A rewording of another account's post waits for a person rather than being refused for good.
    held = [e for e in result.entries if e.outcome == "held"]
    (reworded,) = [e for e in held if e.codes[0] == "BW103"]
    assert reworded.account == "harbour-news" and "harbour-transit" in reworded.reason
    # The sponsored link was followed hop by hop: the ad server is named, and the article offered instead.
    assert "goes through 127.0.0.2" in denied["BW301"].reason
    assert "harbourtown.example/news/summer-fair directly" in denied["BW301"].reason
    # Regatta trends: the post went out without the #Regatta the composer would have added.
    regatta = next(e for e in result.entries if e.title.startswith("Regatta"))
    assert regatta.outcome == "posted" and regatta.text.endswith("#Sailing")
    assert "#Regatta" in regatta.reason and "trending" in regatta.reason
    locked = [e for e in held if e is not reworded]
    assert locked and all(e.account == "harbour-transit" and "locked" in e.reason for e in locked)
    assert "Summary:" in text and "denied" in text
    # Nothing posted twice, and every post in history came from the queue.
    texts = [e.text for e in result.entries if e.posted_at]
    assert len(texts) == len(set(texts))
