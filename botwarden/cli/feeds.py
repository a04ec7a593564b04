"""``botwarden feeds …``: add a feed and its route, import an OPML file, export the feeds as OPML; the
configuration file is written back with its comments kept (``botwarden.configfile``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from botwarden.cli.common import DEFAULT_CONFIG, ConfigOption, out
from botwarden.errors import InputError

feeds_app = typer.Typer(help="Add feeds and routes, import and export OPML.", no_args_is_help=True)

AccountOption = Annotated[
    str | None, typer.Option("--account", help="Route the feed to this account (its id in the config file).")
]
TemplateOption = Annotated[
    str | None, typer.Option(help="The route's post template, e.g. '{title} {link} {hashtags}'.")
]
FirstRunOption = Annotated[
    str | None,
    typer.Option("--first-run", help="What the new route posts of the backlog: newest, none or all."),
]


@feeds_app.command("add")
def add(
    url: Annotated[str, typer.Argument(help="The feed's URL (or a file path).")],
    account: AccountOption = None,
    feed_id: Annotated[
        str | None, typer.Option("--id", help="The feed's id (default: from its address).")
    ] = None,
    template: TemplateOption = None,
    first_run: FirstRunOption = None,
    interval: Annotated[int | None, typer.Option(min=1, help="Minutes between fetches.")] = None,
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Add a feed (or reuse the one with this URL) and route it to an account."""
    from botwarden.configfile import ConfigFile, feed_id_for

    document = ConfigFile.load(config)
    existing = document.feed_with_url(url.strip())
    if existing is not None and feed_id not in (None, existing):
        raise InputError(f"{url} is already feed '{existing}' in {config}; route it with --id {existing}")
    said = []
    if existing is None:
        taken = {f.get("id", "") for f in document.feeds()}
        new_id = feed_id or feed_id_for(url.strip(), taken)
        document.add_feed({"id": new_id, "url": url.strip(), "interval_minutes": interval})
        said.append(f"feed '{new_id}'")
    else:
        new_id = existing
    if account is not None:
        document.add_route(_route(new_id, account, template, first_run))
        said.append(f"route {new_id}->{account}")
    if not said:
        raise InputError(f"{url} is already feed '{existing}'; give --account to route it to an account")
    document.save()
    out.print(f"Added {' and '.join(said)} to {config}. `botwarden preview` shows what it would post.")


@feeds_app.command("import")
def import_(
    opml: Annotated[Path, typer.Argument(help="An OPML file, as feed readers export it.")],
    account: AccountOption = None,
    template: TemplateOption = None,
    first_run: FirstRunOption = None,
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Add every feed of an OPML file (those already there are kept), each routed to --account if given."""
    from botwarden.configfile import ConfigFile, feed_id_for
    from botwarden.feeds.opml import read_opml

    try:
        data = opml.read_bytes()
    except OSError as exc:
        raise InputError(f"{opml}: cannot read it ({exc.strerror or exc})") from None
    listed = read_opml(data, str(opml))
    document = ConfigFile.load(config)
    taken = {f.get("id", "") for f in document.feeds()}
    routed = {(r.get("feed"), r.get("account")) for r in document.routes()}
    added = kept = routes = 0
    for feed in listed:
        feed_id = document.feed_with_url(feed.url)
        if feed_id is None:
            feed_id = feed_id_for(feed.url, taken, feed.title)
            taken.add(feed_id)
            document.add_feed({"id": feed_id, "url": feed.url})
            added += 1
        else:
            kept += 1
        if account is not None and (feed_id, account) not in routed:
            document.add_route(_route(feed_id, account, template, first_run))
            routed.add((feed_id, account))
            routes += 1
    document.save()
    out.print(
        f"{opml}: {len(listed)} feed(s); added {added}, {kept} already there"
        + (
            f"; {routes} new route(s) to {account}"
            if account
            else "; route them with `feeds add URL --account`"
        )
        + f". Written to {config}."
    )


@feeds_app.command("export")
def export(
    output: Annotated[
        Path | None, typer.Option("--out", help="Write it here (default: standard output).")
    ] = None,
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """The configuration's feeds as an OPML file, for a feed reader or another botwarden."""
    from botwarden.configfile import ConfigFile
    from botwarden.feeds.opml import OpmlFeed, write_opml

    document = ConfigFile.load(config)
    feeds = [OpmlFeed(str(f["url"]), str(f.get("id", ""))) for f in document.feeds() if f.get("url")]
    data = write_opml(feeds, f"botwarden feeds ({config.name})")
    if output is None:
        sys.stdout.buffer.write(data)
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise InputError(f"--out {output}: cannot write it ({exc.strerror or exc})") from None
    out.print(f"wrote {len(feeds)} feed(s) to {output}")


def _route(feed_id: str, account: str, template: str | None, first_run: str | None) -> dict[str, Any]:
    return {"feed": feed_id, "account": account, "template": template, "first_run": first_run}
