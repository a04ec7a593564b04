"""The queue from the command line: ``queue`` (what is waiting, what happened and why), ``review`` (held
entries with their explanation and evidence), ``approve``, ``reject`` and ``retry`` by id, and ``skipped``
(items a route never queued, and why). Everything a person does from the dashboard, without a server."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from botwarden.cli.common import (
    DEFAULT_CONFIG,
    ConfigOption,
    DatabaseOption,
    FormatOption,
    SetOption,
    by_whom,
    checked_format,
    database_url,
    open_store,
    out,
    reading,
    utcnow,
    write_json,
)
from botwarden.cli.entries import print_entries
from botwarden.errors import InputError

if TYPE_CHECKING:
    from botwarden.store import Transaction
    from botwarden.store.reads import EntryView
    from botwarden.store.skipped import SkippedView
    from botwarden.store.views import EntryReport

# The words `queue --state` takes: the queue's states, and the outcomes its table shows.
STATE_WORDS: dict[str, tuple[str, ...]] = {
    "pending": ("pending",),
    "ready": ("ready",),
    "queued": ("pending", "ready"),
    "delayed": ("pending", "ready"),  # ... that were delayed at least once
    "sending": ("sending",),
    "sent": ("sent",),
    "posted": ("sent",),
    "held": ("held",),
    "denied": ("denied",),
    "failed": ("failed",),
    "cancelled": ("cancelled",),
}
IdsArg = Annotated[list[int], typer.Argument(help="Queue entry ids (`botwarden queue` shows them).")]
ByOption = Annotated[
    str | None, typer.Option("--by", help="Who decides (kept with the entry); default: your login.")
]
AccountOption = Annotated[str | None, typer.Option(help="Only this account.")]


def queue(
    config: ConfigOption = DEFAULT_CONFIG,
    set_: SetOption = None,
    database: DatabaseOption = None,
    state: Annotated[
        list[str] | None,
        typer.Option(help=f"Only entries in these states (repeatable): {', '.join(STATE_WORDS)}."),
    ] = None,
    account: AccountOption = None,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many, newest first.")] = 100,
    format_: FormatOption = "table",
) -> None:
    """The queue, newest first, each entry with the rule codes and the reason behind where it stands."""
    format_ = checked_format(format_)
    states, delayed = _states(state or [])
    with reading(database_url(config, set_, database)) as store:
        _known_account(store.account_ids(), account)
        entries = store.entry_reports(
            account=account, states=states, delayed=delayed, newest_first=True, limit=limit
        )
        total = store.count_entries(account=account, states=states, delayed=delayed)
    if format_ != "table":
        write_json([_entry_json(e) for e in entries], format_)
        return
    if not entries:
        out.print("The queue has no such entries." if state or account else "The queue is empty.")
        return
    print_entries(entries, out, ids=True, text=True)
    _more(total - len(entries), "--limit")


def review(
    config: ConfigOption = DEFAULT_CONFIG,
    set_: SetOption = None,
    database: DatabaseOption = None,
    account: AccountOption = None,
    limit: Annotated[int, typer.Option(min=1)] = 100,
    format_: FormatOption = "table",
) -> None:
    """Held entries, each with the findings that hold it and their evidence; then approve or reject."""
    from botwarden.store.reads import account_ids, count_entries, entry_views

    format_ = checked_format(format_)
    with open_store(database_url(config, set_, database))() as session:
        _known_account(account_ids(session), account)
        held = entry_views(session, state="held", account=account, limit=limit)
        total = count_entries(session, account=account, states=["held"])
    if format_ != "table":
        write_json([_held_json(e) for e in held], format_)
        return
    if not held:
        out.print("Nothing is waiting for review.")
        return
    for entry in held:
        _print_held(entry)
    _more(total - len(held), "--limit")
    out.print("[dim]botwarden approve ID … | botwarden reject ID …[/]")


def approve(
    ids: IdsArg,
    config: ConfigOption = DEFAULT_CONFIG,
    set_: SetOption = None,
    database: DatabaseOption = None,
    by: ByOption = None,
) -> None:
    """Approve held entries: the holds they show no longer stop them and they are checked again. An entry
    whose account is stopped (BW904) stays held until `botwarden accounts resume`; this says so."""
    from botwarden.store.review import approve as approve_entry

    def one(session: Transaction, entry_id: int) -> str:
        return approve_entry(session, entry_id, by_whom(by), utcnow()).describe()

    _each(ids, config, set_, database, one)


def reject(
    ids: IdsArg,
    config: ConfigOption = DEFAULT_CONFIG,
    set_: SetOption = None,
    database: DatabaseOption = None,
    by: ByOption = None,
) -> None:
    """Reject held entries: they are never sent."""
    from botwarden.store.review import reject as reject_entry

    def one(session: Transaction, entry_id: int) -> str:
        reject_entry(session, entry_id, by_whom(by), utcnow())
        return f"entry {entry_id} rejected; it will not be sent"

    _each(ids, config, set_, database, one)


def retry(
    ids: IdsArg,
    config: ConfigOption = DEFAULT_CONFIG,
    set_: SetOption = None,
    database: DatabaseOption = None,
    by: ByOption = None,
) -> None:
    """Send failed entries back to the queue, their attempts counted afresh."""
    from botwarden.store.review import retry as retry_entry

    def one(session: Transaction, entry_id: int) -> str:
        return retry_entry(session, entry_id, by_whom(by), utcnow())

    _each(ids, config, set_, database, one)


def skipped(
    config: ConfigOption = DEFAULT_CONFIG,
    set_: SetOption = None,
    database: DatabaseOption = None,
    account: AccountOption = None,
    route: Annotated[str | None, typer.Option(help="Only this route (FEED->ACCOUNT).")] = None,
    kind: Annotated[
        list[str] | None,
        typer.Option(help="Only these reasons (repeatable): filter, too_old, first_run, no_login."),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many, newest first.")] = 100,
    format_: FormatOption = "table",
) -> None:
    """Items a route never queued, and why: a filter, their age, the first run's backlog, no login."""
    from botwarden.store.skipped import KINDS, skipped_views

    format_ = checked_format(format_)
    unknown = sorted(set(kind or []) - set(KINDS))
    if unknown:
        raise InputError(f"--kind {unknown[0]!r}: not a reason; one of {', '.join(KINDS)}")
    from botwarden.store.reads import account_ids

    with open_store(database_url(config, set_, database))() as session:
        _known_account(account_ids(session), account)
        rows, total = skipped_views(session, account=account, route=route, kinds=kind, limit=limit)
    if format_ != "table":
        write_json([_skipped_json(s) for s in rows], format_)
        return
    if not rows:
        out.print("No item was skipped" + (f" by {route or account}" if route or account else "") + ".")
        return
    table = Table("seen", "route", "item", "why", title="Skipped items, newest first")
    for s in rows:
        table.add_row(
            f"{s.at:%m-%d %H:%M}",
            s.route,
            escape(s.title or s.link),
            f"[dim]{s.kind}:[/] {escape(s.reason)}",
        )
    out.print(table)
    _more(total - len(rows), "--limit")


# -- helpers ------------------------------------------------------------------------------------------


def _states(words: list[str]) -> tuple[list[str], bool]:
    """The queue states the words name, and whether only entries once delayed are wanted."""
    states: list[str] = []
    for word in words:
        found = STATE_WORDS.get(word.strip().lower())
        if found is None:
            raise InputError(f"--state {word!r}: not a state; one of {', '.join(STATE_WORDS)}")
        states += found
    delayed = bool(words) and all(word.strip().lower() == "delayed" for word in words)
    return sorted(set(states)), delayed


def _known_account(known: list[str], account: str | None) -> None:
    if account is not None and account not in known:
        shown = ", ".join(known[:10]) + (f" and {len(known) - 10} more" if len(known) > 10 else "")
        raise InputError(f"--account {account!r}: no such account in the store (known: {shown or 'none'})")


def _more(hidden: int, option: str) -> None:
    if hidden > 0:
        out.print(f"… and {hidden:,} more ({option} to see more)", highlight=False)


def _each(ids: list[int], config: Any, set_: list[str] | None, database: str | None, one: Any) -> None:
    """Apply ``one`` to each entry in its own transaction; a refused one is said and the rest go on."""
    sessions = open_store(database_url(config, set_, database))
    refused = 0
    for entry_id in ids:
        try:
            with sessions.begin() as session:
                out.print(escape(one(session, entry_id)), highlight=False)
        except InputError as exc:
            refused += 1
            out.print(f"[red]{escape(str(exc))}[/]", highlight=False)
    if refused:
        raise typer.Exit(1)


def _print_held(entry: EntryView) -> None:
    out.print(
        f"[bold]#{entry.id}[/] {entry.account_id}  [dim]{entry.route_id}, held, "
        f"due {entry.not_before:%Y-%m-%d %H:%M} UTC[/]",
        highlight=False,
    )
    out.print(f"  {escape(entry.text)}", highlight=False)
    for finding in entry.verdict.findings if entry.verdict else []:
        if finding.get("severity") not in ("hold", "deny", "delay", "warn"):
            continue
        out.print(
            f"  [magenta]{finding['code']}[/] {finding.get('slug', '')} ({finding.get('severity')}): "
            f"{escape(str(finding.get('message', '')))}",
            highlight=False,
        )
        evidence = finding.get("evidence") or {}
        if evidence:
            shown = "; ".join(f"{k}: {v}" for k, v in evidence.items())
            out.print(f"    [dim]evidence: {escape(shown)}[/]", highlight=False)
    out.print()


def _entry_json(e: EntryReport) -> dict[str, Any]:
    return {
        "id": e.id,
        "account": e.account,
        "route": e.route,
        "state": e.state,
        "outcome": e.outcome,
        "codes": list(e.codes),
        "reason": e.reason,
        "title": e.title,
        "text": e.text,
        "created_at": e.created_at,
        "not_before": e.not_before,
        "posted_at": e.posted_at,
    }


def _held_json(e: EntryView) -> dict[str, Any]:
    verdict = e.verdict
    return {
        "id": e.id,
        "account": e.account_id,
        "route": e.route_id,
        "state": e.state,
        "text": e.text,
        "not_before": e.not_before,
        "codes": list(verdict.codes) if verdict else [],
        "findings": list(verdict.findings) if verdict else [],
    }


def _skipped_json(s: SkippedView) -> dict[str, Any]:
    return {
        "at": s.at,
        "route": s.route,
        "account": s.account,
        "feed": s.feed,
        "item": s.item,
        "title": s.title,
        "link": s.link,
        "published": s.published,
        "kind": s.kind,
        "reason": s.reason,
    }
