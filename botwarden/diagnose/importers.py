"""Reading an account's history from the exports the networks give their users.

- X: the account archive (a .zip, its unpacked folder, or ``data/tweets.js`` itself). The JSON sits behind
  a ``window.YTD.tweets.part0 = `` assignment (``tweet`` in older archives, several parts in large ones);
  entries are ``{"tweet": {...}}`` or, in some variants, the tweet object itself. Shortened ``t.co`` links
  are replaced by their ``expanded_url``, so link patterns show.
- Mastodon: the account export (a .tar.gz or .zip, its folder, or ``outbox.json``): ActivityPub ``Create``
  activities of notes; boosts are not the account's own posts and are skipped.
- Bluesky: the repository export (a CAR file); every ``app.bsky.feed.post`` record is a post, with links
  from its facets and external embed.
- Plain CSV or JSON Lines: ``time`` (or ``at``/``created_at``/``date``) and ``text``, optional ``links``,
  ``account`` and ``network``.

Every export is read as a stream under :class:`~botwarden.diagnose.bounds.ImportLimits`, record by record.
A record that cannot be read (a field of the wrong type or size, a time no calendar holds, nesting past
the limit) is skipped and noted in the :class:`Export`; a file that cannot be read says which file, where
in it, and what is wrong (:class:`InputError`).
"""

from __future__ import annotations

import contextlib
import csv
import html
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any

from botwarden.compose.plain import plain_text
from botwarden.diagnose import fields
from botwarden.diagnose.bounds import ImportLimits, RecordError, Tally, check_depth
from botwarden.diagnose.car import POST_TYPE, CarReader, cid_text, decode
from botwarden.diagnose.jsonstream import JsonStream, Skipped
from botwarden.diagnose.model import HistoryPost
from botwarden.diagnose.sources import Bounded, Source
from botwarden.errors import InputError

_YTD = re.compile(r"\s*window\.YTD\.[\w.]+\s*=\s*", re.ASCII)
# The display text of a link is short; the bound keeps a crafted content field from costing n² steps.
_ANCHOR = re.compile(r"<a\s[^>]*href=\"([^\"]+)\"[^>]*>.{0,4000}?</a>", re.IGNORECASE | re.DOTALL)
_TAG_LINK = re.compile(r"class=\"[^\"]*\b(?:mention|hashtag)\b|rel=\"tag\"", re.IGNORECASE)
TIME_FIELDS = ("time", "at", "created_at", "createdAt", "date", "timestamp", "published")
_NOTE_TYPES = ("Note", "Article", "Page", "Question")
_LINK_FEATURE = "app.bsky.richtext.facet#link"


@dataclass
class Export:
    """The posts read from one export, and the records skipped (counted; the first ones described)."""

    posts: list[HistoryPost]
    skipped: int = 0
    notes: list[str] = field(default_factory=list)


def read_export(
    path: Path, *, account: str | None = None, limits: ImportLimits | None = None
) -> list[HistoryPost]:
    """Every post in one export, whatever its kind (told from its name and contents)."""
    return load_export(path, account=account, limits=limits).posts


def load_export(path: Path, *, account: str | None = None, limits: ImportLimits | None = None) -> Export:
    """Every post in one export, with what was skipped and why."""
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    limits = limits or ImportLimits()
    source = Source.open(path, limits)
    try:
        tally = Tally(str(path), limits)
        posts = _READERS[_kind(source)](source, account, tally)
    finally:
        source.close()
    return Export(posts, tally.skipped, tally.notes)


def _kind(source: Source) -> str:
    names = [PurePosixPath(n).name.lower() for n in source.names]
    if any(_is_tweets_js(n) for n in names):
        return "x"
    if "outbox.json" in names:
        return "mastodon"
    if any(n.endswith(".car") for n in names):
        return "bluesky"
    if len(source.names) == 1:
        kinds = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "mastodon", ".js": "x"}
        found = kinds.get(PurePosixPath(names[0]).suffix)
        if found:
            return found
    raise InputError(
        f"{source.path}: not an export botwarden knows (an X archive with data/tweets.js, a Mastodon "
        "export with outbox.json, a Bluesky repository .car, or a .csv / .jsonl of time and text)"
    )


def _is_tweets_js(name: str) -> bool:
    return bool(re.fullmatch(r"tweets?(-part\d+)?\.js", name))


def _one(tally: Tally, where: str, build: Callable[[], HistoryPost | None], posts: list[HistoryPost]) -> None:
    """Count one record and keep its post, or skip it with its note."""
    tally.count()
    try:
        post = build()
    except RecordError as exc:
        tally.skip(where, str(exc))
        return
    if post is not None:
        posts.append(post)


def _unwrap(entry: Any) -> Any:
    if isinstance(entry, Skipped):
        raise RecordError(entry.why)
    return entry


def _named(posts: list[HistoryPost], handle: str) -> list[HistoryPost]:
    """The posts with the account name found only after they were read."""
    return [replace(post, account=handle) for post in posts]


# -- X ------------------------------------------------------------------------------------------------


def _x_archive(source: Source, account: str | None, tally: Tally) -> list[HistoryPost]:
    handle = account or _x_username(source) or source.path.stem
    posts: list[HistoryPost] = []
    for name in source.members(_is_tweets_js) or source.names[:1]:
        label = source.label(name)
        with source.stream(name) as raw:
            reader = JsonStream(raw, source.limits)
            reader.skip_prefix(_YTD)
            for number, entry in enumerate(reader.array()):
                where = f"{label}: entry {number}"
                _one(tally, where, partial(_x_post, entry, handle, where, source.limits), posts)
    return posts


def _x_username(source: Source) -> str | None:
    names = source.members(lambda n: n == "account.js")
    if not names:
        return None
    try:
        with source.stream(names[0]) as raw:
            reader = JsonStream(raw, source.limits)
            reader.skip_prefix(_YTD)
            first = next(iter(reader.array()), None)
        username = first["account"]["username"]  # type: ignore[index]
    except (InputError, LookupError, TypeError):
        return None  # the posts still say everything; the file name stands in for the handle
    return username if isinstance(username, str) and username else None


def _x_post(entry: Any, handle: str, where: str, limits: ImportLimits) -> HistoryPost | None:
    entry = _unwrap(entry)
    tweet = entry.get("tweet", entry) if isinstance(entry, dict) else None
    if not isinstance(tweet, dict):
        raise RecordError("expected an object with the tweet's fields")
    text = fields.text(tweet, "full_text", limits) or fields.text(tweet, "text", limits)
    if text.startswith("RT @"):
        return None  # a retweet is someone else's post
    try:
        at = fields.time(tweet.get("created_at"), "created_at")
    except RecordError as exc:
        raise RecordError(f"missing or unreadable created_at ({exc})") from None
    links = []
    for url in fields.objects(fields.mapping(tweet, "entities"), "urls", shown="entities.urls"):
        short, full = fields.text(url, "url", limits), fields.text(url, "expanded_url", limits)
        if short and full:
            text = text.replace(short, full)
            links.append(full)
    reply = bool(tweet.get("in_reply_to_status_id_str") or tweet.get("in_reply_to_status_id"))
    post_id = (
        fields.identifier(tweet, "id_str")
        or fields.identifier(tweet, "id")
        or f"{handle}-{at.timestamp():.0f}"
    )
    return HistoryPost(post_id, handle, "x", at, text, tuple(links), reply, where.split(": ")[0])


# -- Mastodon -----------------------------------------------------------------------------------------


def _mastodon(source: Source, account: str | None, tally: Tally) -> list[HistoryPost]:
    names = source.members(lambda n: n == "outbox.json") or source.names[:1]
    label = source.label(names[0])
    handle = account or _mastodon_actor(source)
    posts: list[HistoryPost] = []
    outbox_id, found = "", False
    with source.stream(names[0]) as raw:
        reader = JsonStream(raw, source.limits)
        for key in reader.members():
            if key == "orderedItems" and reader.peek() == "[":
                found = True
                for number, activity in enumerate(reader.array()):
                    where = f"{label}: orderedItems[{number}]"
                    build = _mastodon_builder(activity, handle or "", where, number, label, source.limits)
                    _one(tally, where, build, posts)
                continue
            with contextlib.suppress(RecordError):  # the outbox's other fields are only looked at
                value = reader.value()
                outbox_id = value if key == "id" and isinstance(value, str) else outbox_id
    if not found:
        raise InputError(f"{label}: not an ActivityPub outbox (no 'orderedItems' list)")
    if handle:
        return posts
    match = re.search(r"/users/([^/]+)/outbox", outbox_id)
    return _named(posts, match.group(1) if match else source.path.stem)


def _mastodon_builder(
    activity: Any, handle: str, where: str, number: int, label: str, limits: ImportLimits
) -> Callable[[], HistoryPost | None]:
    def build() -> HistoryPost | None:
        item = _unwrap(activity)
        if not isinstance(item, dict) or item.get("type") != "Create":
            return None  # boosts (Announce) are other people's posts
        note = item.get("object")
        if not isinstance(note, dict) or note.get("type") not in _NOTE_TYPES:
            return None
        at = fields.time(note.get("published") or item.get("published"), "published")
        content, links = _links_shown(fields.text(note, "content", limits))
        post_id = fields.identifier(note, "id") or fields.identifier(item, "id") or f"{handle}-{number}"
        reply = bool(note.get("inReplyTo"))
        return HistoryPost(post_id, handle, "mastodon", at, plain_text(content), tuple(links), reply, label)

    return build


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


def _mastodon_actor(source: Source) -> str | None:
    actors = source.members(lambda n: n == "actor.json")
    if not actors:
        return None
    try:
        with source.stream(actors[0]) as raw:
            actor = JsonStream(raw, source.limits).value()
    except (InputError, RecordError):
        return None
    name = actor.get("preferredUsername") if isinstance(actor, dict) else None
    return name if isinstance(name, str) and name else None


# -- Bluesky ------------------------------------------------------------------------------------------


def _bluesky(source: Source, account: str | None, tally: Tally) -> list[HistoryPost]:
    name = source.members(lambda n: n.endswith(".car"))[0]
    label = source.label(name)
    posts: list[HistoryPost] = []
    did = None
    with source.stream(name) as raw:
        car = CarReader(raw, source.limits)
        car.read_header()
        for block in car.blocks():
            if isinstance(block, RecordError):
                tally.skip(label, str(block))
                continue
            if block.cid in car.roots:
                did = _did(block.data) or did
            if POST_TYPE not in block.data:
                continue  # tree nodes, likes, follows ...
            where = f"{label}: record {cid_text(block.cid)}"
            build = _bluesky_builder(block.data, cid_text(block.cid), account or "", label, source.limits)
            _one(tally, where, build, posts)
    return posts if account else _named(posts, did or source.path.stem)


def _did(data: bytes) -> str | None:
    try:
        commit = decode(data)
    except RecordError:
        return None
    did = commit.get("did") if isinstance(commit, dict) else None
    return did if isinstance(did, str) and did else None


def _bluesky_builder(
    data: bytes, cid: str, handle: str, label: str, limits: ImportLimits
) -> Callable[[], HistoryPost | None]:
    def build() -> HistoryPost | None:
        record = decode(data, limits)
        if not isinstance(record, dict) or record.get("$type") != "app.bsky.feed.post":
            return None  # a tree node naming posts, not a post
        at = fields.time(record.get("createdAt"), "createdAt")
        text = fields.text(record, "text", limits)
        links = _bluesky_links(record, limits)
        return HistoryPost(cid, handle, "bluesky", at, text, tuple(links), "reply" in record, label)

    return build


def _bluesky_links(record: dict[str, Any], limits: ImportLimits) -> list[str]:
    links = []
    for number, facet in enumerate(fields.objects(record, "facets")):
        for feature in fields.objects(facet, "features", shown=f"facets[{number}].features"):
            if feature.get("$type") == _LINK_FEATURE and feature.get("uri"):
                links.append(fields.text(feature, "uri", limits))
    external = fields.mapping(fields.mapping(record, "embed"), "external")
    if external.get("uri"):
        links.append(fields.text(external, "uri", limits))
    return list(dict.fromkeys(links))


# -- CSV and JSON Lines -------------------------------------------------------------------------------


def _csv(source: Source, account: str | None, tally: Tally) -> list[HistoryPost]:
    name = source.names[0]
    label = source.label(name)
    posts: list[HistoryPost] = []
    with source.stream(name) as raw, _csv_field_limit(source.limits.max_field_chars):
        rows = csv.reader(_text_lines(raw, source.limits))
        header = _csv_header(rows, label)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                break
            except csv.Error as exc:
                tally.count()
                tally.skip(f"{label}:{rows.line_num}", f"{exc} (setting import_max_field_chars)")
                continue
            where = f"{label}:{rows.line_num}"
            record = dict(zip(header, row, strict=False))
            _one(
                tally,
                where,
                partial(_plain_post, record, where, account, source.path.stem, source.limits),
                posts,
            )
    return posts


def _csv_header(rows: Any, label: str) -> list[str]:
    try:
        header = list(next(rows, []))
    except csv.Error as exc:
        raise InputError(f"{label}: the header cannot be read ({exc})") from None
    if "text" not in header or not any(f in header for f in TIME_FIELDS):
        shown = ", ".join(h[:40] for h in header[:20])
        raise InputError(f"{label}: the header needs a 'time' column and a 'text' column (found: {shown})")
    return header


@contextlib.contextmanager
def _csv_field_limit(limit: int) -> Iterator[None]:
    """The csv module's field limit is process-wide: set for this read, then put back."""
    before = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(before)


def _text_lines(raw: Bounded, limits: ImportLimits) -> Iterator[str]:
    """The lines of a CSV file; a line over the limit refuses the file (a quoted field spans lines, so
    the rest could not be told apart)."""
    for number, line in enumerate(_byte_lines(raw, limits.max_record_bytes), start=1):
        if line is None:
            raise InputError(
                f"{raw.label}:{number}: a line over {limits.max_record_bytes:,} bytes; refused "
                "(setting import_max_record_bytes)"
            )
        try:
            yield line.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"{raw.label}:{number}: not UTF-8 text (byte {exc.start})") from None


def _jsonl(source: Source, account: str | None, tally: Tally) -> list[HistoryPost]:
    name = source.names[0]
    label = source.label(name)
    posts: list[HistoryPost] = []
    with source.stream(name) as raw:
        for number, line in enumerate(_byte_lines(raw, source.limits.max_record_bytes), start=1):
            if line is not None and not line.strip():
                continue
            where = f"{label}:{number}"
            _one(tally, where, partial(_jsonl_post, line, number, where, account, source), posts)
    return posts


def _jsonl_post(
    line: bytes | None, number: int, where: str, account: str | None, source: Source
) -> HistoryPost:
    limits = source.limits
    if line is None:
        raise RecordError(f"a line over {limits.max_record_bytes:,} bytes (import_max_record_bytes)")
    try:
        row = json.loads(line.decode("utf-8-sig" if number == 1 else "utf-8"))
    except UnicodeDecodeError as exc:
        raise RecordError(f"not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise RecordError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise RecordError("nested deeper than can be read") from None
    except ValueError as exc:  # a number of more digits than Python converts
        raise RecordError(f"a value that cannot be read ({exc})"[:200]) from None
    check_depth(row, limits)
    if not isinstance(row, dict):
        raise RecordError("each line must be a JSON object with time and text")
    return _plain_post(row, where, account, source.path.stem, limits)


def _byte_lines(raw: Bounded, limit: int) -> Iterator[bytes | None]:
    """Each line (with its newline), or None for one over ``limit`` bytes, given as soon as it is over;
    the rest of that line is passed over without ever being held."""
    pending, overlong = b"", False
    while chunk := raw.read(1 << 20):
        start = 0
        while (newline := chunk.find(b"\n", start)) >= 0:
            if not overlong:
                line = pending + chunk[start : newline + 1]
                yield None if len(line) > limit else line
            pending, overlong, start = b"", False, newline + 1
        if not overlong:
            pending += chunk[start:]
            if len(pending) > limit:
                pending, overlong = b"", True
                yield None
    if pending:
        yield pending


def _plain_post(
    row: dict[str, Any], where: str, account: str | None, fallback: str, limits: ImportLimits
) -> HistoryPost:
    stamp = next((f for f in TIME_FIELDS if row.get(f) not in (None, "")), None)
    if stamp is None:
        raise RecordError(f"no time (one of {', '.join(TIME_FIELDS)})")
    if not isinstance(row.get("text"), str):
        raise RecordError("'text' is missing or not text")
    text = fields.text(row, "text", limits)
    links = fields.links(row, "links", limits)
    name = account or fields.text(row, "account", limits)[:200] or fallback
    network = fields.text(row, "network", limits)[:40] or "x"
    at = fields.time(row[stamp], stamp)
    post_id = fields.identifier(row, "id") or f"{name}-{where.rsplit(':', 1)[-1]}"
    return HistoryPost(post_id, name, network, at, text, tuple(links), False, where)


_READERS: dict[str, Callable[[Source, str | None, Tally], list[HistoryPost]]] = {
    "x": _x_archive,
    "mastodon": _mastodon,
    "bluesky": _bluesky,
    "csv": _csv,
    "jsonl": _jsonl,
}
