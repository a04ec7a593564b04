"""Who an action reaches: the replied-to user, the target user and the @mentions in its text."""

from __future__ import annotations

from collections.abc import Iterator

import regex

from botwarden.consent.ledger import Standing
from botwarden.rules.context import CheckContext
from botwarden.rules.model import Action

# @user (X), @user@server (Mastodon), @handle.bsky.social (Bluesky). An e-mail address is not a mention.
_MENTION = regex.compile(r"(?<![\w@./])@([A-Za-z0-9_]+(?:[.-][A-Za-z0-9_]+)*(?:@[A-Za-z0-9.-]+\.[A-Za-z]+)?)")
CONTACT_KINDS = frozenset({"reply", "mention", "dm"})
PUBLIC_KINDS = frozenset({"post", "reply", "mention", "quote"})


def mentions_in(text: str) -> list[str]:
    """The @handles in ``text``, without '@', in order, each once."""
    seen: list[str] = []
    for handle in _MENTION.findall(text):
        if handle.casefold() not in (s.casefold() for s in seen):
            seen.append(handle)
    return seen


def users_reached(action: Action) -> list[str]:
    """Everyone this reply, mention or message lands with: the target, the replied-to author, mentions."""
    users: list[str] = []
    reply_to = action.extra.get("in_reply_to") or {}
    for user in (action.extra.get("target_user"), reply_to.get("user"), *mentions_in(action.text)):
        if user and user.lstrip("@").casefold() not in (u.casefold() for u in users):
            users.append(user.lstrip("@"))
    return users


def interaction_of(action: Action) -> str | None:
    """The user interaction an automated reply answers: named on the action, else the post replied to."""
    reply_to = action.extra.get("in_reply_to") or {}
    return action.extra.get("interaction") or reply_to.get("id")


def standings(action: Action, ctx: CheckContext) -> Iterator[tuple[str, Standing]]:
    """Each user the action reaches, with where they stand in the consent ledger at the action's time."""
    for user in users_reached(action):
        yield user, ctx.facts.ledger.standing(action.account, user, action.at)
