"""A fake Mastodon server: statuses (with Idempotency-Key), media, verify_credentials, the account's
statuses, the instance's limits and rules, account lookup (where another server's view of an account shows
it limited or suspended). Answers carry X-RateLimit-* headers; objects have the documented fields."""

from __future__ import annotations

import html
import itertools
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from tests.fakes.server import FakeServer, Reply, Request, segments

_URL = re.compile(r"https?://\S+")
# A server's defaults (GET /api/v2/instance; the rate-limits page): 4 attachments a status, images up to
# 16 MiB, descriptions up to 1,500 characters, 30 uploads in 30 minutes per account.
MAX_ATTACHMENTS, IMAGE_SIZE_LIMIT, MAX_DESCRIPTION = 4, 16 * 1024 * 1024, 1500
UPLOADS_PER_WINDOW, UPLOAD_WINDOW = 30, 1800.0


@dataclass
class MastodonUser:
    id: str
    username: str
    token: str
    note: str = ""
    bot: bool = False
    created_at: str = "2026-01-01T00:00:00.000Z"
    followers: int = 0
    avatar: bool = False  # the server's "missing" picture until one is uploaded
    statuses: list[dict[str, Any]] = field(default_factory=list)
    keys: dict[str, dict[str, Any]] = field(default_factory=dict)  # Idempotency-Key -> status


def _error(status: int, message: str) -> Reply:
    return Reply(status, {"error": message})


class FakeMastodon(FakeServer):
    FAULTS: ClassVar[dict[str, Callable[[Any, Request], Reply]]] = {
        "rate_limited": lambda s, r: s._rate_limited(),
        "unauthorized": lambda s, r: _error(401, "The access token was revoked"),
        "suspended": lambda s, r: _error(403, "Your login is currently disabled"),
        "forbidden": lambda s, r: _error(403, "This action is not allowed"),
        "gone": lambda s, r: _error(410, "Gone"),
        "unprocessable": lambda s, r: _error(422, "Validation failed: Text character limit of 500 exceeded"),
        "server_error": lambda s, r: _error(503, "Service Unavailable"),
        "html_error": lambda s, r: Reply(
            502, b"<html><body>502 Bad Gateway</body></html>", {"Content-Type": "text/html"}
        ),
    }

    def __init__(
        self,
        *,
        max_characters: int = 500,
        processing_polls: int = 1,
        domain: str = "fake.social",
        rules: list[dict[str, str]] | None = None,
    ) -> None:
        super().__init__()
        self.users: dict[str, MastodonUser] = {}
        self.max_characters = max_characters
        self.domain = domain
        self.rules = rules if rules is not None else [{"id": "1", "text": "Bots post unlisted", "hint": ""}]
        # How this server sees accounts of other servers (user@domain): "limited" or "suspended".
        self.remote_states: dict[str, str] = {}
        self.processing_polls = processing_polls
        self._ids = itertools.count(113_000_000_000_000_000)
        self._media: dict[str, int] = {}  # id -> polls left before it is processed
        self.media: dict[str, dict[str, Any]] = {}  # id -> size, type, description
        self.uploads: dict[str, list[float]] = {}  # user token -> when each upload came
        self.route("POST", "/api/v1/statuses", self._create)
        self.route("POST", "/api/v2/media", self._upload)
        self.route("GET", "/api/v1/media/{id}", self._media_status)
        self.route("GET", "/api/v1/accounts/verify_credentials", self._me)
        self.route("GET", "/api/v1/accounts/{id}/statuses", self._statuses)
        self.route("GET", "/api/v2/instance", self._instance)
        self.route("GET", "/api/v1/notifications", self._notifications)
        self.route("GET", "/api/v1/accounts/lookup", self._lookup)
        self.notifications: list[dict[str, Any]] = []

    def add_user(self, username: str, **fields: Any) -> dict[str, str]:
        user = MastodonUser(str(next(self._ids)), username, secrets.token_urlsafe(24), **fields)
        self.users[user.token] = user
        return {"access_token": user.token}

    def mention(self, to: str, author: str, text: str, *, direct: bool = False) -> str:
        """``author`` (a remote account, user@server) mentions ``to``; direct=True is a private mention."""
        target = self.user(to)
        sender = MastodonUser(str(next(self._ids)), author.split("@")[0], "-")
        status = self._status(
            sender, {"status": f"@{to} {text}", "visibility": "direct" if direct else "public"}
        )
        status["account"]["acct"] = author
        note = {
            "id": str(next(self._ids)),
            "type": "mention",
            "created_at": status["created_at"],
            "account": status["account"],
            "status": status,
            "group_key": f"ungrouped-{status['id']}",
            "to": target.token,
        }
        self.notifications.append(note)
        return str(note["id"])

    def user(self, username: str) -> MastodonUser:
        return next(u for u in self.users.values() if u.username == username)

    def _auth(self, request: Request) -> MastodonUser | None:
        return self.users.get(request.headers.get("authorization", "").removeprefix("Bearer "))

    def _headers(self, user: MastodonUser) -> dict[str, str]:
        reset = (datetime.now(UTC) + timedelta(hours=3)).isoformat(timespec="milliseconds")
        return {
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": str(max(300 - len(user.statuses), 0)),
            "X-RateLimit-Reset": reset.replace("+00:00", "Z"),
        }

    def _rate_limited(self) -> Reply:
        reset = (datetime.now(UTC) + timedelta(minutes=30)).isoformat(timespec="milliseconds")
        return Reply(
            429,
            {"error": "Too many requests"},
            {
                "X-RateLimit-Limit": "300",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": reset.replace("+00:00", "Z"),
            },
        )

    # -- objects ------------------------------------------------------------------------------------

    def _account(self, user: MastodonUser) -> dict[str, Any]:
        base = f"{self.url}/@{user.username}"
        avatar = (
            f"{self.url}/system/accounts/avatars/{user.id}/original/me.png"
            if user.avatar
            else f"{self.url}/avatars/original/missing.png"
        )
        return {
            "id": user.id,
            "username": user.username,
            "acct": user.username,
            "display_name": user.username,
            "locked": False,
            "bot": user.bot,
            "group": False,
            "indexable": False,
            "created_at": user.created_at,
            "note": f"<p>{html.escape(user.note)}</p>",
            "uri": f"{self.url}/users/{user.username}",
            "url": base,
            "avatar": avatar,
            "avatar_static": avatar,
            "header": f"{self.url}/headers/original/missing.png",
            "header_static": f"{self.url}/headers/original/missing.png",
            "followers_count": user.followers,
            "following_count": 0,
            "statuses_count": len(user.statuses),
            "emojis": [],
            "fields": [],
        }

    def _status(self, user: MastodonUser, body: dict[str, Any]) -> dict[str, Any]:
        status_id = str(next(self._ids))
        text = str(body.get("status", ""))
        content = (
            "<p>"
            + "<br />".join(
                _URL.sub(
                    lambda m: (
                        f'<a href="{m.group(0)}" rel="nofollow noopener" target="_blank">'
                        f'<span class="invisible">https://</span><span class="">{m.group(0)[8:]}</span></a>'
                    ),
                    html.escape(line, quote=False),
                )
                for line in text.split("\n")
            )
            + "</p>"
        )
        media = [
            {
                "id": m,
                "type": "image",
                "url": f"{self.url}/media/{m}.png",
                "description": self.media.get(m, {}).get("description") or None,
            }
            for m in body.get("media_ids", [])
        ]
        return {
            "id": status_id,
            "uri": f"{self.url}/users/{user.username}/statuses/{status_id}",
            "url": f"{self.url}/@{user.username}/{status_id}",
            "created_at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "account": self._account(user),
            "content": content,
            "visibility": body.get("visibility", "public"),
            "sensitive": bool(body.get("spoiler_text")) or bool(body.get("sensitive")),
            "in_reply_to_id": body.get("in_reply_to_id"),
            "spoiler_text": body.get("spoiler_text", ""),
            "media_attachments": media,
            "mentions": [],
            "tags": [],
            "emojis": [],
            "reblogs_count": 0,
            "favourites_count": 0,
            "replies_count": 0,
            "language": body.get("language"),
        }

    # -- endpoints ----------------------------------------------------------------------------------

    def _create(self, request: Request) -> Reply:
        user = self._auth(request)
        if user is None:
            return _error(401, "The access token is invalid")
        key = request.headers.get("idempotency-key", "")
        if key and key in user.keys:
            return Reply(200, user.keys[key], self._headers(user))
        body = request.json()
        if not isinstance(body, dict) or not (body.get("status") or body.get("media_ids")):
            return _error(422, "Validation failed: Text can't be blank")
        if len(str(body.get("status", ""))) > self.max_characters:
            return _error(422, f"Validation failed: Text character limit of {self.max_characters} exceeded")
        if len(body.get("media_ids", [])) > MAX_ATTACHMENTS:
            return _error(422, f"Validation failed: Cannot attach more than {MAX_ATTACHMENTS} files")
        reply_to = body.get("in_reply_to_id")
        if reply_to and not any(s["id"] == reply_to for u in self.users.values() for s in u.statuses):
            return _error(404, "Record not found")
        for media_id in body.get("media_ids", []):
            if self._media.get(media_id, 1) > 0:
                return _error(
                    422, "Cannot attach files that have not finished processing. Try again in a moment!"
                )
        status = self._status(user, body)
        user.statuses.append(status | {"sent_text": body.get("status", "")})
        if key:
            user.keys[key] = status
        return Reply(200, status, self._headers(user))

    def _upload(self, request: Request) -> Reply:
        user = self._auth(request)
        if user is None:
            return _error(401, "The access token is invalid")
        parts = request.parts()
        if "file" not in parts:
            return _error(422, "Validation failed: File can't be blank")
        now = time.time()
        recent = [t for t in self.uploads.get(user.token, []) if t > now - UPLOAD_WINDOW]
        if len(recent) >= UPLOADS_PER_WINDOW:  # the server's budget for uploads: 30 in 30 minutes
            return self._rate_limited()
        self.uploads[user.token] = [*recent, now]
        data, kind = parts["file"]
        if len(data) > IMAGE_SIZE_LIMIT:
            return _error(422, "Validation failed: File file size must be less than 16 MB")
        description = parts.get("description", (b"", ""))[0].decode()
        if len(description) > MAX_DESCRIPTION:
            return _error(
                422, f"Validation failed: Description is too long (maximum is {MAX_DESCRIPTION} characters)"
            )
        media_id = str(next(self._ids))
        self._media[media_id] = self.processing_polls
        self.media[media_id] = {"size": len(data), "type": kind, "description": description, "data": data}
        attachment = {
            "id": media_id,
            "type": "image",
            "url": None,
            "preview_url": f"{self.url}/p/{media_id}.png",
            "description": description or None,
            "blurhash": None,
        }
        return Reply(202 if self.processing_polls else 200, attachment, self._headers(user))

    def _media_status(self, request: Request) -> Reply:
        media_id = segments(request, "/api/v1/media/{id}")["id"]
        if media_id not in self._media:
            return _error(404, "Record not found")
        self._media[media_id] = max(self._media[media_id] - 1, 0)
        done = self._media[media_id] == 0
        attachment = {
            "id": media_id,
            "type": "image",
            "url": f"{self.url}/m/{media_id}.png" if done else None,
        }
        return Reply(200 if done else 206, attachment)

    def _me(self, request: Request) -> Reply:
        user = self._auth(request)
        if user is None:
            return _error(401, "The access token is invalid")
        return Reply(200, self._account(user), self._headers(user))

    def _statuses(self, request: Request) -> Reply:
        user = self._auth(request)
        if user is None:
            return _error(401, "The access token is invalid")
        wanted = segments(request, "/api/v1/accounts/{id}/statuses")["id"]
        owner = next((u for u in self.users.values() if u.id == wanted), None)
        if owner is None:
            return _error(404, "Record not found")
        limit = int(request.query.get("limit", ["20"])[0])
        shown = [{k: v for k, v in s.items() if k != "sent_text"} for s in reversed(owner.statuses[-limit:])]
        return Reply(200, shown, self._headers(user))

    def _notifications(self, request: Request) -> Reply:
        user = self._auth(request)
        if user is None:
            return _error(401, "The access token is invalid")
        since = int(request.query.get("since_id", ["0"])[0])
        types = request.query.get("types[]", [])
        shown = [
            {k: v for k, v in n.items() if k != "to"}
            for n in reversed(self.notifications)
            if n["to"] == user.token and int(n["id"]) > since and (not types or n["type"] in types)
        ]
        return Reply(200, shown, self._headers(user))

    def _lookup(self, request: Request) -> Reply:
        """An account by its address, without authentication: this server's own users by their name,
        others as this server knows them (with ``limited``/``suspended`` where it moderated them)."""
        acct = request.query.get("acct", [""])[0].removeprefix("@")
        name, _, domain = acct.partition("@")
        local = next((u for u in self.users.values() if u.username == name), None)
        if local is not None and domain in ("", self.domain):
            return Reply(200, self._account(local))
        if acct not in self.remote_states:
            return _error(404, "Record not found")
        state = self.remote_states[acct]
        remote = MastodonUser(str(abs(hash(acct)) % 10**17), name, "-")
        account = self._account(remote) | {"acct": acct, "url": f"https://{domain}/@{name}"}
        if state == "suspended":
            account |= {"suspended": True, "note": "", "statuses_count": 0}
        else:
            account["limited"] = True
        return Reply(200, account)

    def _instance(self, request: Request) -> Reply:
        return Reply(
            200,
            {
                "domain": self.domain,
                "title": "Fake Social",
                "version": "4.5.0",
                "source_url": "https://github.com/mastodon/mastodon",
                "description": "A stand-in server",
                "usage": {"users": {"active_month": 1}},
                "thumbnail": {"url": f"{self.url}/thumb.png"},
                "icon": [],
                "languages": ["en"],
                "api_versions": {"mastodon": 7},
                "configuration": {
                    "urls": {"streaming": "wss://fake.social"},
                    "accounts": {"max_featured_tags": 10, "max_pinned_statuses": 5},
                    "statuses": {
                        "max_characters": self.max_characters,
                        "max_media_attachments": 4,
                        "characters_reserved_per_url": 23,
                    },
                    "media_attachments": {
                        "supported_mime_types": ["image/png", "image/jpeg"],
                        "image_size_limit": 16777216,
                        "image_matrix_limit": 33177600,
                        "video_size_limit": 103809024,
                        "video_frame_rate_limit": 120,
                        "video_matrix_limit": 8294400,
                    },
                    "polls": {
                        "max_options": 4,
                        "max_characters_per_option": 50,
                        "min_expiration": 300,
                        "max_expiration": 2629746,
                    },
                    "translation": {"enabled": False},
                },
                "registrations": {"enabled": False, "approval_required": False, "message": None},
                "contact": {"email": "admin@fake.social"},
                "rules": self.rules,
            },
        )
