"""What the command modules share: the consoles, the common options, loading the config, opening the store."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from botwarden import settings as settings_table

if TYPE_CHECKING:
    from botwarden.config import Config
    from botwarden.store import Sessions
    from botwarden.store.lean import LeanStore
    from botwarden.store.reads import SessionReads

# The command modules import the configuration, the store and the network clients only inside the commands
# that use them, so that `--help` and the quick commands do not wait for them.
DEFAULT_CONFIG = settings_table.DEFAULT_CONFIG_PATH

out = Console()
err = Console(stderr=True)

ConfigOption = Annotated[
    Path, typer.Option("--config", "-c", envvar="BOTWARDEN_CONFIG", help="The configuration file.")
]
SetOption = Annotated[list[str] | None, typer.Option("--set", help="Override a setting: NAME=VALUE.")]
DatabaseOption = Annotated[
    str | None,
    typer.Option("--database", help="Read this database URL instead of the one in the config file."),
]


def load_config(path: Path, overrides: list[str] | None) -> Config:
    from botwarden import config as config_module

    return config_module.load(path, overrides=settings_table.parse_overrides(overrides or []))


def database_url(path: Path, overrides: list[str] | None, database: str | None) -> str:
    """The store a command reads: ``--database``, else the configuration's (read without validating the
    accounts, feeds and routes, which a read does not need)."""
    if database:
        return database
    resolved = settings_table.file_settings(path, settings_table.parse_overrides(overrides or []))
    return str(resolved["database_url"])


def configured_accounts(path: Path) -> set[str]:
    """The ids of the accounts the configuration file names (none when it cannot be read): for a read
    command, without validating the rest of the file."""
    from botwarden.errors import ConfigError

    try:
        raw = settings_table.read_toml(path)
    except ConfigError:
        return set()
    accounts = raw.get("accounts", [])
    return (
        {str(a["id"]) for a in accounts if isinstance(a, dict) and "id" in a}
        if isinstance(accounts, list)
        else set()
    )


@contextmanager
def reading(url: str) -> Iterator[LeanStore | SessionReads]:
    """The store at ``url`` to read: through its driver alone where it can be (quick: no SQLAlchemy to
    load), else through a session on the migrated store."""
    from botwarden.store.lean import connect

    with connect(url) as lean:
        if lean is not None:
            yield lean
            return
    from botwarden.store.reads import SessionReads

    with open_store(url)() as session:
        yield SessionReads(session)


def open_store(url: str) -> Sessions:
    """A session factory on a migrated store."""
    from botwarden.store import open_store as open_migrated

    return open_migrated(url)


FORMATS = ("table", "json", "jsonl")
FormatOption = Annotated[
    str,
    typer.Option("--format", help="table, json (one JSON array) or jsonl (one JSON object a line)."),
]


def checked_format(value: str, allowed: tuple[str, ...] = FORMATS) -> str:
    from botwarden.errors import InputError

    if value not in allowed:
        raise InputError(f"--format must be {', '.join(allowed[:-1])} or {allowed[-1]}, not {value!r}")
    return value


def write_json(rows: list[dict[str, Any]], format_: str) -> None:
    """Rows as one JSON array (``json``) or one object a line (``jsonl``), on stdout, times in ISO 8601."""
    if format_ == "json":
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2, default=_iso) + "\n")
        return
    for row in rows:
        sys.stdout.write(json.dumps(row, ensure_ascii=False, default=_iso) + "\n")


def _iso(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def utcnow() -> datetime:
    return datetime.now(UTC)


def by_whom(by: str | None) -> str:
    """Who a person's decision is recorded as: ``--by``, else their login."""
    if by:
        return by
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
