"""``botwarden accounts …``: log in, check the setup (and the server's rules), resume after a stop."""

from __future__ import annotations

import os
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
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
from botwarden.errors import ConfigError, InputError

if TYPE_CHECKING:
    from botwarden.config import Config
    from botwarden.setup_check import SetupReport
    from botwarden.store import Sessions

accounts_app = typer.Typer(help="Look after accounts.", no_args_is_help=True)

# What each network needs, in the order it is asked for; True marks a secret (typed without echo).
FIELDS: dict[str, list[tuple[str, bool]]] = {
    "x": [
        ("consumer_key", False),
        ("consumer_secret", True),
        ("access_token", False),
        ("access_token_secret", True),
    ],
    "x-oauth2": [
        ("client_id", False),
        ("client_secret", True),
        ("oauth2_access_token", True),
        ("oauth2_refresh_token", True),
    ],
    "mastodon": [("access_token", True)],
    "bluesky": [("handle", False), ("app_password", True)],
}


@accounts_app.command("login")
def login(
    account_id: Annotated[str, typer.Argument(help="The account (its id in the config file).")],
    config: ConfigOption = DEFAULT_CONFIG,
    set_: SetOption = None,
    oauth2: Annotated[
        bool, typer.Option("--oauth2", help="X: an OAuth 2.0 user token instead of 1.0a.")
    ] = False,
    from_env: Annotated[
        str | None,
        typer.Option("--from-env", help="Read each field from PREFIX_FIELD variables instead of asking."),
    ] = None,
    check: Annotated[bool, typer.Option(help="Make one cheap read to see that the tokens work.")] = True,
) -> None:
    """Store an account's tokens, encrypted; they are never printed or logged."""
    from botwarden.cli.common import utcnow
    from botwarden.networks.build import build_networks, credential_store, meter_of, record_metered

    cfg = load_config(config, set_)
    account = cfg.accounts.get(account_id)
    if account is None:
        raise InputError(f"no account '{account_id}' in {cfg.source} (known: {', '.join(cfg.accounts)})")
    if account.network == "local":
        raise InputError(f"account '{account_id}' is on the local network, which needs no login")
    kind = "x-oauth2" if account.network == "x" and oauth2 else account.network
    values: dict[str, str] = {}
    for name, secret in FIELDS[kind]:
        if from_env:
            variable = f"{from_env}_{name.upper()}"
            values[name] = os.environ.get(variable, "")
            if not values[name] and name != "client_secret":
                raise InputError(f"--from-env {from_env}: {variable} is not set")
        else:
            default = account.handle if name == "handle" and account.handle else None
            optional = " (empty for a public client)" if name == "client_secret" else ""
            values[name] = typer.prompt(
                f"{name}{optional}",
                default=default or ("" if optional else None),
                hide_input=secret,
                show_default=not secret,
            )
    sessions = open_store(cfg.settings["database_url"])
    store = credential_store(cfg, sessions)
    store.update(account_id, values | {"session": "", "user_id": ""})  # a new login starts afresh
    out.print(
        f"stored {len(values)} credential field(s) for {account_id}, encrypted with the {store_origin(cfg)}"
    )
    if not check:
        return
    networks = build_networks(cfg, sessions, credentials=store)
    problem = networks[account.network].probe(account_id)
    meter = meter_of(networks)
    if meter is not None:
        record_metered(meter, sessions)  # X bills even this one read
    if problem is not None:
        raise ConfigError(
            f"{account_id}: {account.network} refused the tokens ({problem.kind}: {problem.message})"
        )
    out.print(f"{account_id}: {account.network} accepts the tokens ({utcnow():%Y-%m-%d %H:%M} UTC)")


def store_origin(cfg: Config) -> str:
    from botwarden.secretbox import KEY_ENV, default_key_file

    if os.environ.get(KEY_ENV):
        return f"key in {KEY_ENV}"
    return f"key file {cfg.settings['secret_key_file'] or default_key_file()}"


@accounts_app.command("check")
def check_setup(
    account_id: Annotated[str | None, typer.Argument(help="One account (default: all).")] = None,
    config: ConfigOption = DEFAULT_CONFIG,
    set_: SetOption = None,
) -> None:
    """Read each account's profile and report how it presents itself (BW951-BW956)."""
    from botwarden.cli.common import utcnow
    from botwarden.networks.build import build_networks, record_metered
    from botwarden.networks.metering import Meter
    from botwarden.setup_check import check_accounts

    cfg = load_config(config, set_)
    if account_id is not None and account_id not in cfg.accounts:
        raise InputError(f"no account '{account_id}' in {cfg.source}")
    sessions = open_store(cfg.settings["database_url"])
    meter = Meter.from_settings(cfg.settings)
    networks = build_networks(cfg, sessions, meter=meter)
    table = Table("account", "network", "profile", "findings")
    problems = 0
    now = utcnow()
    reports = check_accounts(cfg, networks, now, account_id)
    for report in reports:
        if report.error:
            problems += 1
            table.add_row(report.account, report.network, "[red]cannot read[/]", report.error)
            continue
        lines = [f"{f.code} {f.message}" for f in report.findings] + report.notes
        handle = report.profile.handle if report.profile else ""
        table.add_row(report.account, report.network, handle, "\n".join(lines) or "[green]nothing to fix[/]")
    out.print(table)
    _print_server_rules(reports, sessions, now)
    record_metered(meter, sessions)
    if problems:
        raise typer.Exit(1)


def _print_server_rules(reports: list[SetupReport], sessions: Sessions, now: datetime) -> None:
    """Each server's published rules, marked with what botwarden reads in them; kept in the store, where
    the worker applies them."""
    from botwarden.store import server_rules

    for report in reports:
        if not report.server_rules or report.reading is None:
            continue
        with sessions.begin() as session:
            server_rules.save(session, report.account, report.server_rules, now)
        out.print(f"\n{report.account}: the server's rules", highlight=False)
        for rule in report.server_rules:
            read = report.reading.understood.get(rule.id)
            mark = f"  [green]→ {escape(read)}[/]" if read else "  [dim](for a person to follow)[/]"
            out.print(f"  {rule.id}. {escape(rule.text)}{mark}")


@accounts_app.command("resume")
def resume(
    account_id: Annotated[str, typer.Argument(help="The account to mark ok again.")],
    config: ConfigOption = DEFAULT_CONFIG,
    set_: SetOption = None,
    database: DatabaseOption = None,
) -> None:
    """Mark a stopped account ok after a person restored it; its held posts are checked again."""
    from botwarden.cli.common import utcnow
    from botwarden.store.accounts import resume_account

    with open_store(database_url(config, set_, database)).begin() as session:
        held = resume_account(session, account_id, utcnow(), "resumed by a person")
    out.print(f"{account_id} is ok again; {held} held post(s) will be checked again on the next pass.")
