"""X (API v2) through httpx.

httpx rather than tweepy: one HTTP stack for every network, and the raw answer (status, rate-limit
headers, both error shapes) reaches the outcome mapping intact. OAuth 1.0a requests are signed with
authlib; OAuth 2.0 user tokens are refreshed with the stored refresh token when X answers 401.
"""

from __future__ import annotations

import html
from collections.abc import Generator, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
import regex
from authlib.oauth1 import ClientAuth

from botwarden.errors import NetworkUnavailable
from botwarden.networks.base import InboundMessage, Outcome, OutcomeKind, Post, Profile
from botwarden.networks.credentials import Credentials, require
from botwarden.networks.http import body_of, failed_request, network_time
from botwarden.networks.x_answers import x_outcome

OAUTH1 = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
OAUTH2 = ("client_id", "oauth2_access_token", "oauth2_refresh_token")
_URL = regex.compile(r"https?://\S+")
# What the setup and young-account checks read of the account (user.fields, as the spec names them).
_PROFILE_FIELDS = ",".join(
    [
        "created_at",
        "description",
        "name",
        "profile_image_url",
        "public_metrics",
        "username",
        "verified",
        "verified_type",
    ]
)


class XNetwork:
    name = "x"

    def __init__(
        self,
        credentials: Credentials,
        *,
        base_url: str = "https://api.x.com",
        servers: Mapping[str, str] | None = None,
        post_cost_usd: float = 0.015,
        link_post_cost_usd: float = 0.20,
        timeout: float = 20.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """``transport`` replaces the network underneath (``httpx.MockTransport`` in a test), as the
        feed fetcher's does."""
        self.credentials = credentials
        self.base_url = base_url.rstrip("/")
        self.servers = {account: url.rstrip("/") for account, url in (servers or {}).items() if url}
        self.post_cost_usd, self.link_post_cost_usd = post_cost_usd, link_post_cost_usd
        self._http = httpx.Client(timeout=timeout, follow_redirects=False, transport=transport)

    @classmethod
    def from_settings(
        cls, credentials: Credentials, settings: Mapping[str, Any], servers: Mapping[str, str]
    ) -> XNetwork:
        return cls(
            credentials,
            base_url=settings["x_api_url"],
            servers=servers,
            post_cost_usd=settings["post_cost_usd"],
            link_post_cost_usd=settings["link_post_cost_usd"],
            timeout=settings["network_timeout_seconds"],
        )

    # -- the Network protocol ------------------------------------------------------------------------

    def publish(self, account: str, post: Post, *, at: datetime) -> Outcome:
        media_ids = []
        for media in post.media:
            try:
                answer = self._send(
                    account,
                    "POST",
                    "/2/media/upload",
                    files={"media": ("media", media.data, media.mime_type)},
                    data={"media_category": "tweet_image"},
                )
            except httpx.HTTPError as exc:
                return _not_posted(failed_request(exc))
            outcome = x_outcome(answer, at)
            if outcome.kind is not OutcomeKind.POSTED or outcome.remote_id is None:
                return _not_posted(outcome)
            media_ids.append(outcome.remote_id)
        body: dict[str, Any] = {"text": post.text}
        if post.reply_settings:
            body["reply_settings"] = post.reply_settings
        if post.paid_partnership:
            body["paid_partnership"] = True
        if post.in_reply_to:
            body["reply"] = {"in_reply_to_tweet_id": post.in_reply_to}
        if media_ids:
            body["media"] = {"media_ids": media_ids}
        try:
            answer = self._send(account, "POST", "/2/tweets", json=body)
        except httpx.HTTPError as exc:
            return failed_request(exc)
        outcome = x_outcome(answer, at)
        if outcome.kind is OutcomeKind.POSTED:
            cost = self.link_post_cost_usd if _has_link(post) else self.post_cost_usd
            return Outcome(OutcomeKind.POSTED, outcome.remote_id, budget=outcome.budget, cost_usd=cost)
        return outcome

    def find_published(self, account: str, post: Post) -> str | None:
        """Look for the post among the account's 100 latest (X shortens links, so they are left out)."""
        user_id = self._user_id(account)
        answer = self._read(account, f"/2/users/{user_id}/tweets", params={"max_results": 100})
        wanted = _comparable(post.text)
        for tweet in body_of(answer).get("data") or []:
            if isinstance(tweet, dict) and _comparable(str(tweet.get("text", ""))) == wanted:
                return str(tweet["id"])
        return None

    def probe(self, account: str) -> Outcome | None:
        try:
            answer = self._send(account, "GET", "/2/users/me")
        except httpx.HTTPError as exc:
            return failed_request(exc)
        outcome = x_outcome(answer, datetime.now(UTC))
        return None if outcome.kind is OutcomeKind.POSTED else outcome

    def profile(self, account: str) -> Profile:
        """The account's profile. The 'Automated' label is not in it: no field of X's user object
        carries the label (``affiliation`` is the affiliate badge), so BW951 is declared, not read."""
        answer = self._read(account, "/2/users/me", params={"user.fields": _PROFILE_FIELDS})
        data = body_of(answer).get("data") or {}
        metrics = data.get("public_metrics") or {}
        posts = metrics.get("post_count", metrics.get("tweet_count"))  # the spec's name, and the older one
        image = data.get("profile_image_url")
        return Profile(
            handle=str(data.get("username", "")),
            bio=str(data.get("description", "")),
            verified=bool(data.get("verified")) or data.get("verified_type") not in (None, "", "none"),
            created_at=network_time(data.get("created_at")),
            followers=_count(metrics.get("followers_count")),
            posts=_count(posts),
            has_avatar=None if image is None else "default_profile_images" not in str(image),
        )

    def inbound(self, account: str, cursor: str | None) -> tuple[list[InboundMessage], str | None]:
        """Mentions and replies since ``cursor`` (X's ``since_id``)."""
        user_id = self._user_id(account)
        params: dict[str, Any] = {
            "max_results": 100,
            "tweet.fields": "created_at,author_id,in_reply_to_user_id",
            "expansions": "author_id",
            "user.fields": "username",
        }
        if cursor:
            params["since_id"] = cursor
        body = body_of(self._read(account, f"/2/users/{user_id}/mentions", params=params))
        names = {u["id"]: u.get("username", u["id"]) for u in (body.get("includes") or {}).get("users", [])}
        messages = [
            InboundMessage(
                id=str(tweet["id"]),
                user="@" + str(names.get(tweet.get("author_id"), tweet.get("author_id", "unknown"))),
                text=html.unescape(str(tweet.get("text", ""))),
                at=network_time(str(tweet.get("created_at") or "")) or datetime.now(UTC),
                via="reply" if tweet.get("in_reply_to_user_id") == user_id else "mention",
            )
            for tweet in body.get("data") or []
        ]
        newest = (body.get("meta") or {}).get("newest_id")
        return messages, str(newest) if newest else cursor

    # -- requests ------------------------------------------------------------------------------------

    def _user_id(self, account: str) -> str:
        known = self.credentials.get(account).get("user_id")
        if known:
            return known
        data = body_of(self._read(account, "/2/users/me")).get("data") or {}
        if not data.get("id"):
            raise NetworkUnavailable(f"X did not say which user account '{account}' is")
        self.credentials.update(account, {"user_id": str(data["id"])})
        return str(data["id"])

    def _read(self, account: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            answer = self._send(account, "GET", path, **kwargs)
        except httpx.HTTPError as exc:
            raise NetworkUnavailable(f"X: {failed_request(exc).message}") from None
        if answer.status_code != 200:
            raise NetworkUnavailable(f"X: {x_outcome(answer, datetime.now(UTC)).message}")
        return answer

    def _send(self, account: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        values = self.credentials.get(account)
        fields = require(values, account, "X", OAUTH1, OAUTH2)
        base = self.servers.get(account, self.base_url)
        url = base + path
        if fields == OAUTH1:
            return self._http.request(method, url, auth=_OAuth1(values), **kwargs)
        answer = self._http.request(method, url, headers=_bearer(values["oauth2_access_token"]), **kwargs)
        if answer.status_code == 401 and self._refresh(account, values):
            token = self.credentials.get(account)["oauth2_access_token"]
            answer = self._http.request(method, url, headers=_bearer(token), **kwargs)
        return answer

    def _refresh(self, account: str, values: Mapping[str, str]) -> bool:
        """Trade the refresh token for a new pair (X rotates both); False when X refuses it."""
        form = {
            "grant_type": "refresh_token",
            "refresh_token": values["oauth2_refresh_token"],
            "client_id": values["client_id"],
        }
        secret = values.get("client_secret")
        url = f"{self.servers.get(account, self.base_url)}/2/oauth2/token"
        if secret:  # a confidential client authenticates itself; a public one only names itself
            answer = self._http.post(url, data=form, auth=(values["client_id"], secret))
        else:
            answer = self._http.post(url, data=form)
        tokens = body_of(answer)
        if answer.status_code != 200 or not tokens.get("access_token"):
            return False
        self.credentials.update(
            account,
            {
                "oauth2_access_token": str(tokens["access_token"]),
                "oauth2_refresh_token": str(tokens.get("refresh_token") or values["oauth2_refresh_token"]),
            },
        )
        return True

    def close(self) -> None:
        self._http.close()


class _OAuth1(httpx.Auth):
    """Signs each request with OAuth 1.0a (HMAC-SHA1, header form). X signs no JSON or multipart body."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._client = ClientAuth(
            values["consumer_key"],
            values["consumer_secret"],
            token=values["access_token"],
            token_secret=values["access_token_secret"],
        )

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        form = request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded")
        body = request.read().decode() if form else ""
        _, headers, _ = self._client.prepare(request.method, str(request.url), {}, body)
        request.headers["Authorization"] = headers["Authorization"]
        yield request


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _not_posted(outcome: Outcome) -> Outcome:
    """A media upload failed: the post itself was never sent, so nothing about it is uncertain."""
    if outcome.kind is OutcomeKind.POSTED:
        return Outcome(OutcomeKind.REJECTED, message="X accepted the media upload but returned no media id")
    return Outcome(outcome.kind, None, f"media upload: {outcome.message}", outcome.retry_at, outcome.budget)


def _has_link(post: Post) -> bool:
    return bool(post.links) or bool(_URL.search(post.text))


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _comparable(text: str) -> str:
    return " ".join(_URL.sub(" ", html.unescape(text)).split()).casefold()
