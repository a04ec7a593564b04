"""X content retention: what people write to an account is not kept (only who, when, the id and what it
meant), and an id whose post or message is deleted on X leaves the ledger within 24 hours, a redaction
line saying so, while what the line meant still stands."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from botwarden.consent import Contact
from botwarden.networks.build import credential_store
from botwarden.run.loop import Runtime
from botwarden.store import make_engine, migrate, session_factory
from botwarden.store.consent import ConsentStore, ledger_rows, load_ledger
from botwarden.store.models import ChoreRow, ConsentRow, EventRow
from tests.fakes.x import FakeX
from tests.test_publishing import _config

from .test_cli import invoke, write_config


@pytest.fixture
def x() -> Iterator[FakeX]:
    server = FakeX()
    server.start()
    yield server
    server.stop()


def _runtime(tmp_path: Path, x: FakeX, **settings: Any) -> Runtime:
    config = _config(
        tmp_path,
        [{"id": "xnews", "network": "x", "server": x.url}],
        items=0,
        inbound_interval_minutes=15,
        **settings,
    )
    runtime = Runtime(config, env={})
    credential_store(config, runtime.sessions, env={}).update("xnews", x.add_oauth1_user("xnews"))
    return runtime


def _lines(runtime: Runtime) -> list[ConsentRow]:
    with runtime.sessions() as session:
        return list(session.scalars(select(ConsentRow).order_by(ConsentRow.id)))


def test_a_deleted_mention_leaves_the_ledger_within_a_day_and_its_meaning_stands(
    tmp_path: Path, x: FakeX
) -> None:
    runtime = _runtime(tmp_path, x)
    now = datetime.now(UTC)
    stop = x.mention("xnews", "ana", "@xnews STOP")
    question = x.mention("xnews", "ben", "@xnews is the pier open?", reply=True)
    assert runtime.run_pass(now).inbound == 2
    with runtime.sessions.begin() as session:  # the account answered ben once (a contact line)
        ConsentStore(session, recorded_by="test", now=now).contacted(
            "xnews", "ben", Contact(now, "reply", question, "It opens at 9.")
        )

    deleted_at = now + timedelta(minutes=30)
    x.delete(stop)  # ana deletes her "STOP" (and so does ben, later, his question)
    runtime.run_pass(deleted_at)
    assert [r.kind for r in _lines(runtime)].count("redaction") == 0  # the watch is not due yet
    runtime.run_pass(now + timedelta(hours=12))  # watch_interval_hours (default 12): well within 24 h

    rows = _lines(runtime)
    by_kind = {(r.kind, r.user): r for r in rows}
    redaction = by_kind[("redaction", "ana")]
    opt_out = by_kind[("opt_out", "ana")]
    assert redaction.refers_to == opt_out.id and opt_out.interaction == f"redacted:{opt_out.id}"
    assert redaction.at - deleted_at < timedelta(hours=24) and "deleted" in redaction.note
    assert opt_out.kind == "opt_out" and "@xnews STOP" not in opt_out.note  # what it meant stands
    assert by_kind[("opt_in", "ben")].interaction == question  # still on X: kept
    with runtime.sessions() as session:
        ledger = load_ledger(session)
        assert ledger.standing("xnews", "ana", now + timedelta(days=1)).opted_out_at is not None
        assert "redacted" in [e.kind for e in session.scalars(select(EventRow))]
    [lookup] = x.requests_to("GET", "/2/tweets")
    assert sorted(lookup.request.query["ids"][0].split(",")) == sorted([stop, question])

    x.delete(question)
    runtime.run_pass(now + timedelta(hours=24))
    rows = _lines(runtime)
    opt_in = next(r for r in rows if r.kind == "opt_in" and r.user == "ben")
    contact = next(r for r in rows if r.kind == "contact")
    # The account's own reply pointed at the deleted post: it keeps the same placeholder, so "one reply
    # per interaction" (BW403) still knows the two belong together.
    assert opt_in.interaction == contact.interaction == f"redacted:{opt_in.id}"
    assert [r.kind for r in rows].count("redaction") == 2
    runtime.run_pass(now + timedelta(hours=36))  # nothing is redacted twice, nothing asked again
    assert [r.kind for r in _lines(runtime)].count("redaction") == 2
    assert len(x.requests_to("GET", "/2/tweets")) == 2
    runtime.close()


def test_a_deleted_direct_message_is_redacted_too(tmp_path: Path, x: FakeX) -> None:
    runtime = _runtime(tmp_path, x)
    now = datetime.now(UTC)
    kept, gone = x.dm("xnews", "cleo", "tell me when the pier reopens"), x.dm("xnews", "dan", "stop")
    with runtime.sessions.begin() as session:
        ledger = ConsentStore(session, recorded_by="ops", now=now)
        ledger.inbound("xnews", "cleo", "tell me when the pier reopens", now, "dm", interaction=kept)
        ledger.inbound("xnews", "dan", "stop", now, "dm", interaction=gone)
    x.delete(gone)
    runtime.run_pass(now)
    rows = _lines(runtime)
    assert [(r.kind, r.user, r.refers_to is not None) for r in rows if r.kind == "redaction"] == [
        ("redaction", "dan", True)
    ]
    assert next(r for r in rows if r.user == "cleo").interaction == kept
    assert not [r for r in rows if "pier" in r.note]
    runtime.close()


def test_when_x_cannot_tell_the_watch_asks_again_within_the_hour(tmp_path: Path, x: FakeX) -> None:
    runtime = _runtime(tmp_path, x)
    now = datetime.now(UTC)
    x.mention("xnews", "ana", "@xnews hello")
    runtime.run_pass(now)
    x.fault("server_error", path="/2/tweets", method="GET")
    runtime.run_pass(now + timedelta(hours=12))
    with runtime.sessions() as session:
        chore = session.get_one(ChoreRow, "watch:xnews")
        failed = [e.message for e in session.scalars(select(EventRow).where(EventRow.kind == "watch_failed"))]
    assert chore.next_at == now + timedelta(hours=13) and failed and "retention" in failed[0]
    runtime.run_pass(now + timedelta(hours=13))
    assert len(x.requests_to("GET", "/2/tweets")) == 2  # asked again, an hour later
    runtime.close()


def test_the_inbound_command_keeps_what_a_message_meant_not_its_text(tmp_path: Path) -> None:
    config = write_config(tmp_path, "https://example.org/feed.rss")
    code, output = invoke(
        "inbound",
        "city-news",
        "@reader",
        "STOP. Too many messages",
        "--interaction",
        "d-9",
        "-c",
        str(config),
    )
    assert code == 0 and "opted out" in output
    code, output = invoke(
        "inbound", "city-news", "@writer", "my card is 4111 1111 1111 1111", "-c", str(config)
    )
    assert code == 0
    code, output = invoke("consent", "list", "-c", str(config))
    assert code == 0 and "4111" not in output
    with session_factory(make_engine(f"sqlite:///{tmp_path / 'bw.db'}"))() as session:
        rows = ledger_rows(session)
    assert [(r.kind, r.via, r.interaction) for r in rows] == [
        ("opt_out", "dm", "d-9"),
        ("opt_in", "dm", None),
    ]
    assert all("4111" not in r.note and "many messages" not in r.note for r in rows)
    assert "stop" in rows[0].note and "hear back" in rows[1].note


def test_the_migration_removes_stored_message_text_and_says_so_in_the_ledger(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate(engine, "0004")
    at = datetime(2026, 3, 21, 9, 0)
    base = {
        "account_id": "xnews",
        "at": at,
        "sensitive": False,
        "actions": "[]",
        "delete_notice": False,
        "recorded_by": "botwarden inbound (w1)",
        "recorded_at": at,
    }
    with engine.begin() as connection:
        ledger = sa.table(
            "consent_ledger", *(sa.column(c) for c in ["kind", "user", "via", "interaction", "note", *base])
        )
        connection.execute(
            sa.insert(ledger),
            [
                {
                    **base,
                    "kind": "opt_out",
                    "user": "ana",
                    "via": None,
                    "interaction": None,
                    "note": "@xnews STOP",
                },
                {
                    **base,
                    "kind": "opt_in",
                    "user": "ben",
                    "via": "dm",
                    "interaction": "7",
                    "note": "my address is 1 Pier Rd",
                },
                {**base, "kind": "opt_in", "user": "cleo", "via": "follow", "interaction": None, "note": ""},
            ],
        )
    migrate(engine)
    with session_factory(engine)() as session:
        rows = ledger_rows(session)
        ledger_after = load_ledger(session)
    notes = " ".join(r.note for r in rows)
    assert "STOP" not in notes and "Pier Rd" not in notes
    redactions = [r for r in rows if r.kind == "redaction"]
    assert sorted(r.refers_to or 0 for r in redactions) == [1, 2] and all(
        "0005" in r.recorded_by for r in redactions
    )
    assert ledger_after.standing("xnews", "ana", datetime.now(UTC)).opted_out_at is not None
    assert ledger_after.standing("xnews", "ben", datetime.now(UTC)).latest() is not None


def test_an_id_consent_no_longer_needs_is_removed_without_asking_x(tmp_path: Path, x: FakeX) -> None:
    runtime = _runtime(tmp_path, x, inbound_id_days=14)
    now = datetime.now(UTC)
    old, recent = x.mention("xnews", "ana", "@xnews hi"), x.mention("xnews", "ben", "@xnews hello")
    with runtime.sessions.begin() as session:
        ledger = ConsentStore(session, recorded_by="ops", now=now)
        ledger.inbound("xnews", "ana", "@xnews hi", now - timedelta(days=15), "mention", interaction=old)
        ledger.inbound(
            "xnews", "ben", "@xnews hello", now - timedelta(days=13), "mention", interaction=recent
        )
    runtime.run_pass(now)
    rows = _lines(runtime)
    [redaction] = [r for r in rows if r.kind == "redaction"]
    ana = next(r for r in rows if r.user == "ana" and r.kind == "opt_in")
    assert redaction.refers_to == ana.id and "14 days" in redaction.note
    [lookup] = x.requests_to("GET", "/2/tweets")
    assert lookup.request.query["ids"] == [recent]  # only the id consent still needs is looked up
    runtime.close()
