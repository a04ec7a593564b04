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
from botwarden.cli.accounts import accounts_app
from botwarden.cli.common import (
    DEFAULT_CONFIG,
    ConfigOption,
    DatabaseOption,
    SetOption,
    configured_accounts,
    database_url,
    err,
    load_config,
    open_store,
    out,
)
from botwarden.cli.consent import consent_app, inbound, optin_app, optout_app
from botwarden.cli.diagnose import diagnose
from botwarden.cli.feeds import feeds_app
from botwarden.cli.limits import limits
from botwarden.cli.queue import approve, queue, reject, retry, review, skipped
from botwarden.cli.service import serve, tokens_app
from botwarden.cli.spend import spend
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
app.command("limits")(limits)
app.command("serve")(serve)
app.command("queue")(queue)
app.command("review")(review)
app.command("approve")(approve)
app.command("reject")(reject)
app.command("retry")(retry)
app.command("skipped")(skipped)
app.add_typer(tokens_app, name="tokens")
app.add_typer(feeds_app, name="feeds")


LogLevelOption = Annotated[
    str,
    typer.Option(
        "--log-level", envvar="BOTWARDEN_LOG_LEVEL", help="debug, info, warning or error.", show_default=True
    ),
]
LogFormatOption = Annotated[
    str,
    typer.Option(
        "--log-format",
        envvar="BOTWARDEN_LOG_FORMAT",
        help="text (one line an event) or json (one object a line); times are ISO 8601 UTC.",
    ),
]


def _version(value: bool) -> None:
    if value:
        from botwarden import __version__

        sys.stdout.write(f"botwarden {__version__}\n")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Feed bots that check every action against the automation rules before acting."""


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
    log_level: LogLevelOption = "info",
    log_format: LogFormatOption = "text",
    worker_id: Annotated[
        str | None, typer.Option("--id", help="This worker's name in leases and logs (default: random).")
    ] = None,
) -> None:
    """Fetch, compose, check, pace and publish, until stopped (Ctrl-C or SIGTERM)."""
    from botwarden.cli.logs import configure
    from botwarden.run.loop import PassLog, Runtime, utcnow

    configure(log_level, log_format)
    cfg = load_config(config, set_)
    runtime = Runtime(cfg, worker_id=worker_id)
    try:
        if once:
            report = runtime.run_pass(utcnow(), utcnow)
            out.print(f"{report.at:%Y-%m-%d %H:%M:%S} {report.summary()}", highlight=False)
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        watch = FileWatch(config)
        try:
            while not stop.is_set():
                runtime.run_forever(
                    stop, on_pass=PassLog(cfg.settings["log_idle_minutes"]), until=watch.changed
                )
                if stop.is_set():
                    break
                runtime = _reloaded(runtime, config, set_, worker_id)
        except KeyboardInterrupt:
            logging.getLogger("botwarden.runtime").info("stopped")
    finally:
        runtime.close()


def _reloaded(runtime: Any, config: Path, set_: list[str] | None, worker_id: str | None) -> Any:
    """A runtime on the configuration file as it now is, or the running one when the file is not valid
    (the problem is logged, and the worker goes on as it was)."""
    from botwarden.run.loop import Runtime

    log = logging.getLogger("botwarden.runtime")
    try:
        cfg = load_config(config, set_)
    except ConfigError as exc:
        log.error("%s changed but is not valid, so the worker goes on as before: %s", config, exc)
        return runtime
    runtime.close()
    log.info("%s changed: feeds, routes and settings reloaded", config)
    return Runtime(cfg, worker_id=runtime.publisher.worker_id if worker_id is None else worker_id)


class FileWatch:
    """Whether a file changed since the last look (its modification time and size)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._seen = self._stamp()

    def _stamp(self) -> tuple[float, int] | None:
        try:
            found = self.path.stat()
        except OSError:
            return None
        return found.st_mtime, found.st_size

    def changed(self) -> bool:
        now = self._stamp()
        if now == self._seen or now is None:
            return False
        self._seen = now
        return True


@app.command()
def worker(
    config: ConfigOption = DEFAULT_CONFIG,
    set_: SetOption = None,
    log_level: LogLevelOption = "info",
    log_format: LogFormatOption = "text",
    worker_id: Annotated[
        str | None, typer.Option("--id", help="This worker's name in leases and logs (default: random).")
    ] = None,
) -> None:
    """One of several workers sharing a PostgreSQL store: claims due feeds and posts with row locks
    (FOR UPDATE SKIP LOCKED), never two posts of one account at once. Runs until stopped."""
    run(
        config=config,
        set_=set_,
        once=False,
        log_level=log_level,
        log_format=log_format,
        worker_id=worker_id,
    )


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
    from botwarden.cli.logs import configure
    from botwarden.demo.run import print_summary, run_demo

    configure("error")
    logging.getLogger("botwarden").setLevel(logging.CRITICAL)  # the summary tells what happened
    out.print("Serving three sample feeds on 127.0.0.1 and running one simulated day (5-minute steps)…")
    print_summary(run_demo(out_dir, out), out)


# -- looking -----------------------------------------------------------------------------------------


@app.command()
def status(
    config: ConfigOption = DEFAULT_CONFIG, set_: SetOption = None, database: DatabaseOption = None
) -> None:
    """Accounts, queue and feeds at a glance."""
    from botwarden.cli.common import reading, utcnow

    with reading(database_url(config, set_, database)) as store:
        summaries = store.account_summaries(utcnow())
        feed_views = store.feed_views()
    configured = configured_accounts(config)
    accounts = Table(
        "account", "network", "status", "since", "queued", "sent", "held", "denied", title="Accounts"
    )
    waiting = []
    for acc in summaries:
        health = acc.health(configured)
        waiting += [acc.id] if health == "no login" else []
        queued = acc.queue.get("pending", 0) + acc.queue.get("ready", 0)
        accounts.add_row(
            acc.id,
            acc.network,
            "[green]ok[/]" if health == "ok" else f"[red]{health}[/]",
            f"{acc.status_since:%Y-%m-%d %H:%M}" if acc.status_since and acc.status != "ok" else "",
            str(queued),
            str(acc.queue.get("sent", 0)),
            str(acc.queue.get("held", 0)),
            str(acc.queue.get("denied", 0)),
        )
    out.print(accounts)
    for account in waiting:
        out.print(
            f"[red]{account}[/]: no login stored, so its routes wait (the others run); "
            f"run `botwarden accounts login {account}`",
            highlight=False,
        )
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
            escape(feed.last_error[:80]),
        )
    out.print(feeds)


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
            matched = _matched_post(finding.evidence)
            if matched:
                out.print(f"    {matched}", highlight=False)


def _matched_post(evidence: dict[str, Any]) -> str:
    """The earlier post a duplicate finding matched, as a line: whose, when, and what it said."""
    text = evidence.get("earlier_text")
    if not text:
        return ""
    account = evidence.get("earlier_account") or evidence.get("other_account") or "this account"
    return f"matched: {account} at {evidence.get('earlier_at', '?')}: {text}"


@app.command()
def explain(
    code: Annotated[str, typer.Argument(help="A rule code (BW101) or slug (duplicate-post).")],
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Explain one rule: what it catches, why, and what it enforces (and what the configuration, when
    there is one, changed about it)."""
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
    for line in _overrides_of(rule.code, config):
        out.print(line, highlight=False)


def _overrides_of(code: str, path: Path) -> list[str]:
    """What the configuration at ``path`` (if there is one) sets this rule to, route by route."""
    if not path.is_file():
        return []
    from botwarden.config import load

    loaded = load(path)
    found = []
    for account in loaded.accounts:
        for route in [None, *(r for r, c in loaded.routes.items() if c.account == account)]:
            override = loaded.overrides_for(account, route).get(code)
            if override is not None:
                found.append(f"  {override.source}: {override.choice}")
    lines = sorted(set(found))
    return [f"\nIn {path}, set by the operator:", *lines] if lines else []


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
