"""Reading the limits files (``botwarden/limits/*.toml``) and the operator's overrides of them.

A file holds one network's entries, one TOML table each. An entry without the page it comes from or the
day that page was read is refused, so no number enters botwarden without a source.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from functools import cache
from importlib.resources import files
from typing import Any

from botwarden.errors import ConfigError
from botwarden.limits.model import USES, Limit, Value, parse_window

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_REQUIRED = ("summary", "value", "source", "read")
_OPTIONAL = ("unit", "window", "buckets", "scope", "use", "since", "applies_to")
_SOURCE = re.compile(r"^(https://\S+|botwarden\b.*)$")


class Limits:
    """Every known limit, by network and key; overrides give a new table, never change this one."""

    def __init__(self, entries: Iterable[Limit]) -> None:
        self._entries = {(entry.network, entry.key): entry for entry in entries}
        self._sorted = sorted(self._entries.values(), key=lambda e: (e.network, e.key))
        self._uses: dict[tuple[str, str], list[Limit]] = {}  # every check asks: worked out once

    def __iter__(self) -> Iterator[Limit]:
        return iter(self._sorted)

    def __len__(self) -> int:
        return len(self._entries)

    def networks(self) -> list[str]:
        return sorted({network for network, _ in self._entries})

    def get(self, network: str, key: str) -> Limit | None:
        return self._entries.get((network, key))

    def __getitem__(self, name: tuple[str, str]) -> Limit:
        found = self._entries.get(name)
        if found is None:
            raise KeyError(f"no limit {name[0]}.{name[1]} (see `botwarden limits`)")
        return found

    def count(self, network: str, key: str) -> int:
        """A limit's value as a whole number (KeyError when the network has no such limit)."""
        return self[network, key].count

    def using(self, network: str, use: str) -> list[Limit]:
        """The network's entries that botwarden uses for ``use`` (a key of ``USES``)."""
        found = self._uses.get((network, use))
        if found is None:
            found = [e for e in self._sorted if e.network == network and e.use == use]
            self._uses[network, use] = found
        return found

    def overridden(self, overrides: Mapping[str, Any], source: str) -> Limits:
        """This table with the operator's values: ``{network: {key: value}}``. A network, key or value
        that does not fit is a ConfigError naming it."""
        if not overrides:
            return self
        if not isinstance(overrides, Mapping):
            raise ConfigError(f"{source}: limits must be a table of networks, e.g. [limits.x]")
        changed = dict(self._entries)
        for network, values in overrides.items():
            if not isinstance(values, Mapping):
                raise ConfigError(f"{source}: limits.{network} must be a table of limits, e.g. [limits.x]")
            for key, raw in values.items():
                entry = self._entries.get((network, key))
                if entry is None:
                    raise ConfigError(f"{source}: limits.{network}.{key}: {self._unknown(network)}")
                value = _same_kind(entry, raw, f"{source}: limits.{network}.{key}")
                changed[network, key] = entry.with_value(value, source)
        return Limits(changed.values())

    def _unknown(self, network: str) -> str:
        keys = sorted(key for net, key in self._entries if net == network)
        if not keys:
            return f"no network '{network}' (known: {', '.join(self.networks())})"
        return f"no such limit (known for {network}: {', '.join(keys)})"


@cache
def builtin_limits() -> Limits:
    """The limits shipped in ``botwarden/limits/*.toml`` (read once)."""
    entries: list[Limit] = []
    folder = files("botwarden.limits")
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".toml"):
            entries += read_file(item.read_text(encoding="utf-8"), f"botwarden/limits/{item.name}")
    return Limits(entries)


def read_file(text: str, label: str) -> list[Limit]:
    """The entries of one limits file; ConfigError naming the file, the entry and what is wrong."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{label}: not valid TOML: {exc}") from None
    network = raw.pop("network", None)
    if not isinstance(network, str) or not network:
        raise ConfigError(f'{label}: the file must start with network = "name"')
    entries = []
    for key, table in raw.items():
        where = f"{label}: [{key}]"
        if not _KEY.match(key) or not isinstance(table, dict):
            raise ConfigError(f"{where}: each entry is a table named in lower_snake_case")
        entries.append(_entry(network, key, table, where))
    return entries


def _entry(network: str, key: str, table: dict[str, Any], where: str) -> Limit:
    missing = [name for name in _REQUIRED if name not in table or table[name] in ("", None)]
    if missing:
        raise ConfigError(f"{where}: missing {', '.join(missing)}; every limit names its source and date")
    unknown = sorted(set(table) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise ConfigError(f"{where}: unknown field(s) {', '.join(unknown)}")
    source = str(table["source"]).strip()
    if not _SOURCE.match(source):
        raise ConfigError(f"{where}: source must be an https:// page (or 'botwarden ...' for its own)")
    use = str(table.get("use", "info"))
    if use not in USES:
        raise ConfigError(f"{where}: use must be one of {', '.join(USES)}")
    buckets = str(table.get("buckets", "rolling"))
    if buckets not in ("rolling", "fixed"):
        raise ConfigError(f"{where}: buckets must be rolling or fixed")
    try:
        window = parse_window(str(table["window"])) if "window" in table else None
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    if use.endswith(("-window", "-cap")) and (window is None or not _is_count(table["value"])):
        raise ConfigError(f"{where}: a {use} needs a whole-number value and a window")
    return Limit(
        network=network,
        key=key,
        summary=str(table["summary"]),
        value=_value(table["value"], where),
        source=source,
        read=_day(table["read"], f"{where}: read"),
        unit=str(table.get("unit", "")),
        window=window,
        buckets=buckets,
        scope=str(table.get("scope", "")),
        use=use,
        since=_day(table["since"], f"{where}: since") if "since" in table else None,
        applies_to=str(table.get("applies_to", "")),
    )


def _value(raw: Any, where: str) -> Value:
    if isinstance(raw, bool | int | float | str):
        return raw
    if isinstance(raw, list) and all(isinstance(v, str) for v in raw):
        return tuple(raw)
    raise ConfigError(f"{where}: value must be a number, true/false, a string or a list of strings")


def _day(raw: Any, where: str) -> date:
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    raise ConfigError(f"{where} must be a date written as 2026-12-03 (no quotes)")


def _is_count(raw: Any) -> bool:
    return isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0


def _same_kind(entry: Limit, raw: Any, where: str) -> Value:
    """The operator's value, when it is the same kind as the one it replaces."""
    old = entry.value
    if isinstance(old, bool):
        if isinstance(raw, bool):
            return raw
        raise ConfigError(f"{where}: must be true or false, got {raw!r}")
    if isinstance(old, int) and entry.use.endswith(("-window", "-cap")):
        if _is_count(raw):
            return int(raw)
        raise ConfigError(f"{where}: must be a whole number of 0 or more, got {raw!r}")
    if isinstance(old, int | float):
        if isinstance(raw, int | float) and not isinstance(raw, bool) and raw >= 0:
            whole = isinstance(old, int) and float(raw).is_integer()
            return int(raw) if whole else float(raw)
        raise ConfigError(f"{where}: must be a number of 0 or more, got {raw!r}")
    if isinstance(old, tuple):
        if isinstance(raw, list) and all(isinstance(v, str) for v in raw):
            return tuple(raw)
        raise ConfigError(f"{where}: must be a list of strings, got {raw!r}")
    if isinstance(raw, str):
        return raw
    raise ConfigError(f"{where}: must be a string, got {raw!r}")
