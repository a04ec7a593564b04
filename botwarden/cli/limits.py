"""``botwarden limits``: every limit, price and policy of the networks, with its source and date."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from botwarden.cli.common import DEFAULT_CONFIG, load_config, out
from botwarden.errors import InputError

if TYPE_CHECKING:
    from botwarden.limits import Limit, Limits


def limits(
    network: Annotated[str | None, typer.Option("--network", "-n", help="Only this network.")] = None,
    format_: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            envvar="BOTWARDEN_CONFIG",
            help="Show its [limits] overrides (default: botwarden.toml, when there is one).",
        ),
    ] = None,
) -> None:
    """Every limit, price and policy botwarden knows of the networks, with the page each comes from and the
    day it was read; values the configuration overrides are marked."""
    if format_ not in ("table", "json"):
        raise InputError(f"--format must be table or json, not {format_!r}")
    table = _limits(config)
    if network is not None and network not in table.networks():
        raise InputError(f"--network {network}: no such network (known: {', '.join(table.networks())})")
    shown = [entry for entry in table if network is None or entry.network == network]
    if format_ == "json":
        sys.stdout.write(json.dumps([_json(entry) for entry in shown], indent=2) + "\n")
        return
    current = ""
    for entry in shown:
        if entry.network != current:
            current = entry.network
            out.print(f"[bold]{current}[/]", highlight=False, soft_wrap=True)
        out.print(f"  [bold]{entry.key}[/]  {escape(_headline(entry))}", highlight=False, soft_wrap=True)
        out.print(f"    {escape(entry.summary)}", highlight=False, soft_wrap=True)
        out.print(
            f"    source: {escape(entry.source)} (read {entry.read.isoformat()})",
            highlight=False,
            soft_wrap=True,
        )


def _headline(entry: Limit) -> str:
    """``100 posts per 15 minutes (user, self-serve), since 2026-02-23; set in botwarden.toml``."""
    parts = [_value(entry)]
    if entry.window is not None:
        parts.append(entry.describe_window())
    whom = ", ".join(x for x in (entry.scope, entry.applies_to) if x)
    line = " ".join(parts) + (f" ({whom})" if whom else "")
    if entry.since is not None:
        line += f", since {entry.since.isoformat()}"
    if entry.overridden_by:
        line += f"; set in {entry.overridden_by}"
    return line


def _limits(config: Path | None) -> Limits:
    """The shipped limits with the configuration's overrides (the default file only when it exists)."""
    from botwarden.limits import builtin_limits

    if config is None:
        if not DEFAULT_CONFIG.exists():
            return builtin_limits()
        config = DEFAULT_CONFIG
    return load_config(config, None).limits


def _value(entry: Limit) -> str:
    value = entry.value
    if isinstance(value, tuple):
        return ", ".join(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    number = f"{value:,}" if isinstance(value, int) else f"{value:g}"
    return f"{number} {entry.unit}".strip()


def _json(entry: Limit) -> dict[str, Any]:
    value = list(entry.value) if isinstance(entry.value, tuple) else entry.value
    return {
        "network": entry.network,
        "key": entry.key,
        "summary": entry.summary,
        "value": value,
        "unit": entry.unit,
        "window_seconds": int(entry.window.total_seconds()) if entry.window else None,
        "buckets": entry.buckets if entry.window else None,
        "scope": entry.scope,
        "applies_to": entry.applies_to,
        "use": entry.use,
        "since": entry.since.isoformat() if entry.since else None,
        "source": entry.source,
        "read": entry.read.isoformat(),
        "overridden_by": entry.overridden_by or None,
    }
