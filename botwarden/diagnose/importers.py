"""Reading an account's history from the exports the networks give their users.

- X: the account archive (a .zip, its unpacked folder, or ``data/tweets.js`` itself). The JSON sits behind
  a ``window.YTD.tweets.part0 = `` assignment (``tweet`` in older archives, several parts in large ones);
  entries are ``{"tweet": {...}}`` or, in some variants, the tweet object itself. Shortened ``t.co`` links
  are replaced by their ``expanded_url``, so link patterns show.
- Mastodon: the account export (a .tar.gz or .zip, its folder, or ``outbox.json``): ActivityPub ``Create``
  activities of notes; boosts are not the account's own posts and are skipped.
- Bluesky: the repository export (a CAR file), read with the ``atproto`` package; every
  ``app.bsky.feed.post`` record is a post, with links from its facets and external embed.
- Plain CSV or JSON Lines: ``time`` (or ``at``/``created_at``/``date``) and ``text``, optional ``links``,
  ``account`` and ``network``.

A file that cannot be read says which file, and where in it, and what is wrong (:class:`InputError`).
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import tarfile
import zipfile
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path, PurePosixPath
from typing import Any

from botwarden.compose.plain import plain_text
from botwarden.diagnose.model import HistoryPost
from botwarden.errors import InputError

_YTD = re.compile(r"^\s*window\.YTD\.[\w.]+\s*=\s*", re.ASCII)
_ANCHOR = re.compile(r"<a\s[^>]*href=\"([^\"]+)\"[^>]*>.*?</a>", re.IGNORECASE | re.DOTALL)
_TAG_LINK = re.compile(r"class=\"[^\"]*\b(?:mention|hashtag)\b|rel=\"tag\"", re.IGNORECASE)
TIME_FIELDS = ("time", "at", "created_at", "createdAt", "date", "timestamp", "published")


def read_export(path: Path, *, account: str | None = None) -> list[HistoryPost]:
    """Every post in one export, whatever its kind (told from its name and contents)."""
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    source = _Source.open(path)
    kind = source.kind()
    readers = {"x": _x_archive, "mastodon": _mastodon, "bluesky": _bluesky, "csv": _csv, "jsonl": _jsonl}
    return readers[kind](source, account)


class _Source:
    """A folder, a .zip, a .tar.gz or a single file, read by member name."""

    def __init__(self, path: Path, names: list[str]) -> None:
        self.path = path
        self.names = names

    @classmethod
    def open(cls, path: Path) -> _Source:
        try:
            if path.is_dir():
                return cls(path, sorted(str(p.relative_to(path).as_posix()) for p in path.rglob("*.*")))
            if zipfile.is_zipfile(path):
                with zipfile.ZipFile(path) as archive:
                    return cls(path, archive.namelist())
            if path.name.endswith((".tar.gz", ".tgz", ".tar")):
                with tarfile.open(path) as archive:
                    return cls(path, archive.getnames())
        except (OSError, zipfile.BadZipFile, tarfile.TarError) as exc:
            raise InputError(f"{path}: cannot open the archive ({exc})") from None
        return cls(path, [path.name])

    def kind(self) -> str:
        names = [PurePosixPath(n).name.lower() for n in self.names]
        if any(_is_tweets_js(n) for n in names):
            return "x"
        if "outbox.json" in names:
            return "mastodon"
        if any(n.endswith(".car") for n in names):
            return "bluesky"
        if len(self.names) == 1:
            suffix = PurePosixPath(names[0]).suffix
            if suffix == ".csv":
                return "csv"
            if suffix in (".jsonl", ".ndjson"):
                return "jsonl"
            if suffix == ".json":
                return "mastodon"
            if suffix == ".js":
                return "x"
        raise InputError(
            f"{self.path}: not an export botwarden knows (an X archive with data/tweets.js, a Mastodon "
            "export with outbox.json, a Bluesky repository .car, or a .csv / .jsonl of time and text)"
        )

    def members(self, wanted: Any) -> list[str]:
        return sorted(n for n in self.names if wanted(PurePosixPath(n).name.lower()))

    def read(self, name: str) -> bytes:
        try:
            if self.path.is_dir():
                return (self.path / name).read_bytes()
            if zipfile.is_zipfile(self.path):
                with zipfile.ZipFile(self.path) as archive:
                    return archive.read(name)
            if self.path.name.endswith((".tar.gz", ".tgz", ".tar")):
                with tarfile.open(self.path) as archive:
                    member = archive.extractfile(name)
                    if member is None:
                        raise InputError(f"{self.path}: {name} is not a file")
                    return member.read()
            return self.path.read_bytes()
        except (OSError, KeyError, zipfile.BadZipFile, tarfile.TarError) as exc:
            raise InputError(f"{self.path}: cannot read {name} ({exc})") from None

    def label(self, name: str) -> str:
        return str(self.path) if name == self.path.name else f"{self.path}:{name}"


def _is_tweets_js(name: str) -> bool:
    return bool(re.fullmatch(r"tweets?(-part\d+)?\.js", name))


# -- X ------------------------------------------------------------------------------------------------


def _x_archive(source: _Source, account: str | None) -> list[HistoryPost]:
    handle = account or _x_username(source) or source.path.stem
    posts: list[HistoryPost] = []
    for name in source.members(_is_tweets_js) or source.names[:1]:
        label = source.label(name)
        for number, entry in enumerate(_ytd_json(source.read(name), label)):
            tweet = entry.get("tweet", entry) if isinstance(entry, dict) else None
            if not isinstance(tweet, dict):
                raise InputError(f"{label}: entry {number}: expected an object with the tweet's fields")
            post = _x_post(tweet, handle, f"{label}: entry {number}")
            if post is not None:
                posts.append(post)
    return posts


def _x_username(source: _Source) -> str | None:
    names = source.members(lambda n: n == "account.js")
    if not names:
        return None
    try:
        entries = _ytd_json(source.read(names[0]), source.label(names[0]))
        return str(entries[0]["account"]["username"])
    except (InputError, LookupError, TypeError):
        return None  # the posts still say everything; the file name stands in for the handle


def _ytd_json(data: bytes, label: str) -> list[Any]:
    text = _decode(data, label)
    body = _YTD.sub("", text, count=1)
    try:
        parsed = json.loads(body)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{label}: line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})"
        ) from None
    if not isinstance(parsed, list):
        raise InputError(f"{label}: expected a list of tweets after 'window.YTD… ='")
    return parsed


def _x_post(tweet: dict[str, Any], handle: str, where: str) -> HistoryPost | None:
    text = str(tweet.get("full_text") or tweet.get("text") or "")
    if text.startswith("RT @"):
        return None  # a retweet is someone else's post
    try:
        at = parsedate_to_datetime(str(tweet["created_at"]))
    except (KeyError, TypeError, ValueError):
        raise InputError(f"{where}: missing or unreadable created_at") from None
    entities = tweet.get("entities") or {}
    links = []
    for url in entities.get("urls") or []:
        short, full = url.get("url"), url.get("expanded_url")
        if short and full:
            text = text.replace(short, full)
            links.append(full)
    reply = bool(tweet.get("in_reply_to_status_id_str") or tweet.get("in_reply_to_status_id"))
    post_id = str(tweet.get("id_str") or tweet.get("id") or f"{handle}-{at.timestamp():.0f}")
    return HistoryPost(post_id, handle, "x", _aware(at), text, tuple(links), reply, where.split(": ")[0])


# -- Mastodon -----------------------------------------------------------------------------------------


def _mastodon(source: _Source, account: str | None) -> list[HistoryPost]:
    names = source.members(lambda n: n == "outbox.json") or source.names[:1]
    label = source.label(names[0])
    outbox = _json(source.read(names[0]), label)
    if not isinstance(outbox, dict) or not isinstance(outbox.get("orderedItems"), list):
        raise InputError(f"{label}: not an ActivityPub outbox (no 'orderedItems' list)")
    handle = account or _mastodon_username(source, outbox)
    posts = []
    for number, activity in enumerate(outbox["orderedItems"]):
        if not isinstance(activity, dict) or activity.get("type") != "Create":
            continue  # boosts (Announce) are other people's posts
        note = activity.get("object")
        if not isinstance(note, dict) or note.get("type") not in ("Note", "Article", "Page", "Question"):
            continue
        where = f"{label}: orderedItems[{number}]"
        published = note.get("published") or activity.get("published")
        at = _parse_time(published, where)
        content, links = _links_shown(str(note.get("content") or ""))
        posts.append(
            HistoryPost(
                str(note.get("id") or activity.get("id") or f"{handle}-{number}"),
                handle,
                "mastodon",
                at,
                plain_text(content),
                tuple(links),
                bool(note.get("inReplyTo")),
                label,
            )
        )
    return posts


def _links_shown(content: str) -> tuple[str, list[str]]:
    """The content with each link's display (which Mastodon shortens) replaced by the link itself, and
    the links; mention and hashtag links are left as they read."""
    links: list[str] = []

    def swap(match: re.Match[str]) -> str:
        if _TAG_LINK.search(match.group(0)):
            return match.group(0)
        links.append(html.unescape(match.group(1)))
        return " " + links[-1] + " "

    return _ANCHOR.sub(swap, content), links


def _mastodon_username(source: _Source, outbox: dict[str, Any]) -> str:
    actors = source.members(lambda n: n == "actor.json")
    if actors:
        actor = _json(source.read(actors[0]), source.label(actors[0]))
        if isinstance(actor, dict) and actor.get("preferredUsername"):
            return str(actor["preferredUsername"])
    outbox_id = str(outbox.get("id") or "")
    match = re.search(r"/users/([^/]+)/outbox", outbox_id)
    return match.group(1) if match else source.path.stem


# -- Bluesky ------------------------------------------------------------------------------------------


def _bluesky(source: _Source, account: str | None) -> list[HistoryPost]:
    from atproto import CAR  # the SDK is only needed for Bluesky exports

    name = source.members(lambda n: n.endswith(".car"))[0]
    label = source.label(name)
    try:
        car = CAR.from_bytes(source.read(name))
    except Exception as exc:  # the decoder raises its own error types for corrupt input
        raise InputError(
            f"{label}: not a readable CAR repository export ({type(exc).__name__}: {exc})"
        ) from None
    blocks = car.blocks
    root = blocks.get(car.root) if car.root is not None else None
    handle = account or (str(root["did"]) if isinstance(root, dict) and root.get("did") else source.path.stem)
    posts = []
    for cid, record in blocks.items():
        if not isinstance(record, dict) or record.get("$type") != "app.bsky.feed.post":
            continue
        where = f"{label}: record {cid}"
        at = _parse_time(record.get("createdAt"), where)
        posts.append(
            HistoryPost(
                str(cid),
                handle,
                "bluesky",
                at,
                str(record.get("text") or ""),
                tuple(_bluesky_links(record)),
                "reply" in record,
                label,
            )
        )
    return posts


def _bluesky_links(record: dict[str, Any]) -> list[str]:
    links = []
    for facet in record.get("facets") or []:
        for feature in facet.get("features") or []:
            if feature.get("$type") == "app.bsky.richtext.facet#link" and feature.get("uri"):
                links.append(str(feature["uri"]))
    external = (record.get("embed") or {}).get("external") or {}
    if external.get("uri"):
        links.append(str(external["uri"]))
    return list(dict.fromkeys(links))


# -- CSV and JSON Lines -------------------------------------------------------------------------------


def _csv(source: _Source, account: str | None) -> list[HistoryPost]:
    label = source.label(source.names[0])
    rows = csv.DictReader(io.StringIO(_decode(source.read(source.names[0]), label)))
    fields = rows.fieldnames or []
    if "text" not in fields or not any(f in fields for f in TIME_FIELDS):
        raise InputError(
            f"{label}: the header needs a 'time' column and a 'text' column (found: {', '.join(fields)})"
        )
    return [_plain_post(row, f"{label}:{rows.line_num}", account, source.path.stem) for row in rows]


def _jsonl(source: _Source, account: str | None) -> list[HistoryPost]:
    label = source.label(source.names[0])
    posts = []
    for number, line in enumerate(_decode(source.read(source.names[0]), label).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{label}:{number}: not valid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(row, dict):
            raise InputError(f"{label}:{number}: each line must be a JSON object with time and text")
        posts.append(_plain_post(row, f"{label}:{number}", account, source.path.stem))
    return posts


def _plain_post(row: dict[str, Any], where: str, account: str | None, fallback: str) -> HistoryPost:
    stamp = next((row[f] for f in TIME_FIELDS if row.get(f)), None)
    if stamp is None:
        raise InputError(f"{where}: no time (one of {', '.join(TIME_FIELDS)})")
    text = row.get("text")
    if not isinstance(text, str):
        raise InputError(f"{where}: 'text' is missing or not text")
    raw_links = row.get("links") or []
    links = raw_links.replace(",", " ").split() if isinstance(raw_links, str) else [str(u) for u in raw_links]
    name = account or str(row.get("account") or fallback)
    at = _parse_time(stamp, where)
    post_id = str(row.get("id") or f"{name}-{where.rsplit(':', 1)[-1]}")
    return HistoryPost(post_id, name, str(row.get("network") or "x"), at, text, tuple(links), False, where)


# -- shared -------------------------------------------------------------------------------------------


def _decode(data: bytes, label: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{label}: not UTF-8 text (byte {exc.start})") from None


def _json(data: bytes, label: str) -> Any:
    try:
        return json.loads(_decode(data, label))
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{label}: line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})"
        ) from None


def _parse_time(value: Any, where: str) -> datetime:
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, UTC)
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{where}: missing time")
    text = value.strip()
    try:
        return _aware(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        pass
    try:
        return _aware(parsedate_to_datetime(text))
    except (TypeError, ValueError):
        raise InputError(
            f"{where}: unreadable time {text!r} (use ISO 8601, e.g. 2026-03-21T09:00:00Z)"
        ) from None


def _aware(at: datetime) -> datetime:
    """Exports without a zone are taken as UTC, which is what every network exports in."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
