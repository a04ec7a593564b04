"""What the command modules share: the consoles, the common options, loading the config, opening the store."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from botwarden import settings as settings_table

if TYPE_CHECKING:
    from botwarden.config import Config
    from botwarden.store import Sessions

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
    if database:
        return database
    return str(load_config(path, overrides).settings["database_url"])


def open_store(url: str) -> Sessions:
    """A session factory on a migrated store."""
    from botwarden.store import open_store as open_migrated

    return open_migrated(url)
