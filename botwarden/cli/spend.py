"""``botwarden spend``: what the X accounts' calls cost, writes and reads, per day; the month against the
spend cap; and the days reconciled with X's own usage report."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
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

if TYPE_CHECKING:
    from collections.abc import Mapping

    from botwarden.config import AccountConfig
    from botwarden.store.spend import SpendLine, UsageDay

APP = "(the app)"  # calls made for no one account: trends, the usage report


@dataclass(slots=True)
class _Day:
    posts: int = 0
    link_posts: int = 0
    writes_usd: float = 0.0
    reads: int = 0
    reads_usd: float = 0.0


def spend(
    days: Annotated[int, typer.Option(min=1, help="How many days back.")] = 7,
    config: ConfigOption = DEFAULT_CONFIG,
    set_: SetOption = None,
    database: DatabaseOption = None,
) -> None:
    """What each X account's calls cost per day (posts and reads, at the configured prices), the month
    against spend_cap_usd, and X's usage report beside what was metered."""
    from botwarden.cli.common import utcnow
    from botwarden.store import chores
    from botwarden.store.spend import spend_lines, usage_days, utc_day

    cfg = load_config(config, set_)
    now = utcnow()
    since = utc_day(now - timedelta(days=days - 1))
    month = now.strftime("%Y-%m-01")
    with open_store(database_url(config, set_, database))() as session:
        lines = spend_lines(session, min(since, month))
        reconciled = usage_days(session, since)
        usage = chores.found(session, "usage:x")
    recent = [line for line in lines if line.day >= since]
    out.print(_days_table(recent))
    if any(not line.write for line in recent):
        out.print(_reads_table(recent))
    _month(cfg.settings["spend_cap_usd"], cfg.accounts, [line for line in lines if line.day >= month])
    _reconciliation(reconciled, usage)


def _days_table(lines: list[SpendLine]) -> Table:
    by_day: dict[tuple[str, str], _Day] = defaultdict(_Day)
    for line in lines:
        row = by_day[(line.account or APP, line.day)]
        if line.kind == "post":
            row.posts += line.units
        elif line.kind == "post_with_url":
            row.link_posts += line.units
        if line.write:
            row.writes_usd += line.cost_usd
        else:
            row.reads += line.units
            row.reads_usd += line.cost_usd
    table = Table(
        "account", "day", "posts", "with a link", "writes (USD)", "reads billed", "reads (USD)", "spent (USD)"
    )
    for (account, day), row in sorted(by_day.items()):
        table.add_row(
            account,
            day,
            str(row.posts),
            str(row.link_posts),
            f"{row.writes_usd:.3f}",
            str(row.reads),
            f"{row.reads_usd:.3f}",
            f"{row.writes_usd + row.reads_usd:.3f}",
        )
    return table


def _reads_table(lines: list[SpendLine]) -> Table:
    """The reads by why botwarden made them (probes, inbound polling, reconciliation, trends...)."""
    table = Table("account", "day", "why", "billed as", "calls", "returned", "billed", "spent (USD)")
    for line in lines:
        if line.write:
            continue
        table.add_row(
            line.account or APP,
            line.day,
            line.purpose,
            line.kind,
            str(line.calls),
            str(line.returned),
            str(line.units),
            f"{line.cost_usd:.3f}",
        )
    return table


def _month(default_cap: float, accounts: Mapping[str, AccountConfig], lines: list[SpendLine]) -> None:
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for line in lines:
        totals[line.account or APP][0 if line.write else 1] += line.cost_usd
    for account, (writes, reads) in sorted(totals.items()):
        configured = accounts.get(account)
        own = configured.spend_cap_usd if configured is not None else None
        cap = float(default_cap if own is None else own)
        limit = (
            f" of the ${cap:.2f} cap (BW905 holds posts past it)" if cap > 0 else " (no spend_cap_usd set)"
        )
        if account == APP:
            limit = ""
        out.print(
            f"{account}: ${writes + reads:.3f} this month (writes ${writes:.3f}, reads ${reads:.3f}){limit}"
        )


def _reconciliation(days: list[UsageDay], usage: dict[str, object]) -> None:
    for day in days:
        verdict = "[red]drift[/]" if day.drift else "agrees"
        out.print(
            f"{day.day}: X's usage report ({day.scope}) counts {day.reported} post(s) read, "
            f"botwarden metered {day.metered}: {verdict}",
            highlight=False,
        )
    if usage.get("cap"):
        reset = f", resets on day {usage['cap_reset_day']} of the month" if usage.get("cap_reset_day") else ""
        out.print(
            f"X's monthly post cap: {usage.get('used', '?')} of {usage['cap']} used{reset}", highlight=False
        )
    elif not days:
        out.print(
            "not reconciled with X's usage report yet (the worker does it daily; it needs "
            "BOTWARDEN_X_BEARER_TOKEN)",
            highlight=False,
        )
