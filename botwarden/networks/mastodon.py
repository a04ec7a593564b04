"""Mastodon through httpx: statuses with an Idempotency-Key, media, the server's own limits.

httpx rather than Mastodon.py for the same reason as X: one HTTP stack, and the raw answer (status, the
rate-limit headers, the error) reaches the outcome mapping. Each account lives on its own server.
"""

from __future__ import annotations

import html
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
import regex

from botwarden.errors import NetworkUnavailable
from botwarden.networks.base import (
    InboundMessage,
    Media,
    Outcome,
    OutcomeKind,
    Post,
    Profile,
    ServerRule,
    StandingProblem,
)
from botwarden.networks.credentials import Credentials, require
from botwarden.networks.http import body_of, failed_request, network_time
from botwarden.networks.mastodon_answers import mastodon_outcome

TOKEN = ("access_token",)
# At most 4 attachments a status, a description of at most 1,500 characters (GET /api/v2/instance's
# configuration; POST /api/v2/media, https://docs.joinmastodon.org/methods/media/).
MAX_MEDIA, MAX_DESCRIPTION = 4, 1500
_TAG = regex.compile(r"<[^>]+>")
_BREAK = regex.compile(r"<br\s*/?>|</p>\s*<p>", regex.IGNORECASE)


class MastodonNetwork:
    name = "mastodon"

    def __init__(
        self,
        credentials: Credentials,
        servers: Mapping[str, str],
        *,
        timeout: float = 20.0,
        media_wait_seconds: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        observer: str = "",
    ) -> None:
        """``transport`` replaces the network underneath (``httpx.MockTransport`` in a test), as the
        feed fetcher's does. ``observer`` is another server the account is looked up from, to see
        whether other servers limit or suspend it (empty: not looked up)."""
        self.credentials = credentials
        self.servers = {account: url.rstrip("/") for account, url in servers.items()}
        self.observer = observer.rstrip("/")
        self.media_wait_seconds = media_wait_seconds
        self._http = httpx.Client(timeout=timeout, follow_redirects=False, transport=transport)
        self._own_ids: dict[str, str] = {}

    def publish(self, account: str, post: Post, *, at: datetime) -> Outcome:
        media_ids = []
        for media in post.media[:MAX_MEDIA]:
            uploaded = self._upload(account, media, at)
            if isinstance(uploaded, Outcome):
                return uploaded
            media_ids.append(uploaded)
        body: dict[str, Any] = {"status": post.text, "visibility": post.visibility or "unlisted"}
        if post.language:
            body["language"] = post.language
        if post.content_warning:
            body["spoiler_text"] = post.content_warning
        if media_ids:
            body["media_ids"] = media_ids
            if post.sensitive:  # the feed rates an image adult: shown behind a warning
                body["sensitive"] = True
        if post.reply_to:  # a later part of a thread answers the part before it
            body["in_reply_to_id"] = post.reply_to
        try:
            # The same key for every attempt of this post: the server answers a repeat with the
            # status it already made (for an hour) instead of making a second one.
            answer = self._send(
                account,
                "POST",
                "/api/v1/statuses",
                json=body,
                headers={"Idempotency-Key": post.idempotency_key},
            )
        except httpx.HTTPError as exc:
            return failed_request(exc)
        return mastodon_outcome(answer, at)

    def find_published(self, account: str, post: Post) -> str | None:
        own = self._own_id(account)
        answer = self._read(account, f"/api/v1/accounts/{own}/statuses", params={"limit": 40})
        wanted = _comparable(post.text)
        statuses = answer.json() if isinstance(answer.json(), list) else []
        for status in statuses:
            if isinstance(status, dict) and _comparable(_plain(str(status.get("content", "")))) == wanted:
                return str(status["id"])
        return None

    def probe(self, account: str) -> Outcome | None:
        try:
            answer = self._send(account, "GET", "/api/v1/accounts/verify_credentials")
        except httpx.HTTPError as exc:
            return failed_request(exc)
        outcome = mastodon_outcome(answer, datetime.now(UTC))
        return None if outcome.kind is OutcomeKind.POSTED else outcome

    def profile(self, account: str) -> Profile:
        me = body_of(self._read(account, "/api/v1/accounts/verify_credentials"))
        instance = body_of(self._read(account, "/api/v2/instance"))
        limit = (instance.get("configuration") or {}).get("statuses", {}).get("max_characters")
        avatar = me.get("avatar")
        return Profile(
            handle=str(me.get("acct", "")),
            bio=_plain(str(me.get("note", ""))),
            bot_flag=bool(me.get("bot")),
            char_limit=int(limit) if isinstance(limit, int) else None,
            created_at=network_time(me.get("created_at")),
            followers=_count(me.get("followers_count")),
            posts=_count(me.get("statuses_count")),
            # A server shows its own "missing" picture for an account that has none.
            has_avatar=None if avatar is None else "/missing." not in str(avatar),
            server_rules=tuple(_rules(instance)),
        )

    def server_rules(self, account: str) -> list[ServerRule]:
        """The rules the account's server publishes (``GET /api/v2/instance``, ``rules[]``)."""
        return _rules(body_of(self._read(account, "/api/v2/instance")))

    def standing(self, account: str) -> list[StandingProblem]:
        """The account as another server sees it (``GET /api/v1/accounts/lookup`` on the observer): a
        server that silenced it shows it ``limited``, one that suspended it ``suspended``."""
        if not self.observer:
            return []
        address = self._address(account)
        try:
            answer = self._http.get(f"{self.observer}/api/v1/accounts/lookup", params={"acct": address})
        except httpx.HTTPError as exc:
            raise NetworkUnavailable(f"Mastodon {self.observer}: {failed_request(exc).message}") from None
        if answer.status_code == 404:
            return []  # the observer does not know the account (yet): nothing to see
        if answer.status_code == 410:
            return [_seen(self.observer, address, "suspended", {"status": 410})]
        if answer.status_code != 200:
            raise NetworkUnavailable(
                f"Mastodon {self.observer}: {mastodon_outcome(answer, datetime.now(UTC)).message}"
            )
        seen = body_of(answer)
        for state in ("suspended", "limited"):
            if seen.get(state) is True:
                return [_seen(self.observer, address, state, {state: True, "id": str(seen.get("id", ""))})]
        return []

    def _address(self, account: str) -> str:
        """The account's address other servers know it by: user@domain (the server's own domain)."""
        me = body_of(self._read(account, "/api/v1/accounts/verify_credentials"))
        instance = body_of(self._read(account, "/api/v2/instance"))
        domain = str(instance.get("domain") or httpx.URL(self.servers.get(account, "")).host)
        return f"{me.get('username') or me.get('acct')}@{domain}"

    def inbound(self, account: str, cursor: str | None) -> tuple[list[InboundMessage], str | None]:
        """Mentions since ``cursor``; a private (direct) mention is a direct message."""
        params: dict[str, Any] = {"types[]": "mention", "limit": 40}
        if cursor:
            params["since_id"] = cursor
        notes = self._read(account, "/api/v1/notifications", params=params).json()
        messages, newest = [], cursor
        for note in notes if isinstance(notes, list) else []:
            status = note.get("status") or {}
            via = (
                "dm"
                if status.get("visibility") == "direct"
                else "reply"
                if status.get("in_reply_to_id")
                else "mention"
            )
            messages.append(
                InboundMessage(
                    id=str(status.get("id", note["id"])),
                    user="@" + str((note.get("account") or {}).get("acct", "unknown")),
                    text=_plain(str(status.get("content", ""))),
                    at=network_time(str(note.get("created_at") or "")) or datetime.now(UTC),
                    via=via,
                )
            )
            if newest is None or int(note["id"]) > int(newest):
                newest = str(note["id"])
        return messages, newest

    # -- requests ------------------------------------------------------------------------------------

    def _upload(self, account: str, media: Media, at: datetime) -> str | Outcome:
        """Upload one attachment and wait until the server has processed it; its id, or why not."""
        try:
            answer = self._send(
                account,
                "POST",
                "/api/v2/media",
                files={"file": ("media", media.data, media.mime_type)},
                data={"description": media.alt[:MAX_DESCRIPTION]} if media.alt else None,
            )
            deadline = time.monotonic() + self.media_wait_seconds
            while answer.status_code in (202, 206) and time.monotonic() < deadline:
                media_id = body_of(answer).get("id")
                time.sleep(0.5)
                answer = self._send(account, "GET", f"/api/v1/media/{media_id}")
        except httpx.HTTPError as exc:
            failed = failed_request(exc)
            return Outcome(OutcomeKind.TRANSIENT, message=f"media upload: {failed.message}")
        outcome = mastodon_outcome(answer, at)
        if outcome.kind is not OutcomeKind.POSTED or answer.status_code != 200 or not outcome.remote_id:
            kind = OutcomeKind.TRANSIENT if outcome.kind is OutcomeKind.POSTED else outcome.kind
            return Outcome(
                kind,
                message=f"media upload: {outcome.message or 'still processing'}",
                retry_at=outcome.retry_at,
            )
        return outcome.remote_id

    def _own_id(self, account: str) -> str:
        if account not in self._own_ids:
            me = body_of(self._read(account, "/api/v1/accounts/verify_credentials"))
            if not me.get("id"):
                raise NetworkUnavailable(f"Mastodon did not say which account '{account}' is")
            self._own_ids[account] = str(me["id"])
        return self._own_ids[account]

    def _read(self, account: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            answer = self._send(account, "GET", path, **kwargs)
        except httpx.HTTPError as exc:
            raise NetworkUnavailable(f"Mastodon: {failed_request(exc).message}") from None
        if answer.status_code != 200:
            raise NetworkUnavailable(f"Mastodon: {mastodon_outcome(answer, datetime.now(UTC)).message}")
        return answer

    def _send(
        self, account: str, method: str, path: str, *, headers: Mapping[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        values = self.credentials.get(account)
        require(values, account, "Mastodon", TOKEN)
        server = self.servers.get(account)
        if not server:
            raise NetworkUnavailable(f"account '{account}' has no Mastodon server configured")
        all_headers = {"Authorization": f"Bearer {values['access_token']}", **(headers or {})}
        return self._http.request(method, server + path, headers=all_headers, **kwargs)

    def close(self) -> None:
        self._http.close()


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _rules(instance: dict[str, Any]) -> list[ServerRule]:
    return [
        ServerRule(str(rule.get("id", "")), str(rule.get("text", "")), str(rule.get("hint") or ""))
        for rule in instance.get("rules") or []
        if isinstance(rule, dict) and rule.get("text")
    ]


def _seen(observer: str, address: str, state: str, evidence: dict[str, Any]) -> StandingProblem:
    """What another server shows: the account limited (silenced) or suspended there."""
    status = "limited" if state == "limited" else "suspended_elsewhere"
    words = "limits (silences)" if state == "limited" else "suspends"
    return StandingProblem(
        status,
        f"{httpx.URL(observer).host} {words} {address}: it shows the account as {state}",
        {"observer": observer, "account": address, **evidence},
    )


def _plain(content: str) -> str:
    """A status's HTML content as the text that was posted (Mastodon keeps hidden link parts as text)."""
    return html.unescape(_TAG.sub("", _BREAK.sub("\n", content)))


def _comparable(text: str) -> str:
    return " ".join(text.split()).casefold()
