"""Images from feeds: fetched through the SSRF guard under size caps and a deadline, cleaned of their
metadata, fitted to each network's limits, and described for people who cannot see them."""

from botwarden.media.alt import alt_text
from botwarden.media.fetch import MediaFetchLimits, PageImage, fetch_image, fetch_page_image
from botwarden.media.fit import Picture, clean, fit
from botwarden.media.images import COUNTS, Image, candidates, chosen
from botwarden.media.limits import LIMITS, STORED, MediaLimits, limits_for
from botwarden.media.prepare import prepare_images

__all__ = [
    "COUNTS",
    "LIMITS",
    "STORED",
    "Image",
    "MediaFetchLimits",
    "MediaLimits",
    "PageImage",
    "Picture",
    "alt_text",
    "candidates",
    "chosen",
    "clean",
    "fetch_image",
    "fetch_page_image",
    "fit",
    "limits_for",
    "prepare_images",
]
