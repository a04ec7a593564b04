"""botwarden's one exception hierarchy.

Every error a user can meet is a :class:`BotwardenError`; the CLI prints its message (never a traceback)
and exits with its ``exit_code``. Lower-level errors (feedparser, httpx, SQLAlchemy, TOML, pydantic) are
caught at the boundary of the module that calls them and re-raised as one of these, with a message that
says what to fix.

    BotwardenError
    ├── ConfigError      the configuration file or a setting is wrong (exit 2)
    │   └── TemplateError    a post template uses something other than plain known fields
    ├── InputError       a command's input (a replay file, an argument) is wrong (exit 2)
    ├── FeedError        a feed could not be fetched or is not a usable feed
    │   └── UnsafeURLError   a URL points where botwarden may not connect (SSRF guard)
    ├── MediaError       an image could not be fetched, or is not an image botwarden can post
    ├── StoreError       the database could not be opened, migrated or written
    │   └── InvalidTransition   a queue entry was asked to move in a way the queue's table refuses
    └── NetworkUnavailable   a network could not answer a read (reconciliation, probe, profile)

A network's answer to a post is not an exception: every answer maps to an ``Outcome``
(``botwarden.networks``), and only a read that got no answer at all raises :class:`NetworkUnavailable`.
"""

from __future__ import annotations

__all__ = [
    "BotwardenError",
    "ConfigError",
    "FeedError",
    "InputError",
    "InvalidTransition",
    "MediaError",
    "NetworkUnavailable",
    "StoreError",
    "TemplateError",
    "UnsafeURLError",
]


class BotwardenError(Exception):
    """Base of every error botwarden raises on purpose."""

    exit_code = 1


class ConfigError(BotwardenError):
    """The configuration is wrong; the message names the file, the key and the problem."""

    exit_code = 2


class InputError(BotwardenError):
    """A command's input is wrong; the message names the place and the problem."""

    exit_code = 2


class FeedError(BotwardenError):
    """A feed could not be fetched, or what came back is not a usable feed."""


class TemplateError(ConfigError, ValueError):
    """A post template uses something other than plain known fields (or leaves out ``{link}``). Also a
    ValueError, as the configuration's validators expect."""


class UnsafeURLError(FeedError):
    """A URL resolves to an address botwarden must not reach (loopback, private, link-local...)."""


class MediaError(BotwardenError):
    """An image could not be fetched (the SSRF guard, a size cap, a deadline) or read as an image."""


class StoreError(BotwardenError):
    """The database could not be opened, migrated or written."""


class InvalidTransition(StoreError):
    """A queue entry was asked to make a move the queue's state machine does not allow (a bug)."""


class NetworkUnavailable(BotwardenError):
    """The network could not answer a read (reconciliation, probe, profile); nothing was decided."""
