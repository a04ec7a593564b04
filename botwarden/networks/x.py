"""X (API v2) through httpx.

httpx rather than tweepy: one HTTP stack for every network, and the raw answer (status, rate-limit
headers, both error shapes) reaches the outcome mapping intact. OAuth 1.0a requests are signed with
authlib; OAuth 2.0 user tokens are refreshed with the stored refresh token when X answers 401.

Every call X bills is reported to the spend meter (``metering.py``) with why botwarden made it; the app's
own calls (the usage report) use the app's bearer token.
"""

from __future__ import annotations

import html
from collections.abc import Generator, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
import regex
from authlib.oauth1 import ClientAuth

from botwarden.errors import NetworkUnavailable
from botwarden.networks.base import (
    ContentRef,
    InboundMessage,
    Media,
    Outcome,
    OutcomeKind,
    Post,
    Profile,
    UsageReport,
)
from botwarden.networks.credentials import Credentials, require
from botwarden.networks.http import body_of, failed_request, network_time
from botwarden.networks.metering import Billable, Meter, Use
from botwarden.networks.x_answers import x_outcome
from botwarden.networks.x_usage import gone_ids, usage_report
from botwarden.typed_settings import Settings

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

# A post carries at most 4 images; alt text is at most 1,000 characters (X API v2: CreatePostsMedia,
# POST /2/media/metadata).
MAX_MEDIA, MAX_ALT = 4, 1000


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
        meter: Meter | None = None,
        bearer_token: str = "",
        client_app_id: str = "",
    ) -> None:
        """``transport`` replaces the network underneath (``httpx.MockTransport`` in a test), as the
        feed fetcher's does. ``bearer_token`` is the app's own token (the usage report); with
        ``client_app_id``, usage is reconciled for that app rather than the whole project."""
        self.credentials = credentials
        self.base_url = base_url.rstrip("/")
        self.servers = {account: url.rstrip("/") for account, url in (servers or {}).items() if url}
        self.post_cost_usd, self.link_post_cost_usd = post_cost_usd, link_post_cost_usd
        self.meter = meter
        self.bearer_token = bearer_token
        self.client_app_id = client_app_id
        self.cap_reset_day: int | None = None  # learnt from the usage report
        self._http = httpx.Client(timeout=timeout, follow_redirects=False, transport=transport)

    @classmethod
    def from_settings(
        cls,
        credentials: Credentials,
        settings: Settings,
        servers: Mapping[str, str],
        *,
        meter: Meter | None = None,
        bearer_token: str = "",
    ) -> XNetwork:
        return cls(
            credentials,
            base_url=settings["x_api_url"],
            servers=servers,
            post_cost_usd=settings["post_cost_usd"],
            link_post_cost_usd=settings["link_post_cost_usd"],
            timeout=settings["network_timeout_seconds"],
            meter=meter,
            bearer_token=bearer_token,
            client_app_id=settings["x_client_app_id"],
        )

    # -- the Network protocol ------------------------------------------------------------------------

    def publish(self, account: str, post: Post, *, at: datetime) -> Outcome:
        media_ids = []
        for media in post.media[:MAX_MEDIA]:
            uploaded = self._upload(account, media, at)
            if isinstance(uploaded, Outcome):
                return _not_posted(uploaded)
            media_ids.append(uploaded)
        body: dict[str, Any] = {"text": post.text}
        if post.reply_settings:
            body["reply_settings"] = post.reply_settings
        if post.paid_partnership:
            body["paid_partnership"] = True
        if media_ids:
            body["media"] = {"media_ids": media_ids}
        if post.reply_to:  # a reply, or a later part of a thread answering the part before it
            body["reply"] = {"in_reply_to_tweet_id": post.reply_to}
        try:
            answer = self._send(account, "POST", "/2/tweets", json=body)
        except httpx.HTTPError as exc:
            return failed_request(exc)
        outcome = self._outcome(answer, at)
        if outcome.kind is OutcomeKind.POSTED:
            linked = _has_link(post)
            kind = Billable.POST_WITH_URL if linked else Billable.POST
            self._meter(account, kind, "post", "publish", "POST /2/tweets", at=at)
            cost = self.link_post_cost_usd if linked else self.post_cost_usd
            return Outcome(OutcomeKind.POSTED, outcome.remote_id, budget=outcome.budget, cost_usd=cost)
        return outcome

    def _upload(self, account: str, media: Media, at: datetime) -> str | Outcome:
        """Upload one image and give it its alt text (``POST /2/media/metadata``); its media id, or the
        outcome that says why not. Nothing is posted until every image is uploaded and described."""
        try:
            answer = self._send(
                account,
                "POST",
                "/2/media/upload",
                files={"media": ("media", media.data, media.mime_type)},
                data={"media_category": "tweet_image"},
            )
        except httpx.HTTPError as exc:
            return failed_request(exc)
        outcome = self._outcome(answer, at)
        if outcome.kind is not OutcomeKind.POSTED or outcome.remote_id is None:
            return outcome
        if media.alt:
            described = self._describe(account, outcome.remote_id, media.alt, at)
            if described is not None:
                return described
        return outcome.remote_id

    def _describe(self, account: str, media_id: str, alt: str, at: datetime) -> Outcome | None:
        """Set an image's alt text (``POST /2/media/metadata``); None when X took it."""
        body = {"id": media_id, "metadata": {"alt_text": {"text": alt[:MAX_ALT]}}}
        try:
            answer = self._send(account, "POST", "/2/media/metadata", json=body)
        except httpx.HTTPError as exc:
            return failed_request(exc)
        outcome = self._outcome(answer, at)
        if outcome.kind is not OutcomeKind.POSTED:
            return Outcome(
                outcome.kind, None, f"alt text: {outcome.message}", outcome.retry_at, outcome.budget
            )
        self._meter(account, Billable.MEDIA_METADATA, "media", "publish", "POST /2/media/metadata", at=at)
        return None

    def find_published(self, account: str, post: Post) -> str | None:
        """Look for the post among the account's 100 latest (X shortens links, so they are left out)."""
        user_id = self._user_id(account)
        answer = self._read(
            account,
            f"/2/users/{user_id}/tweets",
            (Billable.OWNED_READ, "post", "reconcile"),
            params={"max_results": 100},
        )
        wanted = _comparable(post.text)
        for tweet in body_of(answer).get("data") or []:
            if isinstance(tweet, dict) and _comparable(str(tweet.get("text", ""))) == wanted:
                # The post was made by a call whose answer never arrived: X billed that call, so it is
                # metered now (it never was: only answered calls are).
                kind = Billable.POST_WITH_URL if _has_link(post) else Billable.POST
                self._meter(account, kind, "post", "publish", "POST /2/tweets")
                return str(tweet["id"])
        return None

    def probe(self, account: str) -> Outcome | None:
        try:
            answer = self._send(account, "GET", "/2/users/me")
        except httpx.HTTPError as exc:
            return failed_request(exc)
        outcome = x_outcome(answer, datetime.now(UTC))
        if outcome.kind is not OutcomeKind.POSTED:
            return outcome
        self._bill_read(account, answer, (Billable.OWNED_READ, "user", "probe"), "/2/users/me")
        return None

    def profile(self, account: str) -> Profile:
        """The account's profile. The 'Automated' label is not in it: no field of X's user object
        carries the label (``affiliation`` is the affiliate badge), so BW951 is declared, not read."""
        answer = self._read(
            account,
            "/2/users/me",
            (Billable.OWNED_READ, "user", "setup"),
            params={"user.fields": _PROFILE_FIELDS},
        )
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
        path = f"/2/users/{user_id}/mentions"
        body = body_of(self._read(account, path, (Billable.POST_READ, "post", "inbound"), params=params))
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

    # -- beyond the protocol: content retention, the app's usage --------------------------------------

    def deleted(self, account: str, refs: list[ContentRef]) -> set[str]:
        """Which of these posts and direct messages X says are gone (deleted, withheld, or no longer
        visible): ``GET /2/tweets?ids=`` for posts, 100 at a time, ``GET /2/dm_events/{id}`` for
        messages. An id X says nothing about is not counted as gone."""
        gone: set[str] = set()
        posts = [r.id for r in refs if r.kind == "post"]
        for start in range(0, len(posts), 100):
            chunk = posts[start : start + 100]
            answer = self._read(
                account,
                "/2/tweets",
                (Billable.POST_READ, "post", "retention"),
                params={"ids": ",".join(chunk)},
            )
            gone |= gone_ids(body_of(answer), chunk)
        for ref in refs:
            if ref.kind == "message" and self._message_gone(account, ref.id):
                gone.add(ref.id)
        return gone

    def _message_gone(self, account: str, event_id: str) -> bool:
        path = f"/2/dm_events/{event_id}"
        try:
            answer = self._send(account, "GET", path)
        except httpx.HTTPError as exc:
            raise NetworkUnavailable(f"X: {failed_request(exc).message}") from None
        if answer.status_code == 404:
            return True
        if answer.status_code != 200:
            raise NetworkUnavailable(f"X: {x_outcome(answer, datetime.now(UTC)).message}")
        body = body_of(answer)
        if body.get("data"):
            self._bill_read(account, answer, (Billable.DM_READ, "dm_event", "retention"), path)
            return False
        return bool(gone_ids(body, [event_id]))

    def reports_usage(self) -> bool:
        return bool(self.bearer_token)

    def usage(self, days: int) -> UsageReport:
        """The app's post usage by UTC day and its monthly cap (``GET /2/usage/tweets``, with the app's
        bearer token); the cap's reset day is kept for usage-cap answers."""
        if not self.bearer_token:
            raise NetworkUnavailable(
                "X: the usage report needs the app's bearer token (BOTWARDEN_X_BEARER_TOKEN)"
            )
        fields = "cap_reset_day,daily_client_app_usage,daily_project_usage,project_cap,project_usage"
        try:
            answer = self._http.get(
                self.base_url + "/2/usage/tweets",
                params={"days": max(1, min(days, 90)), "usage.fields": fields},
                headers=_bearer(self.bearer_token),
            )
        except httpx.HTTPError as exc:
            raise NetworkUnavailable(f"X: {failed_request(exc).message}") from None
        if answer.status_code != 200:
            raise NetworkUnavailable(f"X usage: {x_outcome(answer, datetime.now(UTC)).message}")
        report = usage_report(body_of(answer), self.client_app_id)
        self._meter(None, Billable.USAGE_READ, "usage", "usage", "GET /2/usage/tweets")
        if report.cap_reset_day:
            self.cap_reset_day = report.cap_reset_day
        return report

    # -- requests ------------------------------------------------------------------------------------

    def _user_id(self, account: str) -> str:
        known = self.credentials.get(account).get("user_id")
        if known:
            return known
        data = (
            body_of(self._read(account, "/2/users/me", (Billable.OWNED_READ, "user", "lookup"))).get("data")
            or {}
        )
        if not data.get("id"):
            raise NetworkUnavailable(f"X did not say which user account '{account}' is")
        self.credentials.update(account, {"user_id": str(data["id"])})
        return str(data["id"])

    def _read(
        self, account: str, path: str, bill: tuple[Billable, str, str], **kwargs: Any
    ) -> httpx.Response:
        """A GET that must succeed (else NetworkUnavailable), metered as ``bill``: (price, what it reads,
        why botwarden asks)."""
        try:
            answer = self._send(account, "GET", path, **kwargs)
        except httpx.HTTPError as exc:
            raise NetworkUnavailable(f"X: {failed_request(exc).message}") from None
        if answer.status_code != 200:
            raise NetworkUnavailable(f"X: {x_outcome(answer, datetime.now(UTC)).message}")
        self._bill_read(account, answer, bill, path)
        return answer

    def _bill_read(
        self, account: str, answer: httpx.Response, bill: tuple[Billable, str, str], path: str
    ) -> None:
        """X bills a read per resource it returned (an answer with no data costs nothing)."""
        ids = list(_returned_ids(body_of(answer).get("data")))
        if ids:
            kind, resource, purpose = bill
            self._meter(account, kind, resource, purpose, f"GET {_shape(path)}", ids=ids)

    def _meter(
        self,
        account: str | None,
        kind: Billable,
        resource: str,
        purpose: str,
        endpoint: str,
        *,
        ids: Iterable[str] = (),
        at: datetime | None = None,
    ) -> None:
        if self.meter is not None:
            when = at or datetime.now(UTC)
            self.meter.add(Use(when, "x", account, kind, resource, purpose, endpoint, tuple(ids)))

    def _outcome(self, answer: httpx.Response, at: datetime) -> Outcome:
        """The answer's outcome; a monthly usage cap waits for the app's reset day, learnt from the usage
        report (asked once, when the cap is first met and the day is not known yet)."""
        outcome = x_outcome(answer, at, cap_reset_day=self.cap_reset_day)
        if outcome.kind is OutcomeKind.USAGE_CAPPED and self.cap_reset_day is None and self.bearer_token:
            try:
                self.usage(1)
            except NetworkUnavailable:
                return outcome
            outcome = x_outcome(answer, at, cap_reset_day=self.cap_reset_day)
        return outcome

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


def _returned_ids(data: Any) -> Iterable[str]:
    """The ids of the resources an answer's ``data`` holds (one object, or a list of them)."""
    for item in data if isinstance(data, list) else [data] if isinstance(data, dict) else []:
        if isinstance(item, dict) and item.get("id") is not None:
            yield str(item["id"])


def _shape(path: str) -> str:
    """A path with its ids left out, so that the meter groups calls by endpoint."""
    return "/".join("{id}" if part.isdigit() else part for part in path.split("/"))


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
