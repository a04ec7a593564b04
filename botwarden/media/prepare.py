"""Fetching an item's images once: the first ones that can be fetched and read, or the linked page's
``og:image`` where the item has none and the route asks for it. Each is cleaned of metadata and kept at
the largest size any network takes; an image that cannot be fetched is kept as the reason why."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import httpx

from botwarden.errors import MediaError
from botwarden.feeds.model import MediaRef
from botwarden.media.fetch import MediaFetchLimits, fetch_image, fetch_page_image
from botwarden.media.fit import clean
from botwarden.media.images import Image, candidates
from botwarden.media.limits import STORED, MediaLimits
from botwarden.netguard import AddressPolicy


async def prepare_images(
    client: httpx.AsyncClient,
    refs: Sequence[MediaRef],
    link: str,
    *,
    count: int,
    page_image: bool,
    policy: AddressPolicy,
    limits: MediaFetchLimits,
    fit_to: MediaLimits = STORED,
) -> list[Image]:
    """Up to ``count`` images of the item (tried in order, a failed one is passed over and noted), else
    the page's og:image when ``page_image`` asks for it. Each is kept fitted to ``fit_to``: the strictest
    limits of the networks that post it, so that posting it needs no more work."""
    found: list[Image] = []
    for ref in candidates(refs):
        if sum(1 for image in found if image.picture is not None) >= count:
            break
        fetched = _one(client, ref.url, ref.source, ref.description, ref.sensitive, policy, limits, fit_to)
        found.append(await fetched)
    if count and page_image and link and not any(image.picture is not None for image in found):
        found.append(await _from_page(client, link, policy, limits, fit_to))
    return found


async def _one(
    client: httpx.AsyncClient,
    url: str,
    source: str,
    alt: str,
    sensitive: bool,
    policy: AddressPolicy,
    limits: MediaFetchLimits,
    fit_to: MediaLimits,
) -> Image:
    try:
        data = await fetch_image(client, url, policy=policy, limits=limits)
        picture = await asyncio.to_thread(clean, data, fit_to)  # decoding is CPU work: off the loop
    except MediaError as exc:
        return Image(url, source, None, alt, sensitive, str(exc))
    except Exception as exc:  # one image that breaks a library must not stop the pass: it is left out
        return Image(url, source, None, alt, sensitive, f"{url}: {type(exc).__name__}: {exc}")
    return Image(url, source, picture, alt, sensitive)


async def _from_page(
    client: httpx.AsyncClient, link: str, policy: AddressPolicy, limits: MediaFetchLimits, fit_to: MediaLimits
) -> Image:
    try:
        found = await fetch_page_image(client, link, policy=policy, limits=limits)
    except MediaError as exc:
        return Image(link, "page", None, error=str(exc))
    if found is None:
        return Image(link, "page", None, error=f"{link}: the page names no og:image")
    return await _one(client, found.url, "page", found.alt, False, policy, limits, fit_to)
