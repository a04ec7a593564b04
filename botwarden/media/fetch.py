"""Fetching an image, or the page that names one (``og:image``), the way feeds are fetched.

Every hop goes through the SSRF guard (:mod:`botwarden.netguard`: the checked address is the one
connected to, redirects are checked one by one), one deadline covers the whole fetch, and the body is read
under a byte cap (``media_max_bytes`` for an image, ``media_page_max_bytes`` for a page, whose ``<head>``
is all that is read). The body is asked for unencoded: an answer in a compression botwarden did not ask
for is refused rather than expanded. Every failure is a :class:`MediaError` that says what happened.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx

from botwarden import __version__
from botwarden.errors import FeedError, MediaError
from botwarden.netguard import AddressPolicy, pinned_request, shown
from botwarden.typed_settings import Settings

USER_AGENT = f"botwarden/{__version__} (feed-to-post bot; fetches the images a feed names)"
REDIRECTS = frozenset({301, 302, 303, 307, 308})
IMAGE_ACCEPT = "image/jpeg, image/png, image/webp, image/gif;q=0.8, image/*;q=0.5"
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9"


@dataclass(frozen=True, slots=True)
class MediaFetchLimits:
    max_bytes: int = 10_000_000
    page_max_bytes: int = 512_000
    max_redirects: int = 5
    timeout: float = 20.0  # connect, and each read
    deadline: float = 60.0  # the whole fetch

    @classmethod
    def from_settings(cls, settings: Settings) -> MediaFetchLimits:
        return cls(
            settings["media_max_bytes"],
            settings["media_page_max_bytes"],
            settings["feed_max_redirects"],
            settings["fetch_timeout_seconds"],
            settings["fetch_deadline_seconds"],
        )


@dataclass(frozen=True, slots=True)
class PageImage:
    url: str
    alt: str = ""  # og:image:alt


async def fetch_image(
    client: httpx.AsyncClient, url: str, *, policy: AddressPolicy, limits: MediaFetchLimits
) -> bytes:
    """The bytes at ``url``, which must answer with an image."""
    body, kind = await _get(client, url, policy, limits, limits.max_bytes, IMAGE_ACCEPT, whole=True)
    if kind and not kind.startswith("image/") and kind != "application/octet-stream":
        raise MediaError(f"{shown(url)}: the server sent {kind}, not an image")
    return body


async def fetch_page_image(
    client: httpx.AsyncClient, url: str, *, policy: AddressPolicy, limits: MediaFetchLimits
) -> PageImage | None:
    """The image a web page names for its link previews (``og:image``, else ``twitter:image``)."""
    body, kind = await _get(client, url, policy, limits, limits.page_max_bytes, PAGE_ACCEPT, whole=False)
    if kind and "html" not in kind:
        return None
    found = _PageMeta()
    found.feed(body.decode("utf-8", "replace"))
    image = (
        found.values.get("og:image") or found.values.get("og:image:url") or found.values.get("twitter:image")
    )
    if not image:
        return None
    absolute = urljoin(url, image)
    if not absolute.lower().startswith(("http://", "https://")):
        return None
    alt = found.values.get("og:image:alt") or found.values.get("twitter:image:alt") or ""
    return PageImage(absolute, " ".join(alt.split()))


async def _get(
    client: httpx.AsyncClient,
    url: str,
    policy: AddressPolicy,
    limits: MediaFetchLimits,
    cap: int,
    accept: str,
    *,
    whole: bool,
) -> tuple[bytes, str]:
    try:
        async with asyncio.timeout(limits.deadline):
            return await _follow(client, url, policy, limits, cap, accept, whole)
    except TimeoutError:
        raise MediaError(f"{shown(url)}: no whole answer within {limits.deadline:g} seconds") from None
    except FeedError as exc:  # the guard's refusals (UnsafeURLError)
        raise MediaError(str(exc)) from None
    except httpx.HTTPError as exc:
        raise MediaError(f"{shown(url)}: could not fetch it ({type(exc).__name__})") from None


async def _follow(
    client: httpx.AsyncClient,
    url: str,
    policy: AddressPolicy,
    limits: MediaFetchLimits,
    cap: int,
    accept: str,
    whole: bool,
) -> tuple[bytes, str]:
    current = url
    headers = {"User-Agent": USER_AGENT, "Accept": accept, "Accept-Encoding": "identity"}
    for _hop in range(limits.max_redirects + 1):
        target = await policy.check(current)
        request = pinned_request(client, "GET", target, headers, limits.timeout)
        response = await client.send(request, stream=True)
        try:
            if response.status_code in REDIRECTS and response.headers.get("location"):
                current = urljoin(current, response.headers["location"])
                continue
            if response.status_code != 200:
                raise MediaError(f"{shown(current)}: the server answered HTTP {response.status_code}")
            return await _body(current, response, cap, whole), _kind(response)
        finally:
            await response.aclose()
    raise MediaError(f"{shown(url)}: more than {limits.max_redirects} redirects")


async def _body(url: str, response: httpx.Response, cap: int, whole: bool) -> bytes:
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise MediaError(f"{shown(url)}: the server sent it {encoding}-encoded, which was not asked for")
    declared = response.headers.get("content-length", "")
    if whole and declared.isdigit() and int(declared) > cap:
        raise MediaError(f"{shown(url)}: {int(declared):,} bytes, over the {cap:,}-byte limit")
    parts, size = [], 0
    async for chunk in response.aiter_raw():
        parts.append(chunk)
        size += len(chunk)
        if size > cap:
            if not whole:  # a page: its head is at the start, and that is all that is read
                break
            raise MediaError(f"{shown(url)}: larger than the {cap:,}-byte limit; not fetched")
    return b"".join(parts)[:cap]


def _kind(response: httpx.Response) -> str:
    kind: str = response.headers.get("content-type", "")
    return kind.split(";", 1)[0].strip().lower()


class _PageMeta(HTMLParser):
    """The ``<meta property|name=… content=…>`` of a page's head, up to its ``<body>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self._done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self._done = True
        if self._done or tag != "meta":
            return
        values = {name: (value or "") for name, value in attrs}
        key = (values.get("property") or values.get("name") or "").strip().lower()
        if key and key not in self.values and values.get("content", "").strip():
            self.values[key] = values["content"].strip()

    handle_startendtag = handle_starttag
