"""What each network accepts in an image attachment, from its own documents.

- X: an image uploaded through the API may be up to 5 MB ("Media types & size restrictions",
  https://docs.x.com/x-api/media); a post carries at most 4 media ids (``CreatePostsMedia.media_ids``,
  maxItems 4, in the X API v2 OpenAPI document); alt text is at most 1,000 characters
  (``POST /2/media/metadata``, ``alt_text.text`` maxLength 1000).
- Mastodon: at most 4 attachments a status (``configuration.statuses.max_media_attachments`` of
  ``GET /api/v2/instance``, 4 by default); an image up to the server's ``image_size_limit`` (16 MiB by
  default, same document) and ``image_matrix_limit`` pixels (33,177,600 by default, larger ones are
  downscaled by the server); a description of at most 1,500 characters (``POST /api/v2/media``,
  https://docs.joinmastodon.org/methods/media/); uploads count against their own budget, 30 in 30 minutes
  per account (https://docs.joinmastodon.org/api/rate-limits/).
- Bluesky: at most 4 images a post, each blob at most 1,000,000 bytes, alt text required
  (``app.bsky.embed.images``); a link card's thumbnail at most 1,000,000 bytes too
  (``app.bsky.embed.external``), both in the atproto lexicons
  (https://github.com/bluesky-social/atproto/tree/main/lexicons/app/bsky/embed). Newer lexicons allow an
  image of 2 MB; botwarden keeps to 1,000,000 bytes, which every PDS accepts. The long side is kept to
  2,000 pixels, the size the Bluesky app itself uploads.

The long side of an X or Mastodon image is kept to 4,096 pixels: X shows no larger, and it stays well
inside Mastodon's pixel limit.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MediaLimits:
    network: str
    max_bytes: int
    max_side: int
    max_images: int = 4
    max_alt: int | None = None  # characters of alt text the network keeps (None: no stated limit)


LIMITS: dict[str, MediaLimits] = {
    "x": MediaLimits("x", 5_000_000, 4096, max_alt=1000),
    "mastodon": MediaLimits("mastodon", 16 * 1024 * 1024, 4096, max_alt=1500),
    "bluesky": MediaLimits("bluesky", 1_000_000, 2000),
    # The local network keeps what it is given; held to Bluesky's size, the smallest, so that a demo
    # shows what a real network would take.
    "local": MediaLimits("local", 1_000_000, 2000),
}
# What is kept in the store between fetching and posting: the largest any network accepts.
STORED = MediaLimits("store", 5_000_000, 4096)
# Mastodon's budget for uploads (per account): 30 in 30 minutes.
MASTODON_UPLOADS = (30, 30 * 60)


def limits_for(network: str) -> MediaLimits:
    return LIMITS.get(network, LIMITS["bluesky"])
