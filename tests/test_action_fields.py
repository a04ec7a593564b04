"""What the built-in rules read of an action is typed: the replay line, the worker and the old free-form
``extra`` all fill the same fields, and ``extra`` keeps only what no field holds (a plugin's own keys)."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

from botwarden.replay import lines as L
from botwarden.replay.run import to_action
from botwarden.rules import Action, AttachedMedia, Campaign, ReplyTarget

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
BUILTIN = Path(__file__).resolve().parents[1] / "botwarden" / "rules" / "builtin"


def test_a_replay_line_fills_the_typed_fields() -> None:
    line = L.ActionLine.model_validate(
        {
            "type": "action",
            "id": 7,
            "kind": "reply",
            "account": "a",
            "at": "2026-03-01T12:00:00Z",
            "text": "hi",
            "target_user": "bob",
            "in_reply_to": {"id": "p1", "user": "bob", "exists": False},
            "trigger": "campaign",
            "media": [{"sensitive": True}],
            "campaign": {"commercial": True},
            "bulk": 3,
            "generated": True,
            "published": "2026-03-01T10:00:00Z",
        }
    )
    action = to_action(line, "x")
    assert action.in_reply_to == ReplyTarget("p1", "bob", exists=False)
    assert action.media == (AttachedMedia(sensitive=True),)
    assert action.campaign == Campaign(commercial=True)
    assert (action.trigger, action.target_user, action.bulk, action.generated) == ("campaign", "bob", 3, True)
    assert action.published == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    assert action.extra == {}


def test_extra_naming_a_typed_field_fills_it_and_keeps_the_rest() -> None:
    action = Action(
        "1",
        "reply",
        "a",
        AT,
        extra={
            "content_warning": "cw",
            "in_reply_to": {"id": "p1", "original": False},
            "media": [{"sensitive": True, "alt": "a map"}],
            "dropped_hashtags": ["#one"],
            "plugin_key": 1,
        },
    )
    assert action.content_warning == "cw"
    assert action.in_reply_to == ReplyTarget("p1", original=False)
    assert action.media == (AttachedMedia(sensitive=True, alt="a map"),)
    assert action.dropped_hashtags == ("#one",)
    assert action.extra == {"plugin_key": 1}


def test_no_built_in_rule_reads_action_extra() -> None:
    reads = [
        f"{path.name}:{node.lineno}"
        for path in sorted(BUILTIN.glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr == "extra"
    ]
    assert not reads, f"built-in rules read typed Action fields, not action.extra: {reads}"
