"""Images read with Pillow, cleaned and made to fit a network's limits.

Every image is decoded and encoded afresh, so nothing of the original file but its pixels is posted: EXIF
(with its GPS location), XMP, IPTC, comments and colour profiles are all left behind. The EXIF orientation
is applied to the pixels first, so a photo taken sideways still shows upright. An image with transparency
becomes a PNG, any other a JPEG (every network takes both); an animated image keeps its first frame.

Too big for a network? It is made smaller step by step: first its long side down to the network's
largest, then lower JPEG quality, then fewer pixels, until it fits. Input that is not an image, or one
whose pixel count could exhaust memory (a decompression bomb), is refused with :class:`MediaError`.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from botwarden.errors import MediaError
from botwarden.media.limits import MediaLimits

# No feed image needs more pixels than this (a 64-megapixel photo); a file that claims more is refused
# before its pixels are decoded.
MAX_PIXELS = 64_000_000
_QUALITIES = (88, 80, 72, 64)
_READABLE = ("JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF")


@dataclass(frozen=True, slots=True)
class Picture:
    """An image ready to post: its encoded bytes, type and size in pixels."""

    data: bytes
    mime_type: str
    width: int
    height: int


def clean(data: bytes, limits: MediaLimits) -> Picture:
    """``data`` decoded, stripped of every metadata, and fitted to ``limits``."""
    return _fit(_decode(data), limits)


def fit(picture: Picture, limits: MediaLimits) -> Picture:
    """``picture`` as it is when it already fits ``limits`` (no work), else made smaller."""
    if len(picture.data) <= limits.max_bytes and max(picture.width, picture.height) <= limits.max_side:
        return picture
    return _fit(_decode(picture.data), limits)


def _decode(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data), formats=_READABLE)
            if opened.width * opened.height > MAX_PIXELS:
                raise MediaError(
                    f"the image is {opened.width}×{opened.height} pixels, more than any feed image needs; "
                    "not posted"
                )
            opened.seek(0)  # the first frame of an animation
            upright = ImageOps.exif_transpose(opened)
            upright.load()
    except MediaError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise MediaError(f"not an image botwarden can read ({exc})") from None
    except (OSError, ValueError, SyntaxError) as exc:  # truncated or damaged files
        raise MediaError(f"the image is damaged ({type(exc).__name__}: {exc})") from None
    return upright


def _fit(image: Image.Image, limits: MediaLimits) -> Picture:
    image = _plain(image)
    alpha = image.mode == "RGBA"
    scale = min(1.0, limits.max_side / max(image.width, image.height))
    while True:
        sized = _scaled(image, scale)
        for quality in (None,) if alpha else _QUALITIES:
            data = _encode(sized, alpha, quality)
            if len(data) <= limits.max_bytes:
                return Picture(data, "image/png" if alpha else "image/jpeg", sized.width, sized.height)
        if max(sized.width, sized.height) <= 16:
            raise MediaError(f"the image cannot be made to fit {limits.max_bytes:,} bytes")
        # Bytes grow with the pixel count: aim under the limit with a little to spare.
        scale *= max(0.5, min(0.9, (limits.max_bytes / len(data)) ** 0.5 * 0.95))


def _plain(image: Image.Image) -> Image.Image:
    """RGB, or RGBA where the image has transparency: what JPEG and PNG encode without surprises."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    target = "RGBA" if has_alpha else "RGB"
    converted = image.convert(target) if image.mode != target else image.copy()
    if has_alpha and converted.getchannel("A").getextrema()[0] == 255:  # alpha that hides nothing
        converted = converted.convert("RGB")
    converted.info.clear()  # nothing of the original file's metadata travels on
    return converted


def _scaled(image: Image.Image, scale: float) -> Image.Image:
    if scale >= 1.0:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)


def _encode(image: Image.Image, alpha: bool, quality: int | None) -> bytes:
    out = io.BytesIO()
    if alpha:
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()
