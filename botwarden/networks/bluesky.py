"""Bluesky through the ``atproto`` SDK: one session per account, reused and refreshed, never a login
per post (a PDS allows 30 logins in 5 minutes and 300 a day); facets with UTF-8 byte offsets; a link
card with thumbnail; ``langs``; the write-point budget from the ``ratelimit-*`` headers."""

from __future__ import annotations

import collections
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx
from atproto import Client, SessionEvent, models
from atproto_client.exceptions import (
    BadRequestError,
    InvokeTimeoutError,
    LoginRequiredError,
    NetworkError,
    RequestErrorBase,
    UnauthorizedError,
)
from atproto_client.models.common import XrpcError
from atproto_client.request import Request as SdkRequest

from botwarden.errors import NetworkUnavailable
from botwarden.networks.base import (
    InboundMessage,
    Media,
    Outcome,
    OutcomeKind,
    Post,
    Profile,
    StandingProblem,
)
from botwarden.networks.bluesky_answers import bluesky_outcome
from botwarden.networks.credentials import Credentials, require
from botwarden.networks.facets import facets
from botwarden.networks.http import failed_request, network_time
from botwarden.networks.labels import SeenLabel, describe, moderation_labels

DEFAULT_SERVER = "https://bsky.social"
LOGIN = ("handle", "app_password")
POST_COLLECTION = "app.bsky.feed.post"
#: Asks the AppView to include these labelers' labels (atproto's ``atproto-accept-labelers`` header).
ACCEPT_LABELERS = "atproto-accept-labelers"
# The PDS's login limits; botwarden stays under them on its own count, per process.
LOGIN_WINDOWS = ((30, 300.0), (300, 86400.0))


class _Request(SdkRequest):  # type: ignore[misc]
    """The SDK's HTTP layer, keeping the headers of the last answer (the write-point budget)."""

    last_headers: Mapping[str, str] = {}

    def _send_request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        response: httpx.Response = super()._send_request(method, url, **kwargs)
        self.last_headers = dict(response.headers)
        return response


class BlueskyNetwork:
    name = "bluesky"

    def __init__(
        self,
        credentials: Credentials,
        servers: Mapping[str, str],
        *,
        timeout: float = 20.0,
        labelers: Sequence[str] = (),
        ignored_labels: Sequence[str] = (),
        watched_posts: int = 25,
    ) -> None:
        """``labelers`` are the moderation services whose labels :meth:`standing` asks for."""
        self.credentials = credentials
        self.servers = {account: url.rstrip("/") for account, url in servers.items() if url}
        self.timeout = timeout
        self.labelers = [did for did in labelers if did.startswith("did:")]
        self.ignored_labels = frozenset(ignored_labels)
        self.watched_posts = max(1, min(watched_posts, 100))
        self._clients: dict[str, tuple[Client, _Request, str]] = {}  # account -> client, its http, DID
        self._logins: dict[str, collections.deque[float]] = {}
        self._stale: set[str] = set()  # accounts whose stored session was refused: log in afresh

    # -- the Network protocol ------------------------------------------------------------------------

    def publish(self, account: str, post: Post, *, at: datetime) -> Outcome:
        outcome = self._publish(account, post, at)
        if outcome.kind is OutcomeKind.AUTH_REVOKED and not outcome.uncertain and account in self._stale:
            # The stored session was revoked: nothing was written, so one fresh login and one more try.
            outcome = self._publish(account, post, at)
        return outcome

    def _publish(self, account: str, post: Post, at: datetime) -> Outcome:
        try:
            client, http, did = self._client(account)
            record: dict[str, Any] = {
                "$type": POST_COLLECTION,
                "text": post.text,
                "createdAt": at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            }
            found = facets(post.text, lambda handle: self._resolve(client, handle))
            if found:
                record["facets"] = found
            if post.language:
                record["langs"] = [post.language]
            embed = self._embed(client, post)
            if embed:
                record["embed"] = embed
            if post.sensitive:  # the feed rates an image adult: the post labels itself
                record["labels"] = {
                    "$type": "com.atproto.label.defs#selfLabels",
                    "values": [{"val": "sexual"}],
                }
            if post.reply_to:  # a later part of a thread answers the part before it, under the first
                record["reply"] = {
                    "root": self._strong_ref(client, post.thread_root or post.reply_to),
                    "parent": self._strong_ref(client, post.reply_to),
                }
            created = client.com.atproto.repo.create_record(
                models.ComAtprotoRepoCreateRecord.Data(repo=did, collection=POST_COLLECTION, record=record)
            )
        except Exception as exc:
            return self._failed(account, exc, at, sent=True)
        outcome = bluesky_outcome(200, "", "", http.last_headers, at)
        return Outcome(OutcomeKind.POSTED, created.uri, budget=outcome.budget)

    def find_published(self, account: str, post: Post) -> str | None:
        try:
            client, _, did = self._client(account)
            listed = client.com.atproto.repo.list_records(
                models.ComAtprotoRepoListRecords.Params(repo=did, collection=POST_COLLECTION, limit=50)
            )
        except Exception as exc:
            raise NetworkUnavailable(
                f"Bluesky: {self._failed(account, exc, datetime.now(UTC)).message}"
            ) from None
        for entry in listed.records:
            text = (
                entry.value["text"] if isinstance(entry.value, dict) else getattr(entry.value, "text", None)
            )
            if text == post.text:
                return str(entry.uri)
        return None

    def probe(self, account: str) -> Outcome | None:
        try:
            client, _, _ = self._client(account)
            client.com.atproto.server.get_session()
        except Exception as exc:
            return self._failed(account, exc, datetime.now(UTC))
        return None

    def profile(self, account: str) -> Profile:
        try:
            client, _, did = self._client(account)
            view = client.app.bsky.actor.get_profile(models.AppBskyActorGetProfile.Params(actor=did))
        except Exception as exc:
            raise NetworkUnavailable(
                f"Bluesky: {self._failed(account, exc, datetime.now(UTC)).message}"
            ) from None
        labels = {label.val for label in view.labels or [] if label.src == did}
        return Profile(
            handle=view.handle,
            bio=view.description or "",
            bot_flag="bot" in labels,
            created_at=network_time(view.created_at),
            followers=view.followers_count,
            posts=view.posts_count,
            has_avatar=bool(view.avatar),
        )

    def standing(self, account: str) -> list[StandingProblem]:
        """Moderation labels on the account and its latest posts, from the labelers asked for: each is a
        moderation service's judgement, and stops the account like a lock."""
        if not self.labelers:
            return []
        headers = {ACCEPT_LABELERS: ",".join(self.labelers)}
        try:
            client, _, did = self._client(account)
            view = client.app.bsky.actor.get_profile(
                models.AppBskyActorGetProfile.Params(actor=did), headers=headers
            )
            feed = client.app.bsky.feed.get_author_feed(
                models.AppBskyFeedGetAuthorFeed.Params(actor=did, limit=self.watched_posts), headers=headers
            )
        except Exception as exc:
            raise NetworkUnavailable(
                f"Bluesky: {self._failed(account, exc, datetime.now(UTC)).message}"
            ) from None
        seen = [*_labels(view.labels), *(lab for item in feed.feed for lab in _labels(item.post.labels))]
        found = moderation_labels(seen, did, datetime.now(UTC), self.ignored_labels)
        if not found:
            return []
        evidence = {"labels": [{"val": x.val, "src": x.src, "uri": x.uri, "cts": x.cts} for x in found]}
        message = f"Bluesky moderation label(s): {describe(found, did)}"
        return [StandingProblem("labelled", message, evidence)]

    def inbound(self, account: str, cursor: str | None) -> tuple[list[InboundMessage], str | None]:
        """Mentions and replies indexed after ``cursor`` (the newest ``indexedAt`` seen so far)."""
        try:
            client, _, _ = self._client(account)
            listed = client.app.bsky.notification.list_notifications(
                models.AppBskyNotificationListNotifications.Params(limit=50, reasons=["mention", "reply"])
            )
        except Exception as exc:
            raise NetworkUnavailable(
                f"Bluesky: {self._failed(account, exc, datetime.now(UTC)).message}"
            ) from None
        messages, newest = [], cursor
        for note in listed.notifications:
            if note.reason not in ("mention", "reply") or (cursor and note.indexed_at <= cursor):
                continue
            text = note.record["text"] if isinstance(note.record, dict) else getattr(note.record, "text", "")
            messages.append(
                InboundMessage(
                    id=note.uri,
                    user="@" + note.author.handle,
                    text=str(text),
                    at=datetime.fromisoformat(note.indexed_at.replace("Z", "+00:00")),
                    via=note.reason,
                )
            )
            newest = max(newest or "", note.indexed_at)
        return messages, newest

    # -- sessions ------------------------------------------------------------------------------------

    def _client(self, account: str) -> tuple[Client, _Request, str]:
        if account in self._clients:
            return self._clients[account]
        values = self.credentials.get(account)
        require(values, account, "Bluesky", LOGIN)
        http = _Request(timeout=self.timeout)
        client = Client(self.servers.get(account, DEFAULT_SERVER), request=http)
        dids: list[str] = []

        def keep(event: SessionEvent, session: Any) -> None:  # refreshed tokens are stored at once
            dids.append(session.did)
            if event in (SessionEvent.CREATE, SessionEvent.REFRESH):
                self.credentials.update(account, {"session": session.export()})

        client.on_session_change(keep)
        if values.get("session") and account not in self._stale:
            try:
                client.login(session_string=values["session"], fetch_bsky_profile=False)
                client.com.atproto.server.get_session()  # refreshes it when the access token has expired
            except (UnauthorizedError, BadRequestError, LoginRequiredError):
                self._login(account, client, values)
        else:
            self._login(account, client, values)
        self._stale.discard(account)
        self._clients[account] = (client, http, dids[-1])
        return self._clients[account]

    def _login(self, account: str, client: Client, values: Mapping[str, str]) -> None:
        now = time.monotonic()
        logins = self._logins.setdefault(account, collections.deque())
        for limit, window in LOGIN_WINDOWS:
            if sum(1 for t in logins if t > now - window) >= limit:
                raise _LoginBudgetSpent(f"{limit} logins in {int(window)} s already; waiting")
        logins.append(now)
        while logins and logins[0] < now - LOGIN_WINDOWS[-1][1]:
            logins.popleft()
        client.login(values["handle"], values["app_password"], fetch_bsky_profile=False)

    def _resolve(self, client: Client, handle: str) -> str | None:
        try:
            return str(client.com.atproto.identity.resolve_handle({"handle": handle}).did)
        except RequestErrorBase:
            return None  # an unknown handle stays plain text

    def _embed(self, client: Client, post: Post) -> dict[str, Any] | None:
        if post.media:
            return {
                "$type": "app.bsky.embed.images",
                "images": [self._image(client, m) for m in post.media[:4]],
            }
        if post.card is not None:
            external: dict[str, Any] = {
                "uri": post.card.url,
                "title": post.card.title,
                "description": post.card.description,
            }
            if post.card.image is not None:
                external["thumb"] = self._blob(client, post.card.image)
            return {"$type": "app.bsky.embed.external", "external": external}
        return None

    def _image(self, client: Client, media: Media) -> dict[str, Any]:
        image: dict[str, Any] = {"image": self._blob(client, media), "alt": media.alt}
        if media.width and media.height:  # lets the app lay the image out before it loads
            image["aspectRatio"] = {"width": media.width, "height": media.height}
        return image

    @staticmethod
    def _strong_ref(client: Client, uri: str) -> dict[str, str]:
        """The uri and cid of one of the account's own posts, as a reply names its parent and root."""
        repo, collection, rkey = uri.removeprefix("at://").split("/", 2)
        found = client.com.atproto.repo.get_record(
            models.ComAtprotoRepoGetRecord.Params(repo=repo, collection=collection, rkey=rkey)
        )
        return {"uri": str(found.uri), "cid": str(found.cid)}

    @staticmethod
    def _blob(client: Client, media: Media) -> Any:
        uploaded = client.com.atproto.repo.upload_blob(media.data, headers={"Content-Type": media.mime_type})
        return uploaded.blob

    def _failed(self, account: str, exc: Exception, at: datetime, *, sent: bool = False) -> Outcome:
        """What an SDK exception means; a session that no longer works is dropped, to be rebuilt."""
        if isinstance(exc, httpx.HTTPError):  # what the SDK passes through unwrapped (dropped connections)
            failed = failed_request(exc)
            return Outcome(
                failed.kind, message=f"Bluesky: {failed.message}", uncertain=sent and failed.uncertain
            )
        if isinstance(exc, _LoginBudgetSpent):
            return Outcome(OutcomeKind.RATE_LIMITED, message=f"Bluesky logins: {exc}")
        if isinstance(exc, (NetworkError, InvokeTimeoutError)) and exc.response is None:
            connect = isinstance(exc.__cause__, (httpx.ConnectError, httpx.ConnectTimeout))
            return Outcome(
                OutcomeKind.TRANSIENT,
                message=f"Bluesky: {type(exc.__cause__ or exc).__name__}",
                uncertain=sent and not connect,
            )
        if isinstance(exc, RequestErrorBase) and exc.response is not None:
            content = exc.response.content
            error, message = "", ""
            if isinstance(content, XrpcError):
                error, message = content.error or "", content.message or ""
            outcome = bluesky_outcome(exc.response.status_code, error, message, exc.response.headers, at)
            if outcome.kind is OutcomeKind.AUTH_REVOKED:
                self._drop_session(account)
            return outcome
        if isinstance(exc, LoginRequiredError):
            self._drop_session(account)
            return Outcome(OutcomeKind.AUTH_REVOKED, message="Bluesky: the session cannot be refreshed")
        raise exc

    def _drop_session(self, account: str) -> None:
        """The session was refused: forget it, and log in afresh next time rather than reuse it."""
        if self._clients.pop(account, None) is not None:
            self._stale.add(account)


class _LoginBudgetSpent(Exception):
    pass


def _labels(labels: Sequence[Any] | None) -> list[SeenLabel]:
    """The SDK's label models as plain labels."""
    return [
        SeenLabel(
            str(label.val),
            str(label.src),
            str(label.uri),
            str(label.cts or ""),
            bool(label.neg),
            str(label.exp or ""),
        )
        for label in labels or []
    ]
