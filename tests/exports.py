"""Account exports in the networks' real formats, written by the tests: an X archive (.zip with
data/tweets.js and data/account.js), a Mastodon export (.tar.gz with outbox.json and actor.json), a Bluesky
repository (.car: a signed-commit root, an MST node and post records, in DAG-CBOR), CSV and JSON Lines."""

from __future__ import annotations

import hashlib
import io
import json
import struct
import tarfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Written:
    at: datetime
    text: str
    link: str = ""
    reply: bool = False


# -- X ------------------------------------------------------------------------------------------------


def x_archive(path: Path, username: str, posts: list[Written], *, wrapper: str = "tweets") -> Path:
    tweets = []
    for n, post in enumerate(posts):
        text, urls = post.text, []
        if post.link:
            short = f"https://t.co/{n:010d}"
            text = f"{text} {short}"
            urls.append({"url": short, "expanded_url": post.link, "display_url": post.link[8:30],
                         "indices": [str(len(post.text) + 1), str(len(text))]})  # fmt: skip
        tweet: dict[str, Any] = {
            "id_str": str(10**17 + n),
            "id": str(10**17 + n),
            "created_at": post.at.strftime("%a %b %d %H:%M:%S +0000 %Y"),
            "full_text": text,
            "entities": {"hashtags": [], "symbols": [], "user_mentions": [], "urls": urls},
            "display_text_range": ["0", str(len(text))],
            "favorite_count": "0",
            "retweet_count": "0",
            "lang": "en",
        }
        if post.reply:
            tweet["in_reply_to_status_id_str"] = "99"
        tweets.append({"tweet": tweet})
    account = [
        {"account": {"username": username, "accountId": "42", "createdAt": "2015-01-01T00:00:00.000Z"}}
    ]
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            f"data/{wrapper}.js", f"window.YTD.{wrapper}.part0 = " + json.dumps(tweets, indent=2)
        )
        archive.writestr("data/account.js", "window.YTD.account.part0 = " + json.dumps(account))
        archive.writestr("Your archive.html", "<html>archive</html>")
    return path


# -- Mastodon -----------------------------------------------------------------------------------------


def mastodon_export(path: Path, username: str, posts: list[Written], server: str = "social.example") -> Path:
    actor = f"https://{server}/users/{username}"
    items: list[dict[str, Any]] = []
    for n, post in enumerate(posts):
        content = f"<p>{post.text}"
        if post.link:
            content += (
                f' <a href="{post.link}" rel="nofollow noopener" target="_blank">'
                f'<span class="invisible">https://</span><span class="ellipsis">{post.link[8:30]}</span>'
                f'<span class="invisible">{post.link[30:]}</span></a>'
            )
        content += "</p>"
        items.append(
            {
                "id": f"{actor}/statuses/{n}/activity",
                "type": "Create",
                "actor": actor,
                "published": post.at.isoformat().replace("+00:00", "Z"),
                "to": ["https://www.w3.org/ns/activitystreams#Public"],
                "object": {
                    "id": f"{actor}/statuses/{n}",
                    "type": "Note",
                    "published": post.at.isoformat().replace("+00:00", "Z"),
                    "url": f"https://{server}/@{username}/{n}",
                    "content": content,
                    "inReplyTo": f"https://other.example/statuses/{n}" if post.reply else None,
                    "tag": [],
                    "attachment": [],
                    "sensitive": False,
                },
            }
        )
    items.append(
        {"id": f"{actor}/boost/1", "type": "Announce", "actor": actor, "object": "https://x.example/1"}
    )
    outbox = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{actor}/outbox",
        "type": "OrderedCollection",
        "totalItems": len(items),
        "orderedItems": items,
    }
    actor_doc = {"id": actor, "type": "Service", "preferredUsername": username, "name": username}
    with tarfile.open(path, "w:gz") as archive:
        for name, doc in (("outbox.json", outbox), ("actor.json", actor_doc)):
            data = json.dumps(doc).encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


# -- Bluesky: a CAR of DAG-CBOR blocks ------------------------------------------------------------------


class RawCbor:
    """Bytes put into a block as they are (to write what ``cbor`` would refuse, e.g. 100k-deep nesting)."""

    def __init__(self, data: bytes) -> None:
        self.data = data


class Link:
    """A CID link inside a DAG-CBOR block (CBOR tag 42)."""

    def __init__(self, cid: bytes) -> None:
        self.cid = cid


def _head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for info, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if value < 256 ** struct.calcsize(fmt):
            return bytes([major << 5 | info]) + struct.pack(fmt, value)
    raise ValueError(value)


def cbor(value: Any) -> bytes:
    """DAG-CBOR: maps with text keys sorted by length then bytes, text, ints, lists, bools, links."""
    if isinstance(value, bool):
        return b"\xf5" if value else b"\xf4"
    if value is None:
        return b"\xf6"
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        data = value.encode()
        return _head(3, len(data)) + data
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(cbor(v) for v in value)
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: (len(k.encode()), k.encode()))
        return _head(5, len(keys)) + b"".join(cbor(k) + cbor(value[k]) for k in keys)
    if isinstance(value, Link):
        return b"\xd8\x2a" + cbor(b"\x00" + value.cid)
    if isinstance(value, RawCbor):
        return value.data
    raise TypeError(type(value))


def _cid(block: bytes) -> bytes:
    return bytes([0x01, 0x71, 0x12, 0x20]) + hashlib.sha256(block).digest()


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def bluesky_car(path: Path, did: str, posts: list[Written]) -> Path:
    records: list[Any] = []
    for post in posts:
        record: dict[str, Any] = {
            "$type": "app.bsky.feed.post",
            "text": post.text,
            "createdAt": post.at.isoformat().replace("+00:00", "Z"),
            "langs": ["en"],
        }
        if post.link:
            start = len(post.text.encode()) + 1
            record["text"] = f"{post.text} {post.link}"
            record["facets"] = [
                {
                    "index": {"byteStart": start, "byteEnd": start + len(post.link.encode())},
                    "features": [{"$type": "app.bsky.richtext.facet#link", "uri": post.link}],
                }
            ]
        if post.reply:
            root = {"uri": "at://did:plc:other/app.bsky.feed.post/1", "cid": "bafyreib"}
            record["reply"] = {"root": root, "parent": root}
        records.append(record)
    return car_file(path, did, records)


def car_file(path: Path, did: str, records: list[Any]) -> Path:
    """A repository CAR holding ``records`` (dicts, or RawCbor blocks) as posts, in an MST node."""
    blocks: list[tuple[bytes, bytes]] = []
    entries = []
    previous_key = b""
    for n, record in enumerate(records):
        data = cbor(record)
        cid = _cid(data)
        blocks.append((cid, data))
        key = f"app.bsky.feed.post/3k{n:011d}".encode()
        shared = len(
            next((previous_key[:i] for i in range(len(key), 0, -1) if key[:i] == previous_key[:i]), b"")
        )
        entries.append({"p": shared, "k": key[shared:], "v": Link(cid), "t": None})
        previous_key = key
    node = cbor({"l": None, "e": entries})
    node_cid = _cid(node)
    commit = cbor(
        {"did": did, "version": 3, "data": Link(node_cid), "rev": "3kabc", "prev": None, "sig": b"\x00" * 64}
    )
    commit_cid = _cid(commit)
    header = cbor({"roots": [Link(commit_cid)], "version": 1})
    out = bytearray(_varint(len(header)) + header)
    for cid, data in [(commit_cid, commit), (node_cid, node), *blocks]:
        out += _varint(len(cid) + len(data)) + cid + data
    path.write_bytes(bytes(out))
    return path


# -- plain --------------------------------------------------------------------------------------------


def csv_export(path: Path, account: str, posts: list[Written]) -> Path:
    lines = ["time,text,links,account"]
    for post in posts:
        text = post.text.replace('"', '""')
        lines.append(f'{post.at.isoformat()},"{text}",{post.link},{account}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def jsonl_export(path: Path, account: str, posts: list[Written]) -> Path:
    rows = [{"at": p.at.isoformat(), "text": p.text, "links": [p.link] if p.link else [], "account": account}
            for p in posts]  # fmt: skip
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path
