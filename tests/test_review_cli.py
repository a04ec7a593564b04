"""Review from the command line: `review`, `approve`, `reject` and `retry` by id, and `queue` that takes the
states it shows, refuses what it does not know, lists newest first with "N more", and writes JSON or JSON
Lines. The store is a real SQLite store with a real held entry (a phone number: BW801)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwarden.cli.main import app
from botwarden.errors import BotwardenError
from botwarden.store import State
from botwarden.store.accounts import pause_account
from botwarden.store.models import AccountRow, ItemRow, QueueRow
from tests.service import T0, World, build_world

runner = CliRunner()


def bw(world: World, *args: str) -> tuple[int, str]:
    """Run a command as `botwarden` does: an error is its message and its exit code."""
    result = runner.invoke(app, [*args, "-c", str(world.path)], env={"COLUMNS": "200"})
    if isinstance(result.exception, BotwardenError):
        return result.exception.exit_code, result.output + str(result.exception)
    return result.exit_code, result.output


@pytest.fixture
def world(tmp_path: Path) -> World:
    built = build_world(tmp_path)
    yield built
    built.runtime.close()


def _state(world: World, entry: int) -> QueueRow:
    with world.runtime.sessions() as session:
        row = session.get_one(QueueRow, entry)
        session.expunge(row)
        return row


def test_review_shows_the_held_entry_with_its_explanation_and_evidence(world: World) -> None:
    code, output = bw(world, "review")
    assert code == 0, output
    assert f"#{world.held_id}" in output and "harbour-news" in output
    assert "BW801" in output and "phone" in output
    assert "evidence:" in output
    code, output = bw(world, "review", "--format", "json")
    [held] = json.loads(output)
    assert held["id"] == world.held_id and held["codes"] == ["BW801"]
    assert any(f["code"] == "BW801" and f["evidence"] for f in held["findings"])
    code, output = bw(world, "review", "--account", "valley-news")
    assert code == 0 and "Nothing is waiting for review" in output


def test_approve_releases_a_held_entry_and_it_is_posted(world: World) -> None:
    code, output = bw(world, "approve", str(world.held_id), "--by", "desk")
    assert code == 0, output
    assert "approved despite BW801" in output
    row = _state(world, world.held_id)
    assert row.state == "ready" and row.approved_by == "desk" and row.approved_codes == ["BW801"]
    world.runtime.run_pass(datetime.now(UTC))
    assert _state(world, world.held_id).state == "sent"
    # Approving it again is refused, with the reason, and a non-zero exit.
    code, output = bw(world, "approve", str(world.held_id))
    assert code == 1 and "is sent, not held" in output
    # Its row no longer shows the hold it was approved past.
    code, output = bw(world, "queue", "--format", "json")
    [entry] = [e for e in json.loads(output) if e["id"] == world.held_id]
    assert entry["outcome"] == "posted" and "BW801" not in entry["codes"]


def test_approving_an_entry_whose_account_is_stopped_says_it_stays_held(world: World) -> None:
    with world.runtime.sessions.begin() as session:
        pause_account(session, "harbour-news", "paused by a test", T0)
    code, output = bw(world, "approve", str(world.held_id))
    assert code == 0, output
    assert "still held" in output and "harbour-news is paused" in output
    assert "botwarden accounts resume harbour-news" in output
    row = _state(world, world.held_id)
    assert row.state == "held" and row.approved_codes == ["BW801"]  # the approval is kept
    code, output = bw(world, "accounts", "resume", "harbour-news")
    assert code == 0, output
    world.runtime.run_pass(datetime.now(UTC))
    assert _state(world, world.held_id).state == "sent"


def test_reject_and_retry(world: World) -> None:
    code, output = bw(world, "reject", str(world.held_id), "--by", "desk")
    assert code == 0 and "rejected" in output
    assert _state(world, world.held_id).state == "denied"
    # A failed entry goes back to the queue, its attempts counted afresh.
    with world.runtime.sessions.begin() as session:
        item = ItemRow(
            feed_id="harbour-feed",
            identity="failed-one",
            content_hash="h",
            title="A post the network kept refusing",
            link="https://harbour.example/failed",
            categories=[],
            first_seen_at=T0,
        )
        session.add(item)
        session.flush()
        failed = QueueRow(
            route_id="harbour-feed->harbour-news",
            item_id=item.id,
            account_id="harbour-news",
            state=State.FAILED.value,
            not_before=T0,
            created_at=T0,
            updated_at=T0,
            idempotency_key="failed-one",
            attempts=5,
            was_delayed=0,
            last_error="transient: 503 from the server",
        )
        session.add(failed)
        session.flush()
        failed_id = failed.id
    code, output = bw(world, "retry", str(failed_id))
    assert code == 0, output
    assert "goes back to the queue" in output and "503" in output
    row = _state(world, failed_id)
    assert row.state == "ready" and row.attempts == 0 and row.last_error == ""
    code, output = bw(world, "retry", str(world.held_id))
    assert code == 1 and "denied, not failed" in output
    code, output = bw(world, "retry", "999999")
    assert code == 1 and "no queue entry 999999" in output


def test_queue_takes_the_states_it_shows_and_refuses_others(world: World) -> None:
    code, output = bw(world, "queue", "--state", "posted", "--format", "json")
    assert code == 0, output
    posted = json.loads(output)
    assert posted and {e["state"] for e in posted} == {"sent"}
    code, output = bw(world, "queue", "--state", "held", "--state", "posted", "--format", "jsonl")
    lines = [json.loads(line) for line in output.splitlines()]
    assert {e["state"] for e in lines} == {"sent", "held"}
    code, output = bw(world, "queue", "--state", "postd")
    assert code == 2 and "--state 'postd': not a state" in output and "posted" in output
    code, output = bw(world, "queue", "--account", "nobody")
    assert code == 2 and "no such account" in output and "harbour-news" in output
    code, output = bw(world, "queue", "--format", "yaml")
    assert code == 2 and "--format must be" in output


def test_queue_is_newest_first_and_says_how_many_more(world: World) -> None:
    code, output = bw(world, "queue", "--format", "json")
    every = json.loads(output)
    assert isinstance(every, list) and len(every) == 4
    created = [(e["created_at"], e["id"]) for e in every]
    assert created == sorted(created, reverse=True)
    code, output = bw(world, "queue", "--limit", "1")
    assert code == 0 and "… and 3 more" in output
    code, output = bw(world, "queue", "--limit", "1", "--format", "json")
    assert len(json.loads(output)) == 1
    # Each row's reason is printed under it.
    code, output = bw(world, "queue", "--state", "held")
    assert "why:" in output and "phone" in output


def test_held_entries_of_another_account_are_still_found_by_id(world: World) -> None:
    with world.runtime.sessions() as session:
        stopped = session.get_one(AccountRow, "harbour-news").status
    assert stopped == "ok"
    code, output = bw(world, "approve", str(world.held_id), "999998")
    assert code == 1  # one of them was refused ...
    assert "approved despite BW801" in output  # ... and the other still approved
    assert "no queue entry 999998" in output
