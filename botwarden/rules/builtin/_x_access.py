"""What X's API access level lets an account do (2026): self-serve access lost unsummoned replies,
follows, likes and quote posts, and limits cashtags; enterprise and public-utility access keep them."""

from __future__ import annotations

from botwarden.rules.context import CheckContext


def self_serve_x(ctx: CheckContext) -> bool:
    """The account is on X with self-serve access (any level the limits data does not name as full)."""
    if ctx.account.network != "x":
        return False
    return ctx.account.access not in names(ctx, "full_access_levels")


def names(ctx: CheckContext, key: str) -> tuple[str, ...]:
    """An X limit whose value is a list of names (an empty tuple when the data has none)."""
    entry = ctx.limits.get("x", key)
    return entry.value if entry is not None and isinstance(entry.value, tuple) else ()


def since(ctx: CheckContext, key: str) -> str:
    """' (since 2026-02-23)' for an X limit that says when it started, else ''."""
    entry = ctx.limits.get("x", key)
    return f" (since {entry.since.isoformat()})" if entry is not None and entry.since else ""
