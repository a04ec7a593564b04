"""``botwarden consent``, ``botwarden optin``, ``botwarden optout`` and ``botwarden inbound``: the consent
ledger the reply, message and on-behalf rules (BW4xx, BW5xx, BW7xx) consult before contacting anyone."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from botwarden.cli.common import DEFAULT_CONFIG, ConfigOption, SetOption, load_config, open_store, out
from botwarden.errors import InputError

if TYPE_CHECKING:
    from botwarden.config import Config
    from botwarden.store.consent import ConsentStore, Recorded

consent_app = typer.Typer(help="Account owners' consent to automated actions through their account.")
optin_app = typer.Typer(help="Users who asked to hear from an account.")
optout_app = typer.Typer(help="Users who asked an account to stop contacting them.")

AtOption = Annotated[
    str | None, typer.Option("--at", help="When it happened (ISO 8601 with a zone); default: now.")
]
ByOption = Annotated[
    str | None, typer.Option("--by", help="Who records this (kept in the ledger); default: your login.")
]
AccountArg = Annotated[str, typer.Argument(help="The botwarden account id (from botwarden.toml).")]
UserArg = Annotated[str, typer.Argument(help="The user's handle, with or without '@'.")]
FormatOption = Annotated[str, typer.Option("--format", help="table or json")]


@contextmanager
def _ledger(config: Path, set_: list[str] | None, by: str | None, account: str) -> Iterator[ConsentStore]:
    from botwarden.store.consent import ConsentStore

    cfg = load_config(config, set_)
    _known(cfg, account)
    with open_store(str(cfg.settings["database_url"])).begin() as session:
        yield ConsentStore(session, recorded_by=by or _login(), now=datetime.now(UTC))


def _known(cfg: Config, account: str) -> None:
    if account not in cfg.accounts:
        known = ", ".join(sorted(cfg.accounts)) or "none"
        raise InputError(f"no account '{account}' in {cfg.source} (known: {known})")


def _when(at: str | None) -> datetime:
    if at is None:
        return datetime.now(UTC)
    try:
        when = datetime.fromisoformat(at)
    except ValueError:
        raise InputError(f"--at {at!r}: not an ISO 8601 time (e.g. 2026-03-21T09:00:00+00:00)") from None
    if when.tzinfo is None:
        raise InputError(f"--at {at!r}: give a time zone (e.g. +00:00 or Z)")
    return when


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _said(recorded: Recorded) -> None:
    out.print(f"recorded: {recorded.message}", highlight=False)


# -- owners' consent ---------------------------------------------------------------------------------


@consent_app.command("grant")
def grant(
    account: AccountArg,
    owner: Annotated[str, typer.Option(help="Who owns the account and gave consent.")],
    actions: Annotated[str, typer.Option(help="Comma-separated action kinds, e.g. post,reply.")],
    purpose_version: Annotated[str, typer.Option(help="The version of the purpose the owner agreed to.")],
    delete_notice: Annotated[
        bool, typer.Option(help="The owner was told automated deletions cannot be undone.")
    ] = False,
    at: AtOption = None,
    by: ByOption = None,
    config: ConfigOption = DEFAULT_CONFIG,
    set_: SetOption = None,
) -> None:
    """Record an owner's express consent to automated actions through their account (BW701-BW705)."""
    kinds = [a.strip() for a in actions.split(",") if a.strip()]
    with _ledger(config, set_, by, account) as ledger:
        _said(ledger.consent(account, owner, _when(at), kinds, purpose_version, delete_notice=delete_notice))


@consent_app.command("revoke")
def revoke(
    account: AccountArg,
    at: AtOption = None,
    by: ByOption = None,
    config: ConfigOption = DEFAULT_CONFIG,
    set_: SetOption = None,
) -> None:
    """The owner opted out: no automated action through the account from now on (BW704)."""
    with _ledger(config, set_, by, account) as ledger:
        _said(ledger.owner_opt_out(account, _when(at)))


@consent_app.command("purpose")
def purpose(
    version: Annotated[str, typer.Argument(help="The app's new purpose version.")],
    at: AtOption = None,
    by: ByOption = None,
    config: ConfigOption = DEFAULT_CONFIG,
    set_: SetOption = None,
) -> None:
    """Record that the app's purpose changed: consents to earlier versions must be asked again (BW703)."""
    from botwarden.store.consent import ConsentStore

    cfg = load_config(config, set_)
    with open_store(str(cfg.settings["database_url"])).begin() as session:
        store = ConsentStore(session, recorded_by=by or _login(), now=datetime.now(UTC))
        _said(store.purpose(version, _when(at)))


@consent_app.command("list")
def list_ledger(
    account: Annotated[str | None, typer.Option(help="Only this account.")] = None,
    format_: FormatOption = "table",
    config: ConfigOption = DEFAULT_CONFIG,
    set_: SetOption = None,
) -> None:
    """The whole ledger (consents, opt-ins, opt-outs...), oldest first, with who recorded each line."""
    _print_rows(config, set_, account, (), format_)


# -- users' opt-ins and opt-outs ---------------------------------------------------------------------


@optin_app.command("add")
def optin_add(
    account: AccountArg,
    user: UserArg,
    via: Annotated[str, typer.Option(help="reply, mention, dm, campaign or follow (a follow never counts).")],
    interaction: Annotated[str | None, typer.Option(help="The id of the user's post, if any.")] = None,
    sensitive: Annotated[bool, typer.Option(help="The user opted into sensitive content.")] = False,
    at: AtOption = None,
    by: ByOption = None,
    config: ConfigOption = DEFAULT_CONFIG,
    set_: SetOption = None,
) -> None:
    """Record that a user asked to hear from the account (BW401, BW406, BW501)."""
    with _ledger(config, set_, by, account) as ledger:
        _said(ledger.opt_in(account, user, _when(at), via, interaction=interaction, sensitive=sensitive))


@optin_app.command("list")
def optin_list(
    account: Annotated[str | None, typer.Option(help="Only this account.")] = None,
    format_: FormatOption = "table",
    config: ConfigOption = DEFAULT_CONFIG,
    set_: SetOption = None,
) -> None:
    """Recorded opt-ins, oldest first."""
    _print_rows(config, set_, account, ("opt_in",), format_)


@optout_app.command("add")
def optout_add(
    account: AccountArg,
    user: UserArg,
    at: AtOption = None,
    by: ByOption = None,
    config: ConfigOption = DEFAULT_CONFIG,
    set_: SetOption = None,
) -> None:
    """Record that a user asked the account to stop; effective at once (BW407)."""
    with _ledger(config, set_, by, account) as ledger:
        _said(ledger.opt_out(account, user, _when(at)))


@optout_app.command("list")
def optout_list(
    account: Annotated[str | None, typer.Option(help="Only this account.")] = None,
    format_: FormatOption = "table",
    config: ConfigOption = DEFAULT_CONFIG,
    set_: SetOption = None,
) -> None:
    """Recorded opt-outs, oldest first."""
    _print_rows(config, set_, account, ("opt_out",), format_)


def inbound(
    account: AccountArg,
    user: UserArg,
    text: Annotated[str, typer.Argument(help="What the user wrote.")],
    via: Annotated[str, typer.Option(help="reply, mention or dm.")] = "dm",
    interaction: Annotated[str | None, typer.Option(help="The id of the user's post or message.")] = None,
    at: AtOption = None,
    by: ByOption = None,
    config: ConfigOption = DEFAULT_CONFIG,
    set_: SetOption = None,
) -> None:
    """Record a message a user sent the account: "stop" and the like opt out, anything else opts in."""
    with _ledger(config, set_, by, account) as ledger:
        _said(ledger.inbound(account, user, text, _when(at), via, interaction=interaction))


def _print_rows(
    config: Path, set_: list[str] | None, account: str | None, kinds: tuple[str, ...], format_: str
) -> None:
    from botwarden.store.consent import ledger_rows

    if format_ not in ("table", "json"):
        raise InputError(f"--format must be table or json, not {format_!r}")
    cfg = load_config(config, set_)
    with open_store(str(cfg.settings["database_url"]))() as session:
        rows = ledger_rows(session, account, kinds)
    if format_ == "json":
        for row in rows:
            sys.stdout.write(
                json.dumps(
                    {
                        "id": row.id,
                        "kind": row.kind,
                        "account": row.account_id,
                        "user": row.user,
                        "at": row.at.isoformat(),
                        "via": row.via,
                        "interaction": row.interaction,
                        "sensitive": row.sensitive,
                        "owner": row.owner,
                        "actions": row.actions,
                        "purpose_version": row.purpose_version,
                        "delete_notice": row.delete_notice,
                        "recorded_by": row.recorded_by,
                        "recorded_at": row.recorded_at.isoformat(),
                        "note": row.note,
                        "refers_to": row.refers_to,
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
        return
    table = Table("line", "at", "kind", "account", "user / owner", "details", "recorded by")
    for row in rows:
        details = row.via or ", ".join(row.actions) or row.purpose_version or ""
        if row.kind == "consent":
            details = f"{', '.join(row.actions)} (purpose {row.purpose_version})"
        elif row.kind == "redaction":
            details = f"line {row.refers_to}: {row.note}"
        table.add_row(
            str(row.id),
            f"{row.at:%Y-%m-%d %H:%M}",
            row.kind,
            row.account_id or "",
            f"@{row.user}" if row.user else row.owner or "",
            details,
            f"{row.recorded_by} {row.recorded_at:%Y-%m-%d %H:%M}",
        )
    out.print(table)
