"""The images an item names, read alike from either parser's fields.

In the order botwarden prefers them: image enclosures, then ``media:content`` and ``media:thumbnail``
(Media RSS), then the first ``<img>`` of the item's content (else of its summary). An address given twice
is kept once, where it first appears. The words a feed gives for its media (the first
``media:description`` of the item) describe the enclosures and Media RSS images; an ``<img>`` is described
by its own ``alt``. A ``media:rating`` of ``adult`` (the Media RSS ``urn:simple`` scheme) marks every
image of the item sensitive.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from html.parser import HTMLParser

from feedparser.urls import _urljoin

from botwarden.feeds.model import Enclosure, MediaRef

_TAG = re.compile(r"<[^>]*>")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".bmp")
# Ratings that say the media is for adults, by scheme (Media RSS 1.5.1, <media:rating>).
_ADULT = {"urn:simple": {"adult"}, "urn:mpaa": {"nc-17", "x"}, "urn:v-chip": {"tv-ma"}}


def item_media(
    *,
    enclosures: Iterable[Enclosure],
    contents: Iterable[Mapping[str, str]],
    thumbnails: Iterable[Mapping[str, str]],
    description: str,
    rating: str,
    rating_scheme: str,
    markup: Iterable[tuple[str, str]],
) -> list[MediaRef]:
    """The item's images; ``contents`` and ``thumbnails`` are the attributes of its ``media:content``
    and ``media:thumbnail`` elements, ``markup`` its content and summary (the first to search first),
    each with the base its relative addresses resolve against ('' when they are absolute already)."""
    sensitive = is_adult(rating, rating_scheme)
    description = plain_words(description)
    found: list[MediaRef] = []
    for enclosure in enclosures:
        if looks_like_image(enclosure.url, enclosure.type, ""):
            found.append(MediaRef(enclosure.url, enclosure.type, "enclosure", description, sensitive))
    for attrs in contents:
        url = (attrs.get("url") or "").strip()
        if url and looks_like_image(url, attrs.get("type", ""), attrs.get("medium", "")):
            found.append(MediaRef(url, attrs.get("type", ""), "media:content", description, sensitive))
    for attrs in thumbnails:
        url = (attrs.get("url") or "").strip()
        if url:
            found.append(MediaRef(url, "", "media:thumbnail", description, sensitive))
    image = next((img for text, base in markup if (img := first_image(text, base)) is not None), None)
    if image is not None:
        found.append(MediaRef(image[0], "", "img", image[1], sensitive))
    return _unique(found)


def looks_like_image(url: str, mime_type: str, medium: str) -> bool:
    """Whether the feed says (by type or medium) or the address suggests (by its ending) an image."""
    mime_type, medium = mime_type.strip().lower(), medium.strip().lower()
    if mime_type:
        return mime_type.startswith("image/")
    if medium:
        return medium == "image"
    return url.split("?", 1)[0].split("#", 1)[0].lower().endswith(IMAGE_SUFFIXES)


def is_adult(rating: str, scheme: str) -> bool:
    return rating.strip().lower() in _ADULT.get((scheme or "urn:simple").strip().lower(), set())


def plain_words(markup: str) -> str:
    """Text without its tags and entities, its white space folded."""
    return " ".join(html.unescape(_TAG.sub(" ", markup)).split()) if markup else ""


def first_image(markup: str, base: str = "") -> tuple[str, str] | None:
    """The address (made absolute against ``base``) and alt text of the first ``<img>`` in ``markup``
    that can be fetched over the web and is not a tracking pixel (1×1), or None."""
    if "<img" not in markup.lower():
        return None
    finder = _FirstImage(base)
    finder.feed(markup)
    finder.close()
    return finder.found


class _FirstImage(HTMLParser):
    # Read inside <style> and <script> as markup, as feedparser's sanitizer does: an unclosed <style> in
    # a feed's HTML would otherwise hide every image after it.
    CDATA_CONTENT_ELEMENTS = ()  # type: ignore[misc]

    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.found: tuple[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "img" or self.found is not None:
            return
        values = {name: (value or "").strip() for name, value in attrs}
        src = values.get("src", "")
        if self.base and src:
            src = _urljoin(self.base, src)
        pixel = values.get("width") in ("0", "1") or values.get("height") in ("0", "1")
        if src.lower().startswith(("http://", "https://")) and not pixel:
            self.found = (src, " ".join(values.get("alt", "").split()))

    handle_startendtag = handle_starttag


def _unique(found: list[MediaRef]) -> list[MediaRef]:
    seen: set[str] = set()
    kept = []
    for ref in found:
        if ref.url not in seen:
            seen.add(ref.url)
            kept.append(ref)
    return kept
