"""``botwarden serve`` (the HTTP API and dashboard) and ``botwarden tokens …`` (who may use them)."""

from __future__ import annotations

import gc
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from botwarden.cli.common import (
    DEFAULT_CONFIG,
    ConfigOption,
    DatabaseOption,
    SetOption,
    database_url,
    load_config,
    open_store,
    out,
)
from botwarden.cli.logs import FORMAT_ENV, LEVEL_ENV, configure
from botwarden.errors import InputError

log = logging.getLogger("botwarden.serve")

if TYPE_CHECKING:
    from fastapi import FastAPI

tokens_app = typer.Typer(help="API and dashboard tokens, scoped to one operator.", no_args_is_help=True)


def serve(
    config: ConfigOption = DEFAULT_CONFIG,
    set_: SetOption = None,
    host: Annotated[
        str, typer.Option(help="Address to listen on (put a reverse proxy in front).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8080,
    workers: Annotated[int, typer.Option(min=1, help="Server processes (one per core is a good start).")] = 1,
    log_level: Annotated[
        str,
        typer.Option(
            "--log-level", envvar=LEVEL_ENV, help="debug, info (a line per request), warning or error."
        ),
    ] = "info",
    log_format: Annotated[
        str, typer.Option("--log-format", envvar=FORMAT_ENV, help="text or json (one object a line).")
    ] = "text",
) -> None:
    """Serve the HTTP API (/api/v1, OpenAPI at /openapi.json) and the dashboard."""
    from botwarden.web.serving import run_server

    configure(log_level, log_format)
    # Server processes started afresh (--workers) read these to log the same way.
    os.environ[LEVEL_ENV], os.environ[FORMAT_ENV] = log_level, log_format
    cfg = load_config(config, set_)
    open_store(cfg.settings["database_url"])  # migrate once, before the server processes start
    if workers > 1 and not (cfg.settings["dashboard_secret"]):
        raise InputError("several workers need one dashboard_secret, or each signs its own cookies")
    os.environ["BOTWARDEN_SERVE_CONFIG"] = str(config)
    os.environ["BOTWARDEN_SERVE_SET"] = "\x1f".join(set_ or [])
    log.info(
        "serving the API and the dashboard on http://%s:%d (%d process(es)); OpenAPI at /openapi.json",
        host if ":" not in host else f"[{host}]",
        port,
        workers,
        extra={"host": host, "port": port, "workers": workers},
    )
    try:
        run_server("botwarden.cli.service:app_from_environment", host=host, port=port, workers=workers)
    except OSError as exc:
        raise InputError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}; choose another --port"
        ) from exc


def app_from_environment() -> FastAPI:
    """The application of one server process, built from what ``serve`` put in the environment."""
    from botwarden.web import create_app
    from botwarden.web.app import serving_store

    configure(os.environ.get(LEVEL_ENV, "info"), os.environ.get(FORMAT_ENV, "text"))
    overrides = [s for s in os.environ.get("BOTWARDEN_SERVE_SET", "").split("\x1f") if s]
    cfg = load_config(Path(os.environ["BOTWARDEN_SERVE_CONFIG"]), overrides)
    app = create_app(cfg, serving_store(cfg))
    # Everything built so far lives as long as the process: keep the collector from walking it again
    # on every full collection, which showed as pauses of tens of milliseconds under load.
    gc.freeze()
    return app


@tokens_app.command("create")
def create(
    name: Annotated[str, typer.Option(help="Who or what uses it: a person, or a program.")],
    operator: Annotated[
        str | None, typer.Option(help="The operator it may see (its accounts' operator).")
    ] = None,
    admin: Annotated[bool, typer.Option("--admin", help="May see every operator.")] = False,
    config: ConfigOption = DEFAULT_CONFIG,
    set_: SetOption = None,
    database: DatabaseOption = None,
) -> None:
    """Make a token; it is printed once and only its hash is kept."""
    from botwarden.cli.common import utcnow
    from botwarden.store.tokens import create_token

    if admin == (operator is not None):
        raise InputError("give either --operator NAME or --admin")
    with open_store(database_url(config, set_, database)).begin() as session:
        token_id, token = create_token(session, operator, name, utcnow())
    out.print(
        f"token {token_id} for {operator or 'every operator (admin)'} ({name}); "
        "keep it, it is not shown again:"
    )
    out.print(token, highlight=False, soft_wrap=True)


@tokens_app.command("list")
def list_(
    config: ConfigOption = DEFAULT_CONFIG, set_: SetOption = None, database: DatabaseOption = None
) -> None:
    """The tokens (never their values)."""
    from botwarden.store.tokens import list_tokens

    table = Table("id", "name", "operator", "created", "revoked")
    with open_store(database_url(config, set_, database))() as session:
        for row in list_tokens(session):
            table.add_row(
                str(row.id),
                row.name,
                row.operator or "(admin)",
                f"{row.created_at:%Y-%m-%d %H:%M}",
                f"{row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "",
            )
    out.print(table)


@tokens_app.command("revoke")
def revoke(
    token_id: Annotated[int, typer.Argument(help="The token's id (see `tokens list`).")],
    config: ConfigOption = DEFAULT_CONFIG,
    set_: SetOption = None,
    database: DatabaseOption = None,
) -> None:
    """Revoke a token at once: the API refuses it and dashboard sessions made with it end."""
    from botwarden.cli.common import utcnow
    from botwarden.store.tokens import revoke_token

    with open_store(database_url(config, set_, database)).begin() as session:
        row = revoke_token(session, token_id, utcnow())
        out.print(f"token {row.id} ({row.name}) is revoked")
