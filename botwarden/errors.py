"""botwarden's one exception hierarchy.

Every error a user can meet is a :class:`BotwardenError`; the CLI prints its message (never a traceback)
and exits with its ``exit_code``. Lower-level errors (feedparser, httpx, SQLAlchemy, TOML, pydantic) are
caught at the boundary of the module that calls them and re-raised as one of these, with a message that
says what to fix.

    BotwardenError
    ├── ConfigError      the configuration file or a setting is wrong (exit 2)
    ├── InputError       a command's input (a replay file, an argument) is wrong (exit 2)
    ├── FeedError        a feed could not be fetched or is not a usable feed
    │   └── UnsafeURLError   a URL points where botwarden may not connect (SSRF guard)
    ├── StoreError       the database could not be opened, migrated or written
    └── PublishError     a network refused or failed a post (carries an outcome)
"""

from __future__ import annotations


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


class UnsafeURLError(FeedError):
    """A URL resolves to an address botwarden must not reach (loopback, private, link-local...)."""


class StoreError(BotwardenError):
    """The database could not be opened, migrated or written."""


class PublishError(BotwardenError):
    """A network did not accept a post."""
