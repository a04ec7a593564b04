"""A fake X API v2: posts, media upload and metadata, users/me, the user's posts, mentions, post and
direct message lookup, trends, the usage report, OAuth 1.0a and OAuth 2.0 tokens.

OAuth 1.0a signatures are verified (HMAC-SHA1 over the RFC 5849 base string); bearer tokens expire and
rotate like X's. Answers carry X's rate-limit headers; error bodies are the shapes X sends. With
self-serve access (the default) it refuses what X's 2026 API refuses of it: a reply to a post that did not
summon the user (mention it, reply to it or quote it), a post with more than one cashtag, a quote post.
``users/me`` answers the ``user.fields`` asked for, as X does. Like X, it counts the posts each read
returned once per UTC day, and its usage report says so.
"""

from __future__ import annotations

import base64
import itertools
import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import unquote

from authlib.oauth1.rfc5849.signature import construct_base_string, hmac_sha1_signature

from tests.fakes.server import FakeServer, Reply, Request, segments

LOCKED_MESSAGE = (
    "To protect our users from spam and other malicious activity, this account is temporarily locked. "
    "Please log in to https://x.com to unlock your account."
)
SPAM_MESSAGE = (
    "This request looks like it might be automated. To protect our users from spam and other malicious "
    "activity, we can't complete this action right now. Please try again later."
)
_URL = re.compile(r"https?://\S+")
_CASHTAG = re.compile(
    r"(?:^|(?<=\s))\$[A-Za-z]{1,6}(?:[._][A-Za-z]{1,2})?(?=$|\s|[!'#%&()*+,\\\-./:;<=>?@\[\]^_{|}~$])"
)
NOT_SUMMONED = (
    "Reply to this conversation is not allowed because you have not been mentioned or otherwise engaged "
    "by the author of the post you are replying to."
)
TOO_MANY_CASHTAGS = "Posts created through the API may contain at most one cashtag."
QUOTES_NOT_OFFERED = "Quote posts are not available to your access level."
MAX_IMAGE_BYTES = 5 * 1024 * 1024


@dataclass
class XUser:
    id: str
    username: str
    description: str = ""
    consumer_key: str = ""
    consumer_secret: str = ""
    access_token: str = ""
    access_token_secret: str = ""
    client_id: str = ""
    bearer: str = ""
    refresh: str = ""
    affiliated_with: str = ""  # the affiliate badge (``affiliation``), not the 'Automated' label
    created_at: str = "2019-05-01T12:00:00.000Z"
    followers: int = 0
    avatar: bool = True
    tweets: list[dict[str, Any]] = field(default_factory=list)


def _problem(status: int, title: str, detail: str, kind: str = "about:blank", **extra: str) -> Reply:
    body = {"title": title, "detail": detail, "type": kind, "status": status, **extra}
    return Reply(status, body, {"Content-Type": "application/problem+json"})


def _not_found(resource_type: str, parameter: str, value: str, detail: str) -> dict[str, str]:
    return {
        "value": value,
        "detail": detail,
        "title": "Not Found Error",
        "resource_type": resource_type,
        "parameter": parameter,
        "resource_id": value,
        "type": "https://api.x.com/2/problems/resource-not-found",
    }


def _invalid(detail: str) -> Reply:
    return _problem(400, "Invalid Request", detail, "https://api.x.com/2/problems/invalid-request")


def _v1_error(code: int, message: str, status: int = 403) -> Reply:
    return Reply(status, {"errors": [{"code": code, "message": message}]})


class FakeX(FakeServer):
    FAULTS: ClassVar[dict[str, Callable[[Any, Request], Reply]]] = {
        "rate_limited": lambda s, r: s._rate_limited(),
        "usage_capped": lambda s, r: _problem(
            429,
            "UsageCapExceeded",
            "Usage cap exceeded: Monthly product cap",
            "https://api.x.com/2/problems/usage-capped",
            period="Monthly",
            scope="Product",
        ),
        "daily_capped": lambda s, r: s._daily_capped(),
        "credits_depleted": lambda s, r: _problem(
            402, "CreditsDepleted", "Your enrolled account does not have any credits to fulfill this request."
        ),
        "locked": lambda s, r: _v1_error(326, LOCKED_MESSAGE),
        "spam": lambda s, r: _v1_error(226, SPAM_MESSAGE),
        "suspended": lambda s, r: _v1_error(
            64, "Your account is suspended and is not permitted to access this feature."
        ),
        "write_restricted": lambda s, r: _v1_error(261, "Application cannot perform write actions."),
        "duplicate": lambda s, r: _problem(
            403, "Forbidden", "You are not allowed to create a Tweet with duplicate content."
        ),
        "unauthorized": lambda s, r: _problem(401, "Unauthorized", "Unauthorized"),
        "server_error": lambda s, r: _problem(503, "Service Unavailable", "Service Unavailable"),
        "bad_request": lambda s, r: _problem(
            400,
            "Invalid Request",
            "One or more parameters to your request was invalid.",
            "https://api.x.com/2/problems/invalid-request",
        ),
    }

    def __init__(
        self,
        *,
        reject_duplicates: bool = True,
        window_limit: int = 200,
        access: str = "self-serve",
        app_bearer: str = "app-bearer-token",
        cap_reset_day: int = 17,
    ) -> None:
        super().__init__()
        self.app_bearer = app_bearer
        self.cap_reset_day = cap_reset_day
        self.project_cap = 2_000_000
        # Posts read, by UTC day (each once a day, as X bills them), and reads by other apps of the project.
        self.post_reads: dict[str, set[str]] = {}
        self.other_apps_reads: dict[str, int] = {}
        self.client_app_id = "29111111"
        self.deleted: set[str] = set()
        self.dms: dict[str, dict[str, str]] = {}
        self.trends: list[str] = []
        self.alt_texts: dict[str, str] = {}
        self.users: dict[str, XUser] = {}
        self.reject_duplicates = reject_duplicates
        self.self_serve = access not in ("enterprise", "public-utility")
        self.window_limit = window_limit
        self._ids = itertools.count(1_860_000_000_000_000_000)
        self.media: dict[str, dict[str, Any]] = {}  # id -> size, type, alt
        self._window: dict[str, list[float]] = {}
        self.route("POST", "/2/tweets", self._create)
        self.route("POST", "/2/media/upload", self._upload)
        self.route("POST", "/2/media/metadata", self._metadata)
        self.route("GET", "/2/users/me", self._me)
        self.route("GET", "/2/users/{id}/tweets", self._timeline)
        self.route("POST", "/2/oauth2/token", self._token)
        self.route("GET", "/2/users/{id}/mentions", self._mentions)
        self.route("GET", "/2/tweets", self._lookup)
        self.route("GET", "/2/dm_events/{event_id}", self._dm_event)
        self.route("GET", "/2/trends/by/woeid/{woeid}", self._trends)
        self.route("GET", "/2/usage/tweets", self._usage)
        self.mentions: list[dict[str, str]] = []
        self.strangers: list[dict[str, str]] = []

    # -- accounts -----------------------------------------------------------------------------------

    def add_oauth1_user(self, username: str, **fields: str) -> dict[str, str]:
        """A user with OAuth 1.0a app and user keys; returns the credentials botwarden should store."""
        creds = {
            "consumer_key": secrets.token_hex(8),
            "consumer_secret": secrets.token_hex(16),
            "access_token": f"{len(self.users) + 1}-{secrets.token_hex(8)}",
            "access_token_secret": secrets.token_hex(16),
        }
        user = XUser(str(next(self._ids)), username, **creds, **fields)
        self.users[user.id] = user
        return creds

    def add_oauth2_user(self, username: str, **fields: str) -> dict[str, str]:
        user = XUser(
            str(next(self._ids)),
            username,
            client_id=secrets.token_hex(6),
            bearer=secrets.token_hex(12),
            refresh=secrets.token_hex(12),
            **fields,
        )
        self.users[user.id] = user
        return {
            "client_id": user.client_id,
            "oauth2_access_token": user.bearer,
            "oauth2_refresh_token": user.refresh,
        }

    def user(self, username: str) -> XUser:
        return next(u for u in self.users.values() if u.username == username)

    def mention(self, to: str, author: str, text: str, *, reply: bool = False, quote: bool = False) -> str:
        """Someone (``author``) mentions, replies to or quotes the user ``to``: a post that summons the
        user, so the user may reply to it; returns the post's id."""
        target = self.user(to)
        post = {
            "id": str(next(self._ids)),
            "text": text,
            "author": author,
            "to": target.id,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
        }
        if reply:
            post["in_reply_to_user_id"] = target.id
        if quote:
            post["quotes"] = target.id
        self.mentions.append(post)
        return post["id"]

    def stranger_post(self, author: str, text: str) -> str:
        """A post by someone that names no user of the fake; returns its id (replies to it are refused)."""
        post = {"id": str(next(self._ids)), "text": text, "author": author, "to": ""}
        self.strangers.append(post)
        return post["id"]

    def delete(self, post_id: str) -> None:
        """The author deletes a post or direct message: lookups say it is not found from now on."""
        self.deleted.add(post_id)

    def dm(self, to: str, author: str, text: str) -> str:
        """``author`` sends ``to`` a direct message; returns the event's id."""
        event_id = str(next(self._ids))
        self.dms[event_id] = {"to": self.user(to).id, "author": author, "text": text}
        return event_id

    def expire_bearer(self, username: str) -> None:
        self.user(username).bearer = secrets.token_hex(12)  # the stored token no longer works

    def all_texts(self) -> list[str]:
        with self.lock:
            return [t["sent_text"] for u in self.users.values() for t in u.tweets]

    # -- auth ---------------------------------------------------------------------------------------

    def _authenticate(self, request: Request) -> XUser | None:
        header = request.headers.get("authorization", "")
        if header.startswith("Bearer "):
            token = header.removeprefix("Bearer ")
            return next((u for u in self.users.values() if u.bearer and u.bearer == token), None)
        if header.startswith("OAuth "):
            params = dict(re.findall(r'(\w+)="([^"]*)"', header))
            params = {k: unquote(v) for k, v in params.items()}
            user = next((u for u in self.users.values() if u.access_token == params.get("oauth_token")), None)
            if user is None or params.get("oauth_consumer_key") != user.consumer_key:
                return None
            signed = [(k, v) for k, v in params.items() if k not in ("oauth_signature", "realm")]
            signed += [(k, v) for k, values in request.query.items() for v in values]
            if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
                signed += [(k, v) for k, values in request.form().items() for v in values]
            base = construct_base_string(
                request.method, f"http://{request.headers['host']}{request.path}", signed
            )
            expected = hmac_sha1_signature(base, user.consumer_secret, user.access_token_secret)
            return user if secrets.compare_digest(expected, params.get("oauth_signature", "")) else None
        return None

    def _unauthorized(self) -> Reply:
        return _problem(401, "Unauthorized", "Unauthorized")

    def _headers(self, user: XUser) -> dict[str, str]:
        now = time.time()
        window = [t for t in self._window.get(user.id, []) if t > now - 900]
        self._window[user.id] = window
        reset = int((window[0] if window else now) + 900)
        return {
            "x-rate-limit-limit": str(self.window_limit),
            "x-rate-limit-remaining": str(max(self.window_limit - len(window), 0)),
            "x-rate-limit-reset": str(reset),
            "x-user-limit-24hour-limit": "2400",
            "x-user-limit-24hour-remaining": str(max(2400 - len(user.tweets), 0)),
            "x-user-limit-24hour-reset": str(int(now + 86400)),
        }

    def _daily_capped(self) -> Reply:
        """The app's 24-hour cap is spent: X says so in the problem and in the 24-hour headers."""
        reply = _problem(
            429,
            "UsageCapExceeded",
            "Usage cap exceeded: Daily app cap",
            "https://api.x.com/2/problems/usage-capped",
            period="Daily",
            scope="App",
        )
        reply.headers = {
            "x-app-limit-24hour-limit": "10000",
            "x-app-limit-24hour-remaining": "0",
            "x-app-limit-24hour-reset": str(int(time.time() + 5 * 3600)),
            "x-rate-limit-limit": str(self.window_limit),
            "x-rate-limit-remaining": "150",
            "x-rate-limit-reset": str(int(time.time() + 600)),
        }
        return reply

    def _read(self, ids: Iterable[str]) -> None:
        """Posts a read returned: X counts each once a UTC day toward the project's usage."""
        day = datetime.now(UTC).date().isoformat()
        with self.lock:
            self.post_reads.setdefault(day, set()).update(ids)

    def _rate_limited(self) -> Reply:
        reset = str(int(time.time() + 900))
        reply = _problem(429, "Too Many Requests", "Too Many Requests")
        reply.headers = {
            "x-rate-limit-limit": str(self.window_limit),
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": reset,
        }
        return reply

    # -- endpoints ----------------------------------------------------------------------------------

    def _create(self, request: Request) -> Reply:
        user = self._authenticate(request)
        if user is None:
            return self._unauthorized()
        body = request.json()
        if not isinstance(body, dict) or not (body.get("text") or body.get("media")):
            return _problem(
                400,
                "Invalid Request",
                "One or more parameters to your request was invalid.",
                "https://api.x.com/2/problems/invalid-request",
            )
        media_ids = (body.get("media") or {}).get("media_ids", [])
        if len(media_ids) > 4:
            return _invalid("media.media_ids: at most 4 items are allowed")
        for media_id in media_ids:
            if media_id not in self.media:
                return _invalid(f"Your media IDs are invalid: {media_id}")
        reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        known = [t["id"] for u in self.users.values() for t in u.tweets] + [
            p["id"] for p in self.strangers + self.mentions
        ]
        if reply_to and reply_to not in known:
            return _invalid("The post you are replying to does not exist or has been deleted.")
        text = str(body.get("text", ""))
        refused = self._self_serve_refusal(user, body, text)
        if refused:
            return _problem(403, "Forbidden", refused)
        if self.reject_duplicates and any(t["sent_text"] == text for t in user.tweets):
            return self.FAULTS["duplicate"](self, request)
        self._window.setdefault(user.id, []).append(time.time())
        tweet: dict[str, Any] = {
            "id": str(next(self._ids)),
            "text": _URL.sub(lambda m: "https://t.co/" + secrets.token_hex(5), text),
            "sent_text": text,
            "paid_partnership": bool(body.get("paid_partnership")),
            "media": [self.media[m] for m in media_ids],
            "in_reply_to": reply_to or "",
        }
        user.tweets.append(tweet)
        return Reply(
            201,
            {"data": {"id": tweet["id"], "text": tweet["text"], "edit_history_post_ids": [tweet["id"]]}},
            self._headers(user),
        )

    def _self_serve_refusal(self, user: XUser, body: dict[str, Any], text: str) -> str:
        """What X's self-serve access refuses of this post ('' when nothing)."""
        if not self.self_serve:
            return ""
        if body.get("quote_tweet_id"):
            return QUOTES_NOT_OFFERED
        if len(_CASHTAG.findall(text)) > 1:
            return TOO_MANY_CASHTAGS
        replying = str((body.get("reply") or {}).get("in_reply_to_tweet_id", ""))
        own = any(t["id"] == replying for t in user.tweets)  # a thread: the user answers its own post
        if (
            replying
            and not own
            and not any(m["id"] == replying and m["to"] == user.id for m in self.mentions)
        ):
            return NOT_SUMMONED
        return ""

    def _upload(self, request: Request) -> Reply:
        user = self._authenticate(request)
        if user is None:
            return self._unauthorized()
        parts = request.parts()
        if "media" not in parts or parts.get("media_category", (b"", ""))[0] != b"tweet_image":
            return _invalid("media and media_category are required")
        data, kind = parts["media"]
        if len(data) > MAX_IMAGE_BYTES:  # what X takes through the API: images up to 5 MB
            return _invalid(f"File size exceeds {MAX_IMAGE_BYTES} bytes.")
        media_id = str(next(self._ids))
        self.media[media_id] = {"size": len(data), "type": kind, "alt": "", "data": data}
        return Reply(
            200,
            {
                "data": {
                    "id": media_id,
                    "media_key": f"3_{media_id}",
                    "size": len(data),
                    "expires_after_secs": 86400,
                    "image": {"image_type": kind, "w": 1, "h": 1},
                }
            },
            self._headers(user),
        )

    def _metadata(self, request: Request) -> Reply:
        user = self._authenticate(request)
        if user is None:
            return self._unauthorized()
        body = request.json()
        media_id = str((body or {}).get("id", ""))
        alt = (((body or {}).get("metadata") or {}).get("alt_text") or {}).get("text")
        if media_id not in self.media:
            return _invalid(f"Your media IDs are invalid: {media_id}")
        if not isinstance(alt, str) or len(alt) > 1000:
            return _invalid("metadata.alt_text.text: must be a string of at most 1000 characters")
        self.media[media_id]["alt"] = self.alt_texts[media_id] = alt
        return Reply(200, {"data": {"id": media_id, "associated_metadata": {"alt_text": {"text": alt}}}})

    def _me(self, request: Request) -> Reply:
        user = self._authenticate(request)
        if user is None:
            return self._unauthorized()
        # X answers id, name and username, and the other fields only when user.fields asks for them.
        fields = set(",".join(request.query.get("user.fields", [""])).split(","))
        known: dict[str, object] = {
            "description": user.description,
            "verified": False,
            "verified_type": "none",
            "created_at": user.created_at,
            "public_metrics": {
                "followers_count": user.followers,
                "following_count": 0,
                "post_count": len(user.tweets),
                "listed_count": 0,
            },
            "profile_image_url": (
                f"https://pbs.twimg.com/profile_images/{user.id}/me_normal.png"
                if user.avatar
                else "https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png"
            ),
        }
        if user.affiliated_with:
            known["affiliation"] = {"user_id": [user.affiliated_with], "description": "Harbour Group"}
        data: dict[str, object] = {"id": user.id, "name": user.username.title(), "username": user.username}
        data |= {name: value for name, value in known.items() if name in fields}
        return Reply(200, {"data": data}, self._headers(user))

    def _timeline(self, request: Request) -> Reply:
        user = self._authenticate(request)
        if user is None:
            return self._unauthorized()
        wanted = segments(request, "/2/users/{id}/tweets")["id"]
        owner = self.users.get(wanted)
        if owner is None:
            return _problem(
                404,
                "Not Found Error",
                f"Could not find user with id: [{wanted}].",
                "https://api.x.com/2/problems/resource-not-found",
            )
        count = int(request.query.get("max_results", ["10"])[0])
        tweets = [
            {"id": t["id"], "text": t["text"], "edit_history_post_ids": [t["id"]]}
            for t in reversed(owner.tweets[-count:])
        ]
        meta: dict[str, object] = {"result_count": len(tweets)}
        if tweets:
            meta |= {"newest_id": tweets[0]["id"], "oldest_id": tweets[-1]["id"]}
        self._read(t["id"] for t in tweets)
        return Reply(200, {"data": tweets, "meta": meta} if tweets else {"meta": meta}, self._headers(user))

    def _mentions(self, request: Request) -> Reply:
        if self._authenticate(request) is None:
            return self._unauthorized()
        wanted = segments(request, "/2/users/{id}/mentions")["id"]
        since = int(request.query.get("since_id", ["0"])[0])
        found = [
            m
            for m in reversed(self.mentions)
            if m["to"] == wanted and int(m["id"]) > since and m["id"] not in self.deleted
        ]
        self._read(m["id"] for m in found)
        data = [
            {
                "id": m["id"],
                "text": m["text"],
                "author_id": "9" + m["id"][-8:],
                "created_at": m["created_at"],
                "edit_history_post_ids": [m["id"]],
                **({"in_reply_to_user_id": m["in_reply_to_user_id"]} if "in_reply_to_user_id" in m else {}),
            }
            for m in found
        ]
        users = [{"id": "9" + m["id"][-8:], "name": m["author"], "username": m["author"]} for m in found]
        meta: dict[str, object] = {"result_count": len(data)}
        if data:
            meta |= {"newest_id": data[0]["id"], "oldest_id": data[-1]["id"]}
            return Reply(200, {"data": data, "includes": {"users": users}, "meta": meta})
        return Reply(200, {"meta": meta})

    def _lookup(self, request: Request) -> Reply:
        """``GET /2/tweets?ids=``: the posts that exist; a not-found problem for each that does not."""
        if self._authenticate(request) is None:
            return self._unauthorized()
        ids = [i for i in request.query.get("ids", [""])[0].split(",") if i]
        if not ids or len(ids) > 100:
            return _problem(
                400,
                "Invalid Request",
                "The `ids` query parameter value must be between 1 and 100 ids.",
                "https://api.x.com/2/problems/invalid-request",
            )
        posts = {m["id"]: m for m in self.mentions} | {
            t["id"]: t for u in self.users.values() for t in u.tweets
        }
        data, errors = [], []
        for post_id in ids:
            post = posts.get(post_id)
            if post is None or post_id in self.deleted:
                errors.append(
                    _not_found("tweet", "id", post_id, f"Could not find tweet with ids: [{post_id}].")
                )
            else:
                data.append({"id": post_id, "text": post["text"], "edit_history_post_ids": [post_id]})
        self._read(d["id"] for d in data)
        body: dict[str, object] = {}
        if data:
            body["data"] = data
        if errors:
            body["errors"] = errors
        return Reply(200, body)

    def _dm_event(self, request: Request) -> Reply:
        user = self._authenticate(request)
        if user is None:
            return self._unauthorized()
        event_id = segments(request, "/2/dm_events/{event_id}")["event_id"]
        event = self.dms.get(event_id)
        if event is None or event_id in self.deleted or event["to"] != user.id:
            return Reply(
                200,
                {
                    "errors": [
                        _not_found(
                            "dm_event", "event_id", event_id, f"Could not find DM event: [{event_id}]."
                        )
                    ]
                },
            )
        return Reply(
            200,
            {
                "data": {
                    "id": event_id,
                    "event_type": "MessageCreate",
                    "text": event["text"],
                    "sender_id": "9" + event_id[-8:],
                }
            },
            self._headers(user),
        )

    def _app_only(self, request: Request) -> bool:
        return request.headers.get("authorization", "") == f"Bearer {self.app_bearer}"

    def _trends(self, request: Request) -> Reply:
        if not self._app_only(request):
            return self._unauthorized()
        limit = int(request.query.get("max_trends", ["20"])[0])
        return Reply(200, {"data": [{"trend_name": t, "tweet_count": 1000} for t in self.trends[:limit]]})

    def _usage(self, request: Request) -> Reply:
        """``GET /2/usage/tweets``: posts read per day, for the project and for botwarden's client app."""
        if not self._app_only(request):
            return self._unauthorized()
        days = int(request.query.get("days", ["7"])[0])
        if not 1 <= days <= 90:
            return _problem(
                400,
                "Invalid Request",
                "days must be between 1 and 90",
                "https://api.x.com/2/problems/invalid-request",
            )
        today = datetime.now(UTC).date()
        dates = sorted({*self.post_reads, *self.other_apps_reads} | {today.isoformat()})
        wanted = [d for d in dates if (today - datetime.fromisoformat(d).date()).days < days]
        ours = {d: len(self.post_reads.get(d, ())) for d in wanted}
        project = {d: ours[d] + self.other_apps_reads.get(d, 0) for d in wanted}
        entry = lambda d, n: {"date": f"{d}T00:00:00.000Z", "usage": str(n)}  # noqa: E731
        return Reply(
            200,
            {
                "data": {
                    "project_id": "1600000000000000000",
                    "project_cap": str(self.project_cap),
                    "project_usage": str(sum(project.values())),
                    "cap_reset_day": self.cap_reset_day,
                    "daily_project_usage": {
                        "project_id": "1600000000000000000",
                        "usage": [entry(d, n) for d, n in project.items()],
                    },
                    "daily_client_app_usage": [
                        {
                            "client_app_id": self.client_app_id,
                            "usage": [entry(d, n) for d, n in ours.items()],
                            "usage_result_count": len(ours),
                        }
                    ],
                }
            },
        )

    def _token(self, request: Request) -> Reply:
        form = {k: v[0] for k, v in request.form().items()}
        user = next(
            (u for u in self.users.values() if u.refresh and u.refresh == form.get("refresh_token")), None
        )
        if (
            form.get("grant_type") != "refresh_token"
            or user is None
            or user.client_id != form.get("client_id")
        ):
            return Reply(
                400,
                {"error": "invalid_request", "error_description": "Value passed for the token was invalid."},
            )
        user.bearer, user.refresh = secrets.token_hex(12), secrets.token_hex(12)
        return Reply(
            200,
            {
                "token_type": "bearer",
                "expires_in": 7200,
                "access_token": user.bearer,
                "scope": "tweet.write users.read tweet.read offline.access media.write",
                "refresh_token": user.refresh,
            },
        )


def tiny_png() -> bytes:
    """A 1×1 PNG, for media uploads."""
    return base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    )
