"""Queue entries as a person reads them, at any width: one line with the account, what happened, when and
the rule codes, then the post (or the item's title) and the reason, each wrapped under it.

A table would hide the reason in a narrow terminal or a pipe (rich gives each column a sliver of 80
columns); here the reason always has the whole line, so ``make demo``, ``queue`` and a log file read the
same at 80 columns as at 220.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text

if TYPE_CHECKING:
    from botwarden.store.views import EntryReport

STYLES = {
    "posted": "green",
    "posted after delay": "yellow",
    "delayed": "yellow",
    "held": "magenta",
    "denied": "red",
    "failed": "red",
    "cancelled": "dim",
}
OUTCOME_WIDTH = len("posted after delay")
INDENT = "    "


def when(entry: EntryReport, *, with_day: bool = False) -> str:
    """When it was posted, or when it is next due ("next 09:15"), or a dash."""
    shape = "%m-%d %H:%M" if with_day else "%H:%M"
    if entry.posted_at:
        return f"{entry.posted_at:{shape}}"
    if entry.outcome in ("delayed", "pending"):
        return f"next {entry.not_before:{shape}}"
    return "—"


def print_entries(
    entries: Iterable[EntryReport], console: Console, *, ids: bool = False, text: bool = False
) -> None:
    """Each entry as a heading line and, indented under it, its title (or post ``text``) and reason."""
    entries = list(entries)
    width = max((len(e.account) for e in entries), default=0)
    id_width = max((len(str(e.id)) for e in entries), default=0) + 1
    when_width = max((len(when(e, with_day=ids)) for e in entries), default=0)
    for entry in entries:
        head = Text()
        if ids:
            head.append(f"#{entry.id}".ljust(id_width + 1), style="bold")
        head.append(entry.account.ljust(width + 2))
        head.append(entry.outcome.ljust(OUTCOME_WIDTH + 2), style=STYLES.get(entry.outcome, ""))
        moment = when(entry, with_day=ids)
        head.append(moment.ljust(when_width + 2) if entry.codes else moment)
        head.append(" ".join(entry.codes), style="bold")
        console.print(head, overflow="ellipsis", no_wrap=True)
        body = entry.text if text and entry.text else entry.title
        if body:
            console.print(_indented(body, console.width, "" if text else "italic"), overflow="fold")
        if entry.reason:
            reason = f"why: {entry.reason}" if text else entry.reason
            console.print(_indented(reason, console.width, "dim" if text else ""), overflow="fold")


def _indented(words_of: str, width: int, style: str = "") -> Text:
    """Text wrapped to the console's width, every line indented (a word longer than a line, a link say,
    has a line of its own and is folded there)."""
    words = words_of.split()
    lines: list[str] = []
    line = INDENT
    for word in words:
        if len(line) + len(word) + 1 > max(width, 40) and line.strip():
            lines.append(line.rstrip())
            line = INDENT
        line += word + " "
    if line.strip():
        lines.append(line.rstrip())
    return Text("\n".join(lines), style=style)
