"""``botwarden accounts …`` (log in, check the setup, resume after a stop) and ``botwarden spend``."""

from __future__ import annotations

import os
from datetime import date, timedelta
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
from botwarden.errors import ConfigError, InputError

if TYPE_CHECKING:
    from botwarden.config import Config

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
    from botwarden.networks.build import build_networks, credential_store

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
    network = build_networks(cfg, sessions, credentials=store)[account.network]
    problem = network.probe(account_id)
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
    from botwarden.networks.build import build_networks
    from botwarden.setup_check import check_accounts

    cfg = load_config(config, set_)
    if account_id is not None and account_id not in cfg.accounts:
        raise InputError(f"no account '{account_id}' in {cfg.source}")
    networks = build_networks(cfg, open_store(cfg.settings["database_url"]))
    table = Table("account", "network", "profile", "findings")
    problems = 0
    for report in check_accounts(cfg, networks, utcnow(), account_id):
        if report.error:
            problems += 1
            table.add_row(report.account, report.network, "[red]cannot read[/]", report.error)
            continue
        lines = [f"{f.code} {f.message}" for f in report.findings] + report.notes
        handle = report.profile.handle if report.profile else ""
        table.add_row(report.account, report.network, handle, "\n".join(lines) or "[green]nothing to fix[/]")
    out.print(table)
    if problems:
        raise typer.Exit(1)


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


def spend(
    days: Annotated[int, typer.Option(min=1, help="How many days back.")] = 7,
    config: ConfigOption = DEFAULT_CONFIG,
    set_: SetOption = None,
    database: DatabaseOption = None,
) -> None:
    """What each account's posts cost per day (X bills per post), against the monthly spend cap."""
    from botwarden import settings as settings_table
    from botwarden.cli.common import reading, utcnow

    # The settings alone (the cap): the accounts, feeds and routes need not be validated to read costs.
    resolved = settings_table.file_settings(config, settings_table.parse_overrides(set_ or []))
    now = utcnow()
    since = (now - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    month = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    with reading(database or str(resolved["database_url"])) as store:
        rows = store.spending(min(since, month))
    per_day: dict[tuple[str, date], tuple[int, float]] = {}
    this_month: dict[str, float] = {}
    for account, at, cost in rows:
        if at >= month:
            this_month[account] = this_month.get(account, 0.0) + cost
        if at >= since:
            posts, total = per_day.get((account, at.date()), (0, 0.0))
            per_day[(account, at.date())] = (posts + 1, total + cost)
    table = Table("account", "day", "posts", "spent (USD)")
    for (account, day), (posts, total) in sorted(per_day.items()):
        table.add_row(account, day.isoformat(), str(posts), f"{total:.3f}")
    out.print(table)
    cap = float(resolved["spend_cap_usd"])
    for account, total in sorted(this_month.items()):
        limit = (
            f" of the ${cap:.2f} cap (BW905 holds posts past it)" if cap > 0 else " (no spend_cap_usd set)"
        )
        out.print(f"{account}: ${total:.3f} this month{limit}")
