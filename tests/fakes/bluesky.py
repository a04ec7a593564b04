"""A fake Bluesky PDS (XRPC): sessions with JWT-shaped tokens that expire and refresh, createRecord
validated against the atproto lexicon models, uploadBlob, listRecords, resolveHandle, getProfile and
getAuthorFeed with moderation labels (only those of the labelers the request's
``atproto-accept-labelers`` header names, as the AppView does), each answer checked against the atproto
models before it is sent."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from atproto import models
from atproto_client.models import get_or_create

from tests.fakes.server import FakeServer, Reply, Request

POINTS_PER_HOUR = 5000
# app.bsky.embed.images and app.bsky.embed.external: an image or a card's thumbnail, 1,000,000 bytes at most.
MAX_BLOB_BYTES = 1_000_000
CREATE_POINTS = 3
#: Bluesky's own moderation service.
BSKY_LABELER = "did:plc:ar7c4by46qjdydhdevvrndac"


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())


def jwt(did: str, scope: str, lifetime: float) -> str:
    now = int(time.time())
    header = _b64({"typ": "at+jwt", "alg": "HS256"})
    payload = _b64(
        {"scope": scope, "sub": did, "iat": now, "exp": int(now + lifetime), "jti": secrets.token_hex(8)}
    )
    return f"{header}.{payload}.{secrets.token_hex(16)}"


def cid(data: bytes) -> str:
    """A CIDv1 (dag-cbor, sha2-256) in base32, as the PDS returns for a record."""
    raw = b"\x01\x71\x12\x20" + hashlib.sha256(data).digest()
    return "b" + base64.b32encode(raw).decode().lower().rstrip("=")


@dataclass
class BskyUser:
    did: str
    handle: str
    password: str
    description: str = ""
    bot_label: bool = False
    created_at: str = "2025-06-01T10:00:00.000Z"
    followers: int = 0
    avatar: bool = False
    access: set[str] = field(default_factory=set)
    refresh: set[str] = field(default_factory=set)
    records: list[dict[str, Any]] = field(default_factory=list)
    points: int = 0


def _error(status: int, name: str, message: str, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, {"error": name, "message": message}, headers or {})


class FakeBluesky(FakeServer):
    FAULTS: ClassVar[dict[str, Callable[[Any, Request], Reply]]] = {
        "rate_limited": lambda s, r: _error(
            429,
            "RateLimitExceeded",
            "Rate Limit Exceeded",
            {
                "ratelimit-limit": "5000",
                "ratelimit-remaining": "0",
                "ratelimit-reset": str(int(time.time() + 1800)),
                "ratelimit-policy": "5000;w=3600",
            },
        ),
        "takedown": lambda s, r: _error(400, "AccountTakedown", "Account has been taken down"),
        "expired": lambda s, r: _error(400, "ExpiredToken", "Token has expired"),
        "unauthorized": lambda s, r: _error(401, "AuthenticationRequired", "Invalid identifier or password"),
        "invalid": lambda s, r: _error(400, "InvalidRequest", "Invalid app.bsky.feed.post record"),
        "server_error": lambda s, r: _error(502, "UpstreamFailure", "Upstream Failure"),
        "unavailable": lambda s, r: _error(503, "NotEnoughResources", "Service Unavailable"),
    }

    def __init__(self, *, access_lifetime: float = 7200.0) -> None:
        super().__init__()
        self.users: dict[str, BskyUser] = {}
        self.access_lifetime = access_lifetime
        self.logins = 0
        self.notifications: list[dict[str, Any]] = []
        self.labels: list[dict[str, Any]] = []
        self._rkeys = itertools.count(1)
        self.blobs: dict[str, dict[str, Any]] = {}  # cid -> size, mimeType, data
        for nsid, handler in {
            "com.atproto.server.createSession": self._create_session,
            "com.atproto.server.refreshSession": self._refresh_session,
            "com.atproto.repo.createRecord": self._create_record,
            "com.atproto.repo.uploadBlob": self._upload_blob,
        }.items():
            self.route("POST", f"/xrpc/{nsid}", handler)
        for nsid, handler in {
            "com.atproto.server.getSession": self._get_session,
            "com.atproto.repo.listRecords": self._list_records,
            "com.atproto.repo.getRecord": self._get_record,
            "com.atproto.identity.resolveHandle": self._resolve_handle,
            "app.bsky.actor.getProfile": self._get_profile,
            "app.bsky.feed.getAuthorFeed": self._get_author_feed,
            "app.bsky.notification.listNotifications": self._list_notifications,
        }.items():
            self.route("GET", f"/xrpc/{nsid}", handler)

    def add_user(self, handle: str, **fields: Any) -> dict[str, str]:
        password = "-".join(secrets.token_hex(2) for _ in range(4))  # an app password's shape
        user = BskyUser(f"did:plc:{secrets.token_hex(12)}", handle, password, **fields)
        self.users[user.did] = user
        return {"handle": handle, "app_password": password}

    def user(self, handle: str) -> BskyUser:
        return next(u for u in self.users.values() if u.handle == handle)

    def mention(self, to: str, author: str, text: str, *, reply: bool = False) -> str:
        """``author`` (a handle) mentions or replies to ``to``; returns the record's URI."""
        target = self.user(to)
        author_did = f"did:plc:{hashlib.sha256(author.encode()).hexdigest()[:24]}"
        uri = f"at://{author_did}/app.bsky.feed.post/3m{next(self._rkeys):011d}"
        record = {"$type": "app.bsky.feed.post", "text": text, "createdAt": _now()}
        self.notifications.append(
            {
                "uri": uri,
                "cid": cid(uri.encode()),
                "author": {"did": author_did, "handle": author},
                "reason": "reply" if reply else "mention",
                "record": record,
                "isRead": False,
                "indexedAt": _now(),
                "to": target.did,
            }
        )
        return uri

    def label(
        self,
        handle: str,
        val: str,
        *,
        labeler: str = BSKY_LABELER,
        post: int | None = None,
        neg: bool = False,
        exp: str | None = None,
    ) -> dict[str, Any]:
        """A labeler labels the account (or its ``post``-th record, oldest first) with ``val``."""
        user = self.user(handle)
        uri = user.did if post is None else user.records[post]["uri"]
        label: dict[str, Any] = {"ver": 1, "src": labeler, "uri": uri, "val": val, "cts": _now()}
        if neg:
            label["neg"] = True
        if exp:
            label["exp"] = exp
        self.labels.append(label)
        return label

    def revoke_sessions(self, handle: str) -> None:
        user = self.user(handle)
        user.access.clear()
        user.refresh.clear()

    # -- auth ---------------------------------------------------------------------------------------

    def _bearer(self, request: Request, kind: str) -> BskyUser | None:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        for user in self.users.values():
            if token in (user.access if kind == "access" else user.refresh):
                payload = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
                return user if payload["exp"] > time.time() else None
        return None

    def _session(self, user: BskyUser) -> dict[str, Any]:
        access, refresh = (
            jwt(user.did, "com.atproto.access", self.access_lifetime),
            jwt(user.did, "com.atproto.refresh", 90 * 86400),
        )
        user.access.add(access)
        user.refresh.add(refresh)
        return {
            "accessJwt": access,
            "refreshJwt": refresh,
            "handle": user.handle,
            "did": user.did,
            "active": True,
        }

    def _headers(self, user: BskyUser) -> dict[str, str]:
        return {
            "ratelimit-limit": str(POINTS_PER_HOUR),
            "ratelimit-remaining": str(POINTS_PER_HOUR - user.points),
            "ratelimit-reset": str(int(time.time() + 3600)),
            "ratelimit-policy": f"{POINTS_PER_HOUR};w=3600",
        }

    # -- endpoints ----------------------------------------------------------------------------------

    def _create_session(self, request: Request) -> Reply:
        self.logins += 1
        body = request.json()
        user = next((u for u in self.users.values() if u.handle == body.get("identifier")), None)
        if user is None or user.password != body.get("password"):
            return _error(401, "AuthenticationRequired", "Invalid identifier or password")
        return Reply(200, self._session(user))

    def _refresh_session(self, request: Request) -> Reply:
        user = self._bearer(request, "refresh")
        if user is None:
            return _error(400, "ExpiredToken", "Token has been revoked")
        token = request.headers["authorization"].removeprefix("Bearer ")
        user.refresh.discard(token)  # refresh tokens are single-use
        return Reply(200, self._session(user))

    def _get_session(self, request: Request) -> Reply:
        user = self._bearer(request, "access")
        if user is None:
            return _error(400, "ExpiredToken", "Token has expired")
        return Reply(200, {"handle": user.handle, "did": user.did, "active": True})

    def _create_record(self, request: Request) -> Reply:
        user = self._bearer(request, "access")
        if user is None:
            return _error(400, "ExpiredToken", "Token has expired")
        body = request.json()
        if body.get("repo") not in (user.did, user.handle) or body.get("collection") != "app.bsky.feed.post":
            return _error(400, "InvalidRequest", "repo or collection is wrong")
        try:  # the lexicon's own model: a record that does not fit is refused, as the PDS refuses it
            get_or_create(body["record"], models.AppBskyFeedPost.Record, strict=True)
        except Exception as exc:
            return _error(400, "InvalidRequest", f"Invalid app.bsky.feed.post record: {exc}")
        if len(body["record"]["text"].encode()) > 3000:
            return _error(400, "InvalidRequest", "Record/text must not be longer than 3000 bytes")
        problem = self._blob_problem(body["record"].get("embed")) or self._reply_problem(
            user, body["record"].get("reply")
        )
        if problem:
            return _error(400, *problem)
        rkey = f"3l{next(self._rkeys):011d}"
        record_cid = cid(json.dumps(body["record"], sort_keys=True).encode())
        uri = f"at://{user.did}/app.bsky.feed.post/{rkey}"
        user.records.append({"uri": uri, "cid": record_cid, "value": body["record"]})
        user.points += CREATE_POINTS
        return Reply(
            200,
            {
                "uri": uri,
                "cid": record_cid,
                "commit": {"cid": cid(uri.encode()), "rev": f"3l{rkey}"},
                "validationStatus": "valid",
            },
            self._headers(user),
        )

    def _blob_problem(self, embed: Any) -> tuple[str, str] | None:
        """A record's images and card thumbnail must be blobs uploaded before, within the lexicon's size."""
        if not isinstance(embed, dict):
            return None
        refs = [image.get("image") for image in embed.get("images") or []]
        refs += (
            [(embed.get("external") or {}).get("thumb")] if (embed.get("external") or {}).get("thumb") else []
        )
        for ref in refs:
            link = ((ref or {}).get("ref") or {}).get("$link", "")
            blob = self.blobs.get(link)
            if blob is None:
                return "InvalidRequest", f"Could not find blob: {link}"
            if blob["size"] > MAX_BLOB_BYTES:
                return (
                    "BlobTooLarge",
                    f"This file is too large: {blob['size']} bytes, the maximum is {MAX_BLOB_BYTES}.",
                )
        return None

    def _reply_problem(self, user: BskyUser, reply: Any) -> tuple[str, str] | None:
        """A reply names its parent and root by uri and cid, as they are in the repository."""
        if not isinstance(reply, dict):
            return None
        for role in ("root", "parent"):
            ref = reply.get(role) or {}
            if not any(r["uri"] == ref.get("uri") and r["cid"] == ref.get("cid") for r in user.records):
                return "InvalidRequest", f"reply {role} {ref.get('uri')} is not a record of this repository"
        return None

    def _get_record(self, request: Request) -> Reply:
        repo = request.query.get("repo", [""])[0]
        rkey = request.query.get("rkey", [""])[0]
        user = self.users.get(repo) or next((u for u in self.users.values() if u.handle == repo), None)
        found = next((r for r in user.records if r["uri"].endswith(f"/{rkey}")), None) if user else None
        if found is None:
            return _error(400, "RecordNotFound", f"Could not locate record: at://{repo}/…/{rkey}")
        return Reply(200, {"uri": found["uri"], "cid": found["cid"], "value": found["value"]})

    def _upload_blob(self, request: Request) -> Reply:
        user = self._bearer(request, "access")
        if user is None:
            return _error(400, "ExpiredToken", "Token has expired")
        blob_cid = "b" + base64.b32encode(
            b"\x01\x55\x12\x20" + hashlib.sha256(request.body).digest()
        ).decode().lower().rstrip("=")
        kind = request.headers.get("content-type", "*/*")
        self.blobs[blob_cid] = {"size": len(request.body), "mimeType": kind, "data": request.body}
        return Reply(
            200,
            {
                "blob": {
                    "$type": "blob",
                    "ref": {"$link": blob_cid},
                    "mimeType": request.headers.get("content-type", "*/*"),
                    "size": len(request.body),
                }
            },
        )

    def _list_records(self, request: Request) -> Reply:
        repo = request.query.get("repo", [""])[0]
        user = self.users.get(repo) or next((u for u in self.users.values() if u.handle == repo), None)
        if user is None:
            return _error(400, "InvalidRequest", f"Could not find repo: {repo}")
        limit = int(request.query.get("limit", ["50"])[0])
        return Reply(200, {"records": list(reversed(user.records))[:limit]})

    def _resolve_handle(self, request: Request) -> Reply:
        handle = request.query.get("handle", [""])[0]
        user = next((u for u in self.users.values() if u.handle == handle), None)
        if user is None:
            return _error(400, "InvalidRequest", "Unable to resolve handle")
        return Reply(200, {"did": user.did})

    def _list_notifications(self, request: Request) -> Reply:
        user = self._bearer(request, "access")
        if user is None:
            return _error(400, "ExpiredToken", "Token has expired")
        reasons = request.query.get("reasons", [])
        shown = [
            {k: v for k, v in n.items() if k != "to"}
            for n in reversed(self.notifications)
            if n["to"] == user.did and (not reasons or n["reason"] in reasons)
        ]
        return Reply(200, {"notifications": shown[:50]})

    def _labels_for(self, request: Request, uri: str) -> list[dict[str, Any]]:
        """The labels on ``uri`` from the labelers the request accepts (``did[;redact], ...``)."""
        header = request.headers.get("atproto-accept-labelers", "")
        accepted = {part.split(";")[0].strip() for part in header.split(",") if part.strip()}
        return [dict(label) for label in self.labels if label["uri"] == uri and label["src"] in accepted]

    def _get_author_feed(self, request: Request) -> Reply:
        actor = request.query.get("actor", [""])[0]
        user = self.users.get(actor) or next((u for u in self.users.values() if u.handle == actor), None)
        if user is None:
            return _error(400, "InvalidRequest", "Profile not found")
        limit = int(request.query.get("limit", ["50"])[0])
        feed = [
            {
                "post": {
                    "uri": record["uri"],
                    "cid": record["cid"],
                    "author": {"did": user.did, "handle": user.handle},
                    "record": record["value"],
                    "indexedAt": record["value"]["createdAt"],
                    "labels": self._labels_for(request, record["uri"]),
                }
            }
            for record in list(reversed(user.records))[:limit]
        ]
        body = {"feed": feed}
        get_or_create(body, models.AppBskyFeedGetAuthorFeed.Response, strict=True)  # the lexicon's shape
        return Reply(200, body)

    def _get_profile(self, request: Request) -> Reply:
        actor = request.query.get("actor", [""])[0]
        user = self.users.get(actor) or next((u for u in self.users.values() if u.handle == actor), None)
        if user is None:
            return _error(400, "InvalidRequest", "Profile not found")
        labels = (
            [
                {
                    "src": user.did,
                    "uri": f"at://{user.did}/app.bsky.actor.profile/self",
                    "val": "bot",
                    "cts": "2026-01-01T00:00:00.000Z",
                }
            ]
            if user.bot_label
            else []
        )
        body = {
            "did": user.did,
            "handle": user.handle,
            "description": user.description,
            "labels": labels + self._labels_for(request, user.did),
            "postsCount": len(user.records),
            "followersCount": user.followers,
            "followsCount": 0,
            "createdAt": user.created_at,
            **(
                {"avatar": f"https://cdn.bsky.app/img/avatar/plain/{user.did}/me@jpeg"} if user.avatar else {}
            ),
        }
        get_or_create(body, models.AppBskyActorDefs.ProfileViewDetailed, strict=True)  # the lexicon's shape
        return Reply(200, body)
