"""The limits reference page (docs/limits.md), generated from the limits data."""

from __future__ import annotations

from botwarden.limits.load import Limits, builtin_limits
from botwarden.limits.model import USES, Limit

_NAMES = {"x": "X", "mastodon": "Mastodon", "bluesky": "Bluesky", "local": "local (botwarden's own)"}

_INTRO = """\
# Limits

What the networks allow, what they charge and the rules of their APIs, as botwarden knows them. Each
entry names the page its value comes from and the day that page was read; the data lives in
`botwarden/limits/*.toml`, one file a network, and a test fails when an entry lacks its source or date.
`botwarden limits [--network N] [--format json]` prints the same, with your configuration's values.

Override any value in `botwarden.toml` (a network's server may allow more or less than its software's
defaults, an X app may have enterprise access):

```toml
[limits.x]
post_create_per_user = 80          # X: posts per 15 minutes per user
[limits.mastodon]
statuses_per_3h = 100              # a server that lowered Mastodon's budget
```

A replay sets them with a config line: `{"type": "config", "limits": {"x": {"post_create_per_app": 3}}}`.

What botwarden does with an entry (`use`):

| use | what botwarden does with it |
|---|---|
"""

_PACING = """
Pacing takes its defaults from here. BW901 delays a post until the network's window has room: a rolling
window counts any span of its length (X), a fixed one counts from the start of its bucket, buckets
beginning at multiples of their length since the epoch (Mastodon: 00:00, 03:00, 06:00... UTC; the post
waits for the next bucket). X's per-app budget is shared by every account that posts through the same
developer app (`app` on the account; accounts that name none share the configuration's one app). BW902's
daily cap is the network's own unless the operator sets `daily_cap` (on the route, the account or as a
setting), which then wins: X counts an unverified account's replies apart from its original posts.
"""


def render_markdown(limits: Limits | None = None) -> str:
    table = limits or builtin_limits()
    lines = [_INTRO.rstrip("\n")]
    lines += [f"| `{use}` | {what} |" for use, what in USES.items()]
    lines.append(_PACING.rstrip("\n"))
    for network in table.networks():
        lines += [
            "",
            f"## {_NAMES.get(network, network)}",
            "",
            "| limit | value | window | applies to | what | source | read |",
            "|---|---|---|---|---|---|---|",
        ]
        lines += [_row(entry) for entry in table if entry.network == network]
    return "\n".join(lines) + "\n"


def _row(entry: Limit) -> str:
    value = entry.value
    if isinstance(value, tuple):
        shown = ", ".join(value)
    elif isinstance(value, bool):
        shown = "yes" if value else "no"
    else:
        shown = f"{value:,}" if isinstance(value, int) else f"{value:g}"
        shown = f"{shown} {entry.unit}".strip()
    whom = ", ".join(x for x in (entry.scope, entry.applies_to) if x)
    since = f" (since {entry.since.isoformat()})" if entry.since else ""
    source = entry.source if not entry.source.startswith("https://") else f"<{entry.source}>"
    summary = entry.summary.replace("|", "\\|")
    return (
        f"| `{entry.key}` | {shown} | {entry.describe_window()} | {whom} | {summary}{since} | {source} | "
        f"{entry.read.isoformat()} |"
    )
