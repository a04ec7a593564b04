"""Blocklists of hosts, loaded from local files in the formats such lists are published in.

- a hosts file: ``0.0.0.0 bad.example`` or ``127.0.0.1 bad.example other.example`` lines;
- a plain list: one host (or URL) a line;
- CSV: the first column holding a host or URL (a header row such as ``domain`` or ``url`` is skipped).

``#`` starts a comment. A listed host also blocks its subdomains. Nothing is fetched: operators keep the
files current with whatever tool their list's publisher recommends.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from botwarden.errors import ConfigError
from botwarden.links.knowledge import host_of

_SINK_ADDRESSES = frozenset({"0.0.0.0", "127.0.0.1", "::", "::1", "::0"})
_HEADER_WORDS = frozenset({"domain", "host", "hostname", "url", "site"})


class Blocklist:
    def __init__(self, hosts: Iterable[str] = ()) -> None:
        self.hosts = frozenset(h for h in (_clean(h) for h in hosts) if h)

    def __len__(self) -> int:
        return len(self.hosts)

    def blocks(self, url: str) -> bool:
        host = host_of(url)
        parts = host.split(".")
        return bool(host) and any(".".join(parts[i:]) in self.hosts for i in range(len(parts)))

    @classmethod
    def load(cls, paths: Iterable[str | Path]) -> Blocklist:
        hosts: list[str] = []
        for path in paths:
            hosts.extend(read_hosts(Path(path)))
        return cls(hosts)


def read_hosts(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"blocklist {path}: cannot read it ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"blocklist {path}: not UTF-8 text (byte {exc.start})") from exc
    if path.suffix.lower() == ".csv":
        return _from_csv(text)
    return [host for line in text.splitlines() for host in _from_line(line)]


def _from_line(line: str) -> list[str]:
    fields = line.split("#", 1)[0].split()
    if not fields:
        return []
    if fields[0] in _SINK_ADDRESSES:  # hosts-file form
        return fields[1:]
    return fields[:1]


def _from_csv(text: str) -> list[str]:
    rows = csv.reader(io.StringIO(text))
    return [
        row[0]
        for row in rows
        if row
        and row[0].strip()
        and not row[0].lstrip().startswith("#")
        and row[0].strip().lower() not in _HEADER_WORDS
    ]


def _clean(entry: str) -> str:
    entry = entry.strip().lower()
    if "://" in entry:
        return host_of(entry)
    return entry.split("/", 1)[0].rstrip(".")
