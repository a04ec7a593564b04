"""Images for the media tests, made here: photos with EXIF (a GPS location, an orientation), a PNG with
transparency, and feeds that name them."""

from __future__ import annotations

import io
import random
from datetime import datetime, timedelta
from email.utils import format_datetime

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def photo(width: int = 1600, height: int = 1200, *, seed: int = 1, orientation: int = 1) -> bytes:
    """A JPEG of noisy pixels (hard to compress, like a real photo) carrying a GPS location in its EXIF."""
    rng = random.Random(seed)
    image = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    exif = Image.Exif()
    exif[GPS_IFD] = {1: "N", 2: (51.0, 30.0, 12.0), 3: "W", 4: (0.0, 7.0, 39.0)}
    exif[ORIENTATION] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95, exif=exif, comment=b"taken at home")
    return out.getvalue()


def transparent_png(width: int = 64, height: int = 64) -> bytes:
    image = Image.new("RGBA", (width, height), (0, 128, 255, 0))
    image.putpixel((3, 3), (255, 0, 0, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def media_rss(items: list[dict[str, str]], *, when: datetime, step: timedelta = timedelta(0)) -> bytes:
    """An RSS 2.0 feed with Media RSS: each item may have ``image`` (media:content), ``description``
    (media:description), ``rating``, ``summary`` and ``img`` (an <img> in its description); each item
    is ``step`` older than the one before it."""
    body = ""
    for number, item in enumerate(items):
        summary = item.get("summary", "")
        if item.get("img"):
            summary += f'&lt;img src="{item["img"]}" alt="{item.get("img_alt", "")}"&gt;'
        media = ""
        if item.get("image"):
            described = (
                f"<media:description>{item['description']}</media:description>"
                if item.get("description")
                else ""
            )
            media = (
                f'<media:content url="{item["image"]}" type="image/jpeg" medium="image">'
                f"{described}</media:content>"
            )
        if item.get("rating"):
            media += f"<media:rating>{item['rating']}</media:rating>"
        body += (
            f"<item><guid>{item['guid']}</guid><title>{item['title']}</title><link>{item['link']}</link>"
            f"<pubDate>{format_datetime(when - number * step)}</pubDate>"
            f"<description>{summary}</description>{media}</item>"
        )
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>'
        f"<title>Harbour news</title><link>https://harbour.example/</link><description>d</description>{body}"
        "</channel></rss>"
    ).encode()
