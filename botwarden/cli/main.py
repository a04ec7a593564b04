"""The ``botwarden`` command line."""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from botwarden import settings as settings_table
from botwarden.cli.accounts import accounts_app, spend
from botwarden.cli.common import (
    DEFAULT_CONFIG,
    ConfigOption,
    DatabaseOption,
    SetOption,
    database_url,
    err,
    load_config,
    open_store,
    out,
)
from botwarden.cli.consent import consent_app, inbound, optin_app, optout_app
from botwarden.cli.diagnose import diagnose
from botwarden.cli.service import serve, tokens_app
from botwarden.errors import BotwardenError, ConfigError, InputError

if TYPE_CHECKING:
    from botwarden.run.plan import PostPlan

app = typer.Typer(
    help="Feed bots that check every action against the automation rules before acting.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(accounts_app, name="accounts")
app.add_typer(consent_app, name="consent", no_args_is_help=True)
app.add_typer(optin_app, name="optin", no_args_is_help=True)
app.add_typer(optout_app, name="optout", no_args_is_help=True)
app.command("inbound")(inbound)
app.command("diagnose")(diagnose)
app.command("spend")(spend)
app.command("serve")(serve)
app.add_typer(tokens_app, name="tokens")


def _logging(verbose: bool) -> None:
    from rich.logging import RichHandler

    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=err, show_path=False)],
        force=True,
    )


# -- setting up --------------------------------------------------------------------------------------


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="Where to write it.")] = DEFAULT_CONFIG,
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented starter configuration."""
    if path.exists() and not force:
        raise InputError(f"{path} already exists; use --force to overwrite it")
    path.write_text(
        resources.files("botwarden").joinpath("starter.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    out.print(f"Wrote {path}. Edit the feed URL, then run [bold]botwarden preview[/] to see the posts.")


@app.command("settings")
def show_settings() -> None:
    """List every setting with its default and environment variable."""
    table = Table("name", "default", "environment", "meaning")
    for s in settings_table.SETTINGS:
        table.add_row(s.name, repr(s.default), s.env_var, s.help)
    out.print(table)


# -- running -----------------------------------------------------------------------------------------


@app.command()
def run(
    config: ConfigOption = DEFAULT_CONFIG,
    set_: SetOption = None,
    once: Annotated[bool, typer.Option("--once", help="Do one pass, then exit.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = True,
    worker_id: Annotated[
        str | None, typer.Option("--id", help="This worker's name in leases and logs (default: random).")
    ] = None,
) -> None:
    """Fetch, compose, check, pace and publish, until stopped (Ctrl-C)."""
    from botwarden.run.loop import PassReport, Runtime, utcnow

    _logging(verbose)
    runtime = Runtime(load_config(config, set_), worker_id=worker_id)
    try:
        runtime.require_logins()
    except ConfigError:
        runtime.close()
        raise

    def show(report: PassReport) -> None:
        i, p = report.ingest, report.publish
        out.print(
            f"{report.at:%Y-%m-%d %H:%M:%S} fetched {i.fetched} (not modified {i.not_modified}, "
            f"failed {i.failed}), {i.new_items} new, {i.queued} queued; posted {p.posted}, "
            f"delayed {p.delayed}, held {p.held}, denied {p.denied}, failed {p.failed}"
        )

    try:
        if once:
            show(runtime.run_pass(utcnow(), utcnow))
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            runtime.run_forever(stop, on_pass=show)
        except KeyboardInterrupt:
            out.print("stopped")
    finally:
        runtime.close()


@app.command()
def worker(
    config: ConfigOption = DEFAULT_CONFIG,
    set_: SetOption = None,
    worker_id: Annotated[
        str | None, typer.Option("--id", help="This worker's name in leases and logs (default: random).")
    ] = None,
) -> None:
    """One of several workers sharing a PostgreSQL store: claims due feeds and posts with row locks
    (FOR UPDATE SKIP LOCKED), never two posts of one account at once. Runs until stopped."""
    run(config=config, set_=set_, once=False, verbose=True, worker_id=worker_id)


@app.command()
def preview(
    config: ConfigOption = DEFAULT_CONFIG,
    set_: SetOption = None,
    limit: Annotated[int, typer.Option(help="Items per route.")] = 3,
) -> None:
    """Show what a first run would post of the newest items, as `run` would: filters, the first-run
    choice, each network's text and measured length, images and alt text, the card, and the verdict."""
    from botwarden.cli.preview import preview_routes

    cfg = load_config(config, set_)
    for route_id, posts, error in preview_routes(cfg, limit=limit):
        out.rule(f"[bold]{route_id}[/]")
        if error:
            out.print(f"[red]cannot fetch:[/] {error}")
            continue
        for post in posts:
            out.print(f"[dim]{escape(post.title)}[/]")
            if post.plan is None or post.verdict is None:
                out.print(f"  [yellow]{escape(post.skipped)}[/]")
                continue
            _show_plan(post.plan)
            codes = " ".join(post.verdict.codes)
            reason = post.verdict.reason()
            out.print(
                f"  verdict: [bold]{post.verdict.decision.value}[/]"
                + (f" {codes}" if codes else "")
                + (f" — {escape(reason)}" if reason else "")
            )


def _show_plan(plan: PostPlan) -> None:
    count = len(plan.parts)
    for number, draft in enumerate(plan.parts, start=1):
        colour = "green" if draft.fits else "red"
        label = f"  [{number}/{count}] " if count > 1 else "  "
        out.print(f"{label}{escape(draft.text)}")
        out.print(
            f"  [{colour}]{draft.measure.length}/{draft.measure.limit} on {draft.network}[/]"
            + (f"  [dim]({escape('; '.join(draft.notes))})[/]" if draft.notes else "")
        )
    for attached in plan.attachments:
        picture = attached.image.picture
        size = f"{picture.width}×{picture.height}" if picture else "?"
        out.print(f"  image: {escape(attached.image.url)} ({size})  alt: {escape(attached.alt)}")
    if plan.card is not None:
        thumb = f", thumbnail {escape(plan.card.thumb.image.url)}" if plan.card.thumb else ", no thumbnail"
        out.print(f"  card: {escape(plan.card.title)} → {escape(plan.card.url)}{thumb}")
    for missing in plan.missing:
        out.print(f"  [yellow]image left out:[/] {escape(missing)}")


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Where the demo's store goes.")] = Path(
        "demo-output"
    ),
) -> None:
    """Run one simulated day of three sample bots on loopback and print what happened and why."""
    from botwarden.demo.run import print_summary, run_demo

    _logging(False)
    out.print("Serving three sample feeds on 127.0.0.1 and running one simulated day (5-minute steps)…")
    print_summary(run_demo(out_dir, out), out)


# -- looking -----------------------------------------------------------------------------------------


@app.command()
def status(
    config: ConfigOption = DEFAULT_CONFIG, set_: SetOption = None, database: DatabaseOption = None
) -> None:
    """Accounts, queue and feeds at a glance."""
    from botwarden.run.loop import utcnow
    from botwarden.store import reads

    with open_store(database_url(config, set_, database))() as session:
        summaries = reads.account_summaries(session, utcnow())
        feed_views = reads.feed_views(session)
    accounts = Table(
        "account", "network", "status", "since", "queued", "sent", "held", "denied", title="Accounts"
    )
    for acc in summaries:
        state = "[green]ok[/]" if acc.status == "ok" else f"[red]{acc.status}[/]"
        queued = acc.queue.get("pending", 0) + acc.queue.get("ready", 0)
        accounts.add_row(
            acc.id,
            acc.network,
            state,
            f"{acc.status_since:%Y-%m-%d %H:%M}" if acc.status_since else "",
            str(queued),
            str(acc.queue.get("sent", 0)),
            str(acc.queue.get("held", 0)),
            str(acc.queue.get("denied", 0)),
        )
    out.print(accounts)
    feeds = Table(
        "feed", "last fetch", "status", "errors in a row", "next fetch", "last error", title="Feeds"
    )
    for feed in feed_views:
        feeds.add_row(
            feed.id,
            f"{feed.last_fetched_at:%Y-%m-%d %H:%M}" if feed.last_fetched_at else "never",
            feed.last_status,
            str(feed.error_streak),
            f"{feed.next_fetch_at:%Y-%m-%d %H:%M}" if feed.next_fetch_at else "now",
            feed.last_error[:80],
        )
    out.print(feeds)


@app.command()
def queue(
    config: ConfigOption = DEFAULT_CONFIG,
    set_: SetOption = None,
    database: DatabaseOption = None,
    state: Annotated[list[str] | None, typer.Option(help="Only these states.")] = None,
    account: Annotated[str | None, typer.Option(help="Only this account.")] = None,
    limit: Annotated[int, typer.Option()] = 100,
    format_: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """The queue, each entry with its verdict's rule codes and reason."""
    from botwarden.store.reads import entry_reports

    with open_store(database_url(config, set_, database))() as session:
        entries = entry_reports(session, account=account, states=state, limit=limit)
    if format_ == "json":
        for e in entries:
            out.print_json(
                json.dumps(
                    {
                        "id": e.id,
                        "account": e.account,
                        "state": e.state,
                        "outcome": e.outcome,
                        "codes": list(e.codes),
                        "reason": e.reason,
                        "text": e.text,
                        "not_before": e.not_before.isoformat(),
                    }
                )
            )
        return
    table = Table("id", "account", "state", "not before", "rules", "text / reason")
    for e in entries:
        table.add_row(
            str(e.id),
            e.account,
            e.outcome,
            f"{e.not_before:%m-%d %H:%M}",
            " ".join(e.codes),
            e.text + (f"\n[dim]{e.reason}[/]" if e.reason else ""),
        )
    out.print(table)


@app.command()
def timeline(
    config: ConfigOption = DEFAULT_CONFIG,
    set_: SetOption = None,
    database: DatabaseOption = None,
    account: Annotated[str | None, typer.Option(help="Only this account.")] = None,
    limit: Annotated[int, typer.Option()] = 50,
) -> None:
    """What the local network shows: the posts, newest first."""
    from botwarden.store import timeline as local_timeline

    with open_store(database_url(config, set_, database))() as session:
        posts = local_timeline.latest(session, account=account, limit=limit)
    table = Table("at", "account", "post")
    for post in posts:
        table.add_row(f"{post.at:%Y-%m-%d %H:%M}", post.account_id, post.text)
    out.print(table)


# -- rules -------------------------------------------------------------------------------------------


@app.command()
def rules(format_: Annotated[str, typer.Option("--format", help="table or json")] = "table") -> None:
    """The rule catalogue."""
    from botwarden.rules import load_registry

    registry = load_registry()
    if format_ == "json":
        sys.stdout.write(json.dumps([_rule_json(r) for r in registry], indent=2) + "\n")
        return
    table = Table("code", "slug", "default", "enforced", "what it catches")
    for rule in registry:
        table.add_row(rule.code, rule.slug, rule.severity.label, rule.enforced, rule.summary)
    out.print(table)


@app.command()
def check(
    replay: Annotated[Path, typer.Option("--replay", help="A JSON Lines scenario (see RULES.md).")],
    format_: Annotated[str, typer.Option("--format", help="json (one verdict a line) or text")] = "text",
) -> None:
    """Replay a scenario and print one verdict per action line."""
    from botwarden.replay import Replay, read_lines

    if format_ not in ("json", "text"):
        raise InputError(f"--format must be json or text, not {format_!r}")
    try:
        raw = replay.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{replay}: cannot read it ({exc})") from None
    parsed = read_lines(raw, str(replay))
    for verdict in Replay().run(parsed, str(replay)):
        if format_ == "json":
            sys.stdout.write(json.dumps(verdict.to_json(), ensure_ascii=False) + "\n")
            continue
        codes = " ".join(verdict.codes)
        out.print(f"[bold]{verdict.action_id}[/]: {verdict.decision.value} {codes}".rstrip(), highlight=False)
        for finding in verdict.findings:
            out.print(
                f"  {finding.code} {finding.slug} ({finding.severity.label}): {finding.message}",
                highlight=False,
            )


@app.command()
def explain(
    code: Annotated[str, typer.Argument(help="A rule code (BW101) or slug (duplicate-post).")],
) -> None:
    """Explain one rule: what it catches, why, and what it enforces."""
    from rich.markup import escape

    from botwarden.rules import load_registry
    from botwarden.rules.examples import examples_for

    rule = load_registry().get(code)
    if rule is None:
        raise InputError(f"no rule '{code}'; `botwarden rules` lists them")
    out.print(
        f"[bold]{rule.code} {rule.slug}[/]  (default: {rule.severity.label}, enforced: {rule.enforced})"
    )
    out.print(f"Enforces: {rule.section}")
    out.print(f"\n{rule.summary}\n\n{rule.explanation}")
    for example in examples_for(rule.code):
        what = example.action.get("text") or f"{example.action['kind']} {example.action.get('target', '')}"
        out.print(f"\n[bold]{example.title}[/] ({example.decision}): {escape(what)}", highlight=False)
        if example.message:
            out.print(f"  {rule.code}: {escape(example.message)}", highlight=False)


def _rule_json(rule: Any) -> dict[str, str]:
    return {
        "code": rule.code,
        "slug": rule.slug,
        "family": rule.family,
        "severity": rule.severity.label,
        "enforced": rule.enforced,
        "section": rule.section,
        "summary": rule.summary,
        "explanation": rule.explanation,
    }


def main() -> None:
    """Entry point. Typer handles usage errors; a BotwardenError becomes one message and an exit code."""
    try:
        app()
    except BotwardenError as exc:
        label = "configuration error" if isinstance(exc, ConfigError) else "error"
        err.print(f"[bold red]{label}:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
