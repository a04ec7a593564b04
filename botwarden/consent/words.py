"""Recognising an opt-out in an inbound reply or message ("STOP", "unsubscribe", "leave me alone")."""

from __future__ import annotations

import regex

# A message that is only (or starts with) one of these asks the account to stop. A longer sentence that
# merely contains "stop" ("the bus stop moved") is not an opt-out.
_WORDS = (
    "stop",
    "stop all",
    "stop please",
    "please stop",
    "unsubscribe",
    "unsub",
    "opt out",
    "optout",
    "opt-out",
    "cancel",
    "end",
    "quit",
    "remove me",
    "leave me alone",
    "no more",
    "don't message me",
    "do not message me",
    "don't contact me",
    "do not contact me",
)
_LEADING_MENTIONS = regex.compile(r"^(\s*@[\w.@-]+)+\s*")
_TRAILING = regex.compile(r"[\s\p{P}\p{Emoji_Presentation}]+$")
_SET = frozenset(_WORDS)


def is_opt_out_message(text: str) -> bool:
    """Whether an inbound message asks the account to stop contacting its sender."""
    body = _LEADING_MENTIONS.sub("", text).casefold().replace("\u2019", "'")
    body = _TRAILING.sub("", body).strip()
    if body in _SET:
        return True
    first_clause = regex.split(r"[.!,;\n]", body, maxsplit=1)[0].strip()
    return first_clause in _SET
