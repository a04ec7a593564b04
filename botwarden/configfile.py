"""Changing the configuration file without hand-editing it: add a feed, add or change a route, import and
export OPML. The TOML file stays the source of truth: it is read as a document (tomlkit), changed where it
must be, checked by the same validation as any configuration (``config.from_mapping``), and written back
whole, with its comments, order and layout kept, or not at all.

Writes are atomic (a new file renamed over the old one) and made under a lock beside the file, after
checking that nobody changed the file since it was read; a change that would make the configuration
invalid is refused with the same message ``botwarden run`` would give.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import tomlkit
from tomlkit.items import AoT, Comment, Table, Whitespace
from tomlkit.toml_document import TOMLDocument

from botwarden import config as config_module
from botwarden.errors import ConfigError

# The sub-tables of a route, written as [routes.NAME] tables, their own tables inline.
ROUTE_TABLES = ("filters", "hashtags", "pacing", "post", "rules")


class ConfigFile:
    """One configuration file, read as a document that can be changed and written back."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self._read = text
        try:
            self.doc: TOMLDocument = tomlkit.parse(text)
        except tomlkit.exceptions.ParseError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None

    @classmethod
    def load(cls, path: Path) -> ConfigFile:
        try:
            return cls(path, path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path}: no such file; create one with `botwarden init`") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read it ({exc})") from None

    # -- reading --------------------------------------------------------------------------------------

    def plain(self) -> dict[str, Any]:
        return self.doc.unwrap()

    def feeds(self) -> list[dict[str, Any]]:
        return [dict(feed) for feed in self.plain().get("feeds", [])]

    def routes(self) -> list[dict[str, Any]]:
        return [dict(route) for route in self.plain().get("routes", [])]

    def feed_with_url(self, url: str) -> str | None:
        return next((f["id"] for f in self.feeds() if f.get("url") == url), None)

    # -- changing -------------------------------------------------------------------------------------

    def add_feed(self, feed: Mapping[str, Any]) -> None:
        _append(self._tables("feeds"), _table(feed))

    def add_route(self, route: Mapping[str, Any]) -> None:
        _append(self._tables("routes"), _table(route, sub_tables=ROUTE_TABLES))

    def update_feed(self, feed_id: str, changes: Mapping[str, Any]) -> None:
        """Set (or, for None, remove) these keys of the feed; a new id is refused (routes name it)."""
        _update(self._find("feeds", lambda t: t.get("id") == feed_id, f"feed '{feed_id}'"), changes)

    def update_route(self, route_id: str, changes: Mapping[str, Any]) -> None:
        """Set (or, for None, remove) these keys of the route (sub-tables such as ``filters`` whole)."""
        table = self._find(
            "routes", lambda t: f"{t.get('feed')}->{t.get('account')}" == route_id, f"route '{route_id}'"
        )
        _update(table, changes, sub_tables=ROUTE_TABLES)

    def validated(self, env: Mapping[str, str] | None = None) -> config_module.Config:
        """The configuration as it now stands, checked exactly as `botwarden run` checks it."""
        return config_module.from_mapping(
            self.plain(), label=str(self.path), env=dict(os.environ if env is None else env)
        )

    def save(self, env: Mapping[str, str] | None = None) -> config_module.Config:
        """Validate, then write the file back (atomically, under a lock, and only if nobody changed it
        since it was read); the configuration it now holds."""
        validated = self.validated(env)
        text = tomlkit.dumps(self.doc)
        with _locked(self.path):
            try:
                now = self.path.read_text(encoding="utf-8")
            except FileNotFoundError:
                now = self._read
            if now != self._read:
                raise ConfigError(
                    f"{self.path} was changed by someone else meanwhile; nothing was written, try again"
                )
            _write_atomically(self.path, text)
        self._read = text
        return validated

    def _tables(self, name: str) -> AoT:
        found = self.doc.get(name)
        if found is None:
            self.doc.append(name, tomlkit.aot())
            found = self.doc[name]
        if not isinstance(found, AoT):
            raise ConfigError(f"{self.path}: {name} must be written as [[{name}]] tables to be changed here")
        return found

    def _find(self, name: str, matches: Any, what: str) -> Table:
        for table in self._tables(name):
            if matches(table):
                found: Table = table
                return found
        raise ConfigError(f"{self.path}: no {what}")


# -- ids ----------------------------------------------------------------------------------------------


def feed_id_for(url: str, taken: set[str], title: str = "") -> str:
    """A feed id from its title or address ("harbourtown-news"), unique among ``taken``."""
    parts = urlsplit(url)
    words = [w for w in re.split(r"[/._-]+", parts.path) if w and w.lower() not in _FEED_WORDS]
    if title:
        base = title
    elif parts.hostname:
        base = "-".join([parts.hostname.removeprefix("www.").split(".")[0], *words[:2]])
    else:  # a file: its last words (/srv/feeds/local.xml: srv-local)
        base = "-".join(words[-2:])
    slug = re.sub(r"[^a-z0-9]+", "-", base.lower()).strip("-")[:60] or "feed"
    found, number = slug, 2
    while found in taken:
        found, number = f"{slug}-{number}", number + 1
    return found


_FEED_WORDS = {"rss", "atom", "feed", "feeds", "xml", "json", "index", "rss2", "php"}


# -- writing ------------------------------------------------------------------------------------------


def _append(tables: AoT, table: Table) -> None:
    """Append ``table`` after the last of ``tables``, a blank line between. A comment that heads the next
    part of the file (it follows the last table's last blank line) moves down with it, to stay there."""
    if not len(tables):
        tables.append(table)
        return
    body = _last_leaf(tables[-1]).value.body
    after = 1 + max((i for i, (_, item) in enumerate(body) if _is_blank(item)), default=len(body))
    moved = body[after:]
    if moved and all(isinstance(item, Comment) for _, item in moved):
        del body[after:]
        moved = [(None, Whitespace("\n")), *moved]
    else:
        moved = []
        body.append((None, Whitespace("\n")))
    tables.append(table)
    table.value.body.extend(moved)


def _last_leaf(table: Table) -> Table:
    """The table the file's text ends in: the last sub-table of the last sub-table …"""
    while table.value.body and isinstance(table.value.body[-1][1], Table):
        table = table.value.body[-1][1]
    return table


def _is_blank(item: object) -> bool:
    return isinstance(item, Whitespace) and "\n" in item.s


def _table(values: Mapping[str, Any], *, sub_tables: tuple[str, ...] = ()) -> Table:
    table = tomlkit.table()
    for key, value in values.items():
        if value is None:
            continue
        table[key] = _sub_table(value) if key in sub_tables else _value(value)
    return table


def _sub_table(values: Mapping[str, Any]) -> Table:
    table = tomlkit.table()
    for key, value in values.items():
        if value is not None:
            table[key] = _value(value)
    return table


def _value(value: Any) -> Any:
    """Plain data as tomlkit items: a mapping inside a table is written inline ({ title = [...] })."""
    if isinstance(value, Mapping):
        inline = tomlkit.inline_table()
        inline.update({k: _value(v) for k, v in value.items() if v is not None})
        return inline
    return value


def _update(table: Table, changes: Mapping[str, Any], *, sub_tables: tuple[str, ...] = ()) -> None:
    for key, value in changes.items():
        if key == "id" and table.get("id") != value:
            raise ConfigError(f"the id '{table.get('id')}' cannot change: routes and the store name it")
        if value is None or value == {}:
            if key in table:
                del table[key]
        elif key in sub_tables:
            table[key] = _sub_table(value)
        else:
            table[key] = _value(value)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    lock = path.with_name(f".{path.name}.lock")
    with open(lock, "a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_atomically(path: Path, text: str) -> None:
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
