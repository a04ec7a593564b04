"""Alt text: what a person who cannot see an image is told it shows.

The feed's own words come first (its ``media:description``, the ``<img alt>``, a page's
``og:image:alt``); an image the feed says nothing about is described by the route's ``alt_text``
template (``{title}`` by default), so alt text is never empty where a network shows it. It is plain text,
shortened to what the network keeps.
"""

from __future__ import annotations

from collections.abc import Mapping

from botwarden.compose import render, shorten
from botwarden.compose.plain import plain_text

FALLBACK = "{title}"


def alt_text(own: str, template: str, values: Mapping[str, str], most: int | None) -> str:
    """``own`` words for the image, else ``template`` filled with the item's ``values``; at most ``most``
    characters."""
    text = plain_text(own) or plain_text(render(template or FALLBACK, values))
    if not text:
        text = plain_text(render(FALLBACK, values)) or "Image"
    return shorten(text, most) if most is not None else text
