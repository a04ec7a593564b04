"""Who an action reaches: the replied-to user, the target user and the @mentions in its text."""

from __future__ import annotations

from collections.abc import Iterator

from botwarden.consent.ledger import Standing
from botwarden.language.mentions import mentions_in
from botwarden.rules.context import CheckContext
from botwarden.rules.model import Action

CONTACT_KINDS = frozenset({"reply", "mention", "dm"})
PUBLIC_KINDS = frozenset({"post", "reply", "mention", "quote"})


__all__ = ["CONTACT_KINDS", "PUBLIC_KINDS", "interaction_of", "mentions_in", "standings", "users_reached"]


def users_reached(action: Action, network: str = "") -> list[str]:
    """Everyone this reply, mention or message lands with: the target, the replied-to author, and whoever
    the text mentions on the action's network (``network`` where the action names none)."""
    users: list[str] = []
    reply_to = action.in_reply_to
    mentioned = mentions_in(action.text, action.network or network)
    for user in (action.target_user, reply_to.user if reply_to else None, *mentioned):
        if user and user.lstrip("@").casefold() not in (u.casefold() for u in users):
            users.append(user.lstrip("@"))
    return users


def interaction_of(action: Action) -> str | None:
    """The user interaction an automated reply answers: named on the action, else the post replied to."""
    reply_to = action.in_reply_to
    return action.interaction or (reply_to.id if reply_to else None)


def standings(action: Action, ctx: CheckContext) -> Iterator[tuple[str, Standing]]:
    """Each user the action reaches, with where they stand in the consent ledger at the action's time."""
    for user in users_reached(action, ctx.account.network):
        yield user, ctx.facts.ledger.standing(action.account, user, action.at)
