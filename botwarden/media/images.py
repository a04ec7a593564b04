"""The shape an item's image takes between fetching it and posting it, and the choice of which to post."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from botwarden.feeds.media import looks_like_image
from botwarden.feeds.model import MediaRef
from botwarden.media.fit import Picture

# How many images each `media` route option posts.
COUNTS = {"none": 0, "first": 1, "all": 4}


@dataclass(frozen=True, slots=True)
class Image:
    """An image an item names, as fetched once for the item: the cleaned picture (None when it could not
    be fetched, ``error`` says why), the feed's or page's own words for it, and its adult rating."""

    url: str
    source: str  # enclosure, media:content, media:thumbnail, img, or page (the link's og:image)
    picture: Picture | None
    alt: str = ""
    sensitive: bool = False
    error: str = ""


def candidates(refs: Sequence[MediaRef]) -> list[MediaRef]:
    """The item's images that can be fetched over the web, in the order they are preferred."""
    return [
        ref
        for ref in refs
        if ref.url.lower().startswith(("http://", "https://"))
        and (ref.source in ("img", "media:thumbnail") or looks_like_image(ref.url, ref.type, "image"))
    ]


def chosen(images: Sequence[Image], mode: str, most: int) -> list[Image]:
    """The fetched images a route posts: the first, all of them (at most ``most``, the network's), or
    none."""
    usable = [image for image in images if image.picture is not None]
    return usable[: min(COUNTS[mode], most)]
