"""Images sent in chat: checked, re-encoded without metadata, and thumbnailed, with Pillow.

Only four raster formats count as images (JPEG, PNG, GIF, WebP): browsers show them inline and
none can carry script. Pillow is told to try those decoders only, so an upload never reaches
its other parsers (EPS would even start Ghostscript). Every image is decoded and encoded again:
what is stored holds pixels only, no EXIF (a phone photo's GPS position), XMP, comments or
colour profiles, and a file that only looks like an image (HTML named .png) fails to decode
and is refused. Dimensions are checked from the header before any pixel is decoded, so a
"decompression bomb" (a tiny PNG of 50,000 x 50,000 pixels) costs nothing.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from PIL import Image, ImageOps, UnidentifiedImageError

SAFE_IMAGE_TYPES = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "WEBP": "image/webp",
}
IMAGE_EXTENSIONS = frozenset({"jpg", "jpeg", "png", "gif", "webp"})
# A 50-megapixel photo (the largest phones') decodes to ~150 MB of RGB; more is refused.
MAX_PIXELS = 50_000_000
# An animation's frames together (a 500 x 500 GIF may have 800 frames).
MAX_ANIMATION_PIXELS = 200_000_000
THUMBNAIL_BOX = (480, 480)  # shown at up to 240 px wide, sharp on 2x screens


class ImageRefused(ValueError):
    """Not one of the safe formats, damaged, or too large: the message says which."""


@dataclass(frozen=True)
class CleanImage:
    data: bytes  # re-encoded, without metadata
    content_type: str
    width: int
    height: int
    thumbnail: bytes  # WebP, at most THUMBNAIL_BOX
    thumbnail_type: str = "image/webp"


@dataclass(frozen=True)
class CleanedFile:
    """What `clean_image_file` wrote: the image without metadata at `out`, its WebP thumbnail
    at `thumb`."""

    content_type: str
    width: int
    height: int
    size: int  # bytes at `out`
    thumbnail_type: str = "image/webp"


@contextmanager
def _refusals() -> Iterator[None]:
    """Pillow's many ways of saying "not an image" or "too large", as ImageRefused."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            yield
        except ImageRefused:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageRefused("this image has too many pixels") from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            raise ImageRefused(
                "this file is not a valid JPEG, PNG, GIF or WebP image (or it is damaged)"
            ) from None


def clean_image(data: bytes) -> CleanImage:
    """The image re-encoded without metadata, and its thumbnail, in memory. CPU-bound (the
    server uses `clean_image_file` in a worker process: workers.py)."""
    out, thumb = io.BytesIO(), io.BytesIO()
    with _refusals(), Image.open(io.BytesIO(data), formats=list(SAFE_IMAGE_TYPES)) as image:
        content_type, width, height = _clean(image, out, thumb)
    return CleanImage(out.getvalue(), content_type, width, height, thumb.getvalue())


def clean_image_file(source: Path, out: Path, thumb: Path) -> CleanedFile:
    """`clean_image` from a file to files: Pillow reads the upload from disk as it decodes, and
    the results go straight to disk, so no whole copy of the file passes between processes or
    sits in the server's memory. `out` and `thumb` are written (and left for the caller to
    remove) even when the image is refused half-way."""
    with (
        _refusals(),
        Image.open(source, formats=list(SAFE_IMAGE_TYPES)) as image,
        out.open("wb") as out_file,
        thumb.open("wb") as thumb_file,
    ):
        content_type, width, height = _clean(image, out_file, thumb_file)
        size = out_file.tell()
    return CleanedFile(content_type, width, height, size)


def _clean(image: Image.Image, out: IO[bytes], thumb_out: IO[bytes]) -> tuple[str, int, int]:
    """Writes the clean image to `out` and its thumbnail to `thumb_out`: (type, width, height)."""
    fmt = image.format or ""
    width, height = image.size
    if width < 1 or height < 1 or width * height > MAX_PIXELS:
        raise ImageRefused(
            f"this image is {width:,} x {height:,} pixels; at most {MAX_PIXELS // 1_000_000} "
            "megapixels are accepted"
        )
    frames = int(getattr(image, "n_frames", 1))
    if frames * width * height > MAX_ANIMATION_PIXELS:
        raise ImageRefused("this animation has too many frames")
    if frames > 1 and fmt in ("GIF", "WEBP"):
        # Animated: every frame again, with none of the source's metadata blocks.
        image.load()
        image.info = {k: v for k, v in image.info.items() if k in ("duration", "loop")}
        image.save(out, format=fmt, save_all=True)
        first = image.copy()
        first.seek(0)
        shown = first.convert("RGBA")
    else:
        image.load()
        # A photo taken sideways stays the right way up; turned in place, not copied (a
        # 12-megapixel photo is 36 MB of pixels: each copy costs ~10 ms of CPU).
        ImageOps.exif_transpose(image, in_place=True)
        shown = image
        shown.info = {}
        if fmt == "JPEG":
            if shown.mode not in ("RGB", "L"):
                shown = shown.convert("RGB")
            shown.save(out, format="JPEG", quality=90)
        elif fmt == "GIF":
            shown.save(out, format="GIF")
        elif fmt == "WEBP":
            shown.save(out, format="WEBP", quality=90)
        else:
            shown.save(out, format="PNG")
    width, height = shown.size
    # (Not Image.draft(), which decodes a JPEG at 1/2-1/8 of its size: the whole image is
    # decoded anyway, to be encoded again without its metadata.)
    # Resized from the image, not from a copy of it: as Image.thumbnail does (the same size,
    # first reduced by a whole factor while more than twice the target, then LANCZOS).
    scale = min(THUMBNAIL_BOX[0] / width, THUMBNAIL_BOX[1] / height, 1.0)
    box = (max(1, round(width * scale)), max(1, round(height * scale)))
    thumb = shown.resize(box, Image.Resampling.LANCZOS, reducing_gap=2.0)
    has_alpha = thumb.mode in ("RGBA", "LA", "PA") or (
        thumb.mode == "P" and "transparency" in thumb.info
    )
    thumb = thumb.convert("RGBA" if has_alpha else "RGB")
    thumb.info = {}
    thumb.save(thumb_out, format="WEBP", quality=80)
    return SAFE_IMAGE_TYPES[fmt], width, height
