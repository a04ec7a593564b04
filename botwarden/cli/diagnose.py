"""``botwarden diagnose``: why was my account locked? Reads exports (or botwarden's own store), replays them
through the rules and ranks the likely causes against each lock."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from botwarden import settings as settings_table
from botwarden.cli.common import SetOption, err, open_store, out
from botwarden.errors import InputError


def diagnose(
    exports: Annotated[
        list[Path] | None,
        typer.Argument(
            help="X archive (.zip, folder or tweets.js), Mastodon export, Bluesky .car, CSV/JSONL."
        ),
    ] = None,
    locked: Annotated[
        list[str] | None,
        typer.Option("--locked", help="When an account was locked: TIME (all) or ACCOUNT=TIME. Repeatable."),
    ] = None,
    database: Annotated[
        str | None,
        typer.Option(
            "--database", help="Diagnose what botwarden posted, with the locks it met, from its store."
        ),
    ] = None,
    trends: Annotated[
        Path | None, typer.Option(help="Trend lines (replay format, JSONL) to compare the posts with.")
    ] = None,
    account: Annotated[
        str | None, typer.Option(help="The account's name, when the export does not say (one export only).")
    ] = None,
    resolve: Annotated[
        bool,
        typer.Option(
            "--resolve-links", help="Follow each link's redirects (network access) for BW301-BW305."
        ),
    ] = False,
    format_: Annotated[str, typer.Option("--format", help="text, json or html")] = "text",
    output: Annotated[Path | None, typer.Option("--out", help="Write the report here (json, html).")] = None,
    set_: SetOption = None,
) -> None:
    """Why was my account locked? The patterns a spam system most likely saw, and the posts behind them."""
    from botwarden.diagnose import (
        ImportLimits,
        dumps,
        load_export,
        parse_lock,
        posts_from_store,
        print_summary,
        read_trends,
        resolve_links,
        to_html,
    )
    from botwarden.diagnose import (
        diagnose as run_diagnosis,
    )

    if format_ not in ("text", "json", "html"):
        raise InputError(f"--format must be text, json or html, not {format_!r}")
    paths = exports or []
    if not paths and not database:
        raise InputError("name at least one export (or --database to read botwarden's own store)")
    if account and len(paths) != 1:
        raise InputError("--account names the account of one export; give one export, or none of --account")
    settings = settings_table.resolve({}, overrides=settings_table.parse_overrides(set_ or []))
    locks = [parse_lock(value) for value in locked or []]
    posts, sources = [], []
    limits = ImportLimits.from_settings(settings)
    for path in paths:
        with err.status(f"reading {path}…"):
            export = load_export(path, account=account, limits=limits)
        found = export.posts
        err.print(
            f"{path}: {len(found):,} posts of {', '.join(sorted({p.account for p in found})) or 'no one'}",
            markup=False,
        )
        _print_skipped(export.skipped, export.notes)
        posts += found
        sources.append(str(path))
    if database:
        with open_store(database)() as session:
            stored, stored_locks = posts_from_store(session)
        posts += stored
        locks += stored_locks
        sources.append("botwarden store")
    if not posts:
        raise InputError("the export(s) hold no posts to diagnose")
    links = []
    if resolve:
        with err.status("following the links' redirects…"):
            links = resolve_links(posts, settings)
        err.print(f"followed {len(links):,} distinct links")
    with Progress(
        TextColumn("checking posts"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("", total=len(posts))
        result = run_diagnosis(
            posts,
            locks,
            sources=sources,
            trends=read_trends(trends) if trends else (),
            links=links,
            settings=settings,
            progress=lambda done, total: bar.update(task, completed=done),
        )
    if format_ == "text":
        print_summary(result, out)
        return
    document = dumps(result) + "\n" if format_ == "json" else to_html(result)
    if output is None:
        sys.stdout.write(document)
        return
    try:
        output.write_text(document, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"--out {output}: cannot write it ({exc.strerror or exc})") from None
    err.print(f"wrote {output}")


def _print_skipped(skipped: int, notes: list[str]) -> None:
    """Records that could not be read: how many, and the first few with where and why."""
    if not skipped:
        return
    err.print(f"  {skipped:,} record(s) could not be read and were skipped:", markup=False)
    for note in notes[:5]:
        err.print(f"  - {note}", markup=False, highlight=False)
    if skipped > min(len(notes), 5):
        err.print(f"  … and {skipped - min(len(notes), 5):,} more", markup=False)
