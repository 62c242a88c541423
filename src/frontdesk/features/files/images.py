"""Images sent in chat: checked, re-encoded without metadata, and thumbnailed, with Pillow.

Only four raster formats count as images (JPEG, PNG, GIF, WebP): browsers show them inline and
none can carry script. Pillow is told to try those decoders only, so an upload never reaches
its other parsers (EPS would even start Ghostscript). What is stored holds pixels only, no EXIF
(a phone photo's GPS position), XMP, comments or colour profiles, and a file that only looks
like an image (HTML named .png) fails to decode and is refused. PNG, GIF, WebP and unusual
JPEGs are decoded and encoded again. An ordinary photo (an RGB or greyscale JPEG) is not: its
metadata segments are cut out of the file and its coded pixels kept as they are (no second
lossy encoding, and a tenth of the CPU: decoding and encoding a 12-megapixel photo took about
160 ms of a core, which 20 people sending photos at once turned into a whole core competing
with live chat, issue 20); only its orientation survives, as the one field of a new EXIF
block, so browsers still show a sideways photo upright. The thumbnail is decoded at 1/2-1/8
of the photo's size (Image.draft), which also checks that the whole coded image decodes. Dimensions are checked from the header before any pixel is decoded, so a
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


# JPEG markers: APPn (0xE0-0xEF) and COM (0xFE) carry metadata; APP0 "JFIF" and APP14 "Adobe"
# say how to decode the pixels and are kept. RSTn (0xD0-0xD7) appear inside coded data.
_SOI, _EOI, _SOS = 0xD8, 0xD9, 0xDA
_ORIENTATION = 0x0112


def _jpeg_segments_kept(marker: int, body: bytes) -> bool:
    if marker == 0xE0:
        return body.startswith(b"JFIF\x00")
    if marker == 0xEE:
        return body.startswith(b"Adobe")
    return not (0xE1 <= marker <= 0xEF or marker == 0xFE)


def jpeg_without_metadata(data: bytes, orientation: int) -> bytes:
    """The JPEG with its metadata segments cut out and nothing after its end marker (phones
    append second images there), and, when `orientation` is not 1, a new EXIF block with
    that one field. Raises ImageRefused when the file's structure is broken."""
    broken = ImageRefused(
        "this file is not a valid JPEG, PNG, GIF or WebP image (or it is damaged)"
    )
    if data[:2] != b"\xff\xd8":
        raise broken
    kept: list[bytes] = []
    i, end = 2, len(data)
    while True:
        if i >= end or data[i] != 0xFF:
            raise broken
        while i < end and data[i] == 0xFF:  # fill bytes before a marker
            i += 1
        if i >= end:
            raise broken
        marker = data[i]
        i += 1
        if marker == _EOI:
            break
        if marker == 0x01 or 0xD0 <= marker <= 0xD7 or marker == _SOI:
            continue  # markers without a length
        if i + 2 > end:
            raise broken
        length = int.from_bytes(data[i : i + 2], "big")
        if length < 2 or i + length > end:
            raise broken
        body = data[i + 2 : i + length]
        if _jpeg_segments_kept(marker, body):
            kept.append(bytes((0xFF, marker)) + data[i : i + length])
        i += length
        if marker == _SOS:
            # Coded data up to the next marker: 0xFF is followed by 0x00 (a stuffed byte)
            # or an RSTn inside it.
            start = i
            while True:
                i = data.find(b"\xff", i)
                if i < 0 or i + 1 >= end:
                    raise broken
                following = data[i + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                    i += 1 if following == 0xFF else 2
                    continue
                break
            kept.append(data[start:i])
    exif: list[bytes] = []
    if orientation != 1:
        block = Image.Exif()
        block[_ORIENTATION] = orientation
        payload = block.tobytes()
        exif.append(b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload)
    # APP0 (JFIF) first if there is one, as its specification wants, then the EXIF block.
    head = 1 if kept and kept[0][:2] == b"\xff\xe0" else 0
    return b"".join([b"\xff\xd8", *kept[:head], *exif, *kept[head:], b"\xff\xd9"])


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
        if _is_plain_photo(image):
            content_type, width, height = _clean_photo(image, data, out, thumb)
        else:
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
        if _is_plain_photo(image):
            content_type, width, height = _clean_photo(
                image, source.read_bytes(), out_file, thumb_file
            )
        else:
            content_type, width, height = _clean(image, out_file, thumb_file)
        size = out_file.tell()
    return CleanedFile(content_type, width, height, size)


def _is_plain_photo(image: Image.Image) -> bool:
    """A one-frame RGB or greyscale JPEG: what a camera or phone writes."""
    return (
        image.format == "JPEG"
        and image.mode in ("RGB", "L")
        and not getattr(image, "is_animated", False)
    )


def _clean_photo(
    image: Image.Image, data: bytes, out: IO[bytes], thumb_out: IO[bytes]
) -> tuple[str, int, int]:
    """A plain JPEG without re-encoding it (see the module's docstring)."""
    width, height = image.size
    if width < 1 or height < 1 or width * height > MAX_PIXELS:
        raise ImageRefused(
            f"this image is {width:,} x {height:,} pixels; at most {MAX_PIXELS // 1_000_000} "
            "megapixels are accepted"
        )
    orientation = image.getexif().get(_ORIENTATION, 1)
    if not isinstance(orientation, int) or not 1 <= orientation <= 8:
        orientation = 1
    cleaned = jpeg_without_metadata(data, orientation)
    # The thumbnail from a reduced decode of the cleaned file itself: if what is stored does
    # not decode to the end, it is refused here.
    with Image.open(io.BytesIO(cleaned), formats=["JPEG"]) as stored:
        stored.draft(stored.mode, THUMBNAIL_BOX)
        stored.load()
        ImageOps.exif_transpose(stored, in_place=True)
        _thumbnail(stored, thumb_out)
    out.write(cleaned)
    if orientation in (5, 6, 7, 8):  # shown turned a quarter
        width, height = height, width
    return "image/jpeg", width, height


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
    _thumbnail(shown, thumb_out)
    return SAFE_IMAGE_TYPES[fmt], width, height


def _thumbnail(shown: Image.Image, thumb_out: IO[bytes]) -> None:
    width, height = shown.size
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
