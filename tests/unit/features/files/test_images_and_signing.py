"""The pure parts of files in chat: cleaning images (no metadata out, bombs and fakes refused),
file names, and the signed URLs (expiry, key rotation)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from frontdesk.features.files import ImageRefused, clean_image, clean_name
from frontdesk.features.files.signing import LINK_SECONDS, expiry, signed_path, verify

OLD, NEW = "old-secret-" + "o" * 32, "new-secret-" + "n" * 32


def _exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)}
    return exif


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_metadata_never_survives_cleaning(fmt: str) -> None:
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (1, 2, 3)).save(out, format=fmt, exif=_exif())
    assert Image.open(io.BytesIO(out.getvalue())).getexif(), "the source carries EXIF"
    cleaned = clean_image(out.getvalue())
    with Image.open(io.BytesIO(cleaned.data)) as image:
        assert image.format == fmt and image.size == (300, 200)
        assert len(image.getexif()) == 0
    assert b"PhoneMaker" not in cleaned.data
    with Image.open(io.BytesIO(cleaned.thumbnail)) as thumb:
        assert thumb.format == "WEBP" and len(thumb.getexif()) == 0


def test_a_sideways_photo_is_turned_upright_before_its_exif_goes() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 CW to display
    out = io.BytesIO()
    Image.new("RGB", (400, 100)).save(out, format="JPEG", exif=exif)
    cleaned = clean_image(out.getvalue())
    assert (cleaned.width, cleaned.height) == (100, 400)


def test_an_animated_gif_keeps_its_frames() -> None:
    frames = [Image.new("RGB", (40, 40), (80 * i, 40, 200 - 60 * i)) for i in range(3)]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=100)
    cleaned = clean_image(out.getvalue())
    with Image.open(io.BytesIO(cleaned.data)) as image:
        assert image.format == "GIF" and image.n_frames == 3


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"<!doctype html><script>alert(1)</script>", "not a valid"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "not a valid"),
        (b"%!PS-Adobe-3.0 EPSF-3.0\n", "not a valid"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "not a valid"),
    ],
)
def test_what_only_pretends_to_be_an_image_is_refused(data: bytes, why: str) -> None:
    with pytest.raises(ImageRefused, match=why):
        clean_image(data)


def test_a_decompression_bomb_is_refused_from_its_header() -> None:
    out = io.BytesIO()
    Image.new("1", (30_000, 30_000)).save(out, format="PNG")  # 900 megapixels in ~100 KB
    with pytest.raises(ImageRefused, match="pixels"):
        clean_image(out.getvalue())


def test_file_names_lose_paths_and_control_characters_and_keep_their_extension() -> None:
    assert clean_name("C:\\Users\\ann\\Desktop\\report.pdf") == "report.pdf"
    assert clean_name("../../etc/passwd") == "passwd"
    assert clean_name('bad\x00name<>:"|?*.txt') == "bad_name_.txt"
    assert clean_name("") == clean_name(None) == clean_name("...") == "file"
    long = clean_name("x" * 300 + ".docx")
    assert len(long) == 200 and long.endswith(".docx")


def test_signed_urls_expire_and_verify_with_previous_keys() -> None:
    now = 1_800_000_000.0
    expires = expiry(now)
    assert now + LINK_SECONDS < expires <= now + LINK_SECONDS + 300
    path = signed_path(OLD, "a" * 32, "file", expires)
    signature = path.split("s=")[1]
    assert verify([OLD], "a" * 32, "file", str(expires), signature, now) == "ok"
    # during a rotation: new key first, the old one still listed
    assert verify([NEW, OLD], "a" * 32, "file", str(expires), signature, now) == "ok"
    assert verify([NEW], "a" * 32, "file", str(expires), signature, now) == "bad"
    assert verify([OLD], "b" * 32, "file", str(expires), signature, now) == "bad"
    assert verify([OLD], "a" * 32, "thumb", str(expires), signature, now) == "bad"
    assert verify([OLD], "a" * 32, "file", str(expires + 1), signature, now) == "bad"
    assert verify([OLD], "a" * 32, "file", str(expires), signature, expires + 1) == "expired"
    # an expiry further out than the server ever mints is refused even if signed
    far = int(now) + 30 * 86400
    far_sig = signed_path(OLD, "a" * 32, "file", far).split("s=")[1]
    assert verify([OLD], "a" * 32, "file", str(far), far_sig, now) == "expired"


def _photo_with_everything(orientation: int = 1) -> bytes:
    """A phone photo: EXIF with GPS (and orientation), an XMP block, a comment, and a second
    image appended after the end marker (as some phones do)."""
    exif = _exif()
    if orientation != 1:
        exif[0x0112] = orientation
    out = io.BytesIO()
    pixels = Image.effect_noise((320, 240), 64).convert("RGB")
    pixels.save(out, format="JPEG", exif=exif, quality=85, comment=b"shot at home")
    data = out.getvalue()
    xmp = b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>PhoneMaker GPS</x:xmpmeta>"
    app1 = b"\xff\xe1" + (len(xmp) + 2).to_bytes(2, "big") + xmp
    appended = io.BytesIO()
    Image.new("RGB", (8, 8)).save(appended, format="JPEG", exif=_exif())
    return data[:2] + app1 + data[2:] + appended.getvalue()


def test_a_photo_keeps_its_coded_pixels_untouched_and_loses_every_metadata_block() -> None:
    data = _photo_with_everything()
    cleaned = clean_image(data)
    # The coded image (from the start of scan) is the source's, byte for byte: no second
    # lossy encoding.
    scan = data.index(b"\xff\xda")
    assert (
        cleaned.data[cleaned.data.index(b"\xff\xda") :]
        == data[scan : data.index(b"\xff\xd9", scan) + 2]
    )
    for secret in (b"PhoneMaker", b"shot at home", b"xmpmeta", b"Exif"):
        assert secret not in cleaned.data, secret
    with Image.open(io.BytesIO(cleaned.data)) as image:
        image.load()
        assert image.size == (320, 240) and len(image.getexif()) == 0
    assert (cleaned.width, cleaned.height) == (320, 240)
    with Image.open(io.BytesIO(cleaned.thumbnail)) as thumb:
        assert thumb.format == "WEBP" and thumb.size == (320, 240)


def test_a_sideways_photo_keeps_only_its_orientation_and_its_thumbnail_is_upright() -> None:
    cleaned = clean_image(_photo_with_everything(orientation=6))
    assert b"PhoneMaker" not in cleaned.data
    with Image.open(io.BytesIO(cleaned.data)) as image:
        assert dict(image.getexif()) == {0x0112: 6}  # browsers turn it when they show it
    assert (cleaned.width, cleaned.height) == (240, 320)
    with Image.open(io.BytesIO(cleaned.thumbnail)) as thumb:
        assert thumb.size == (240, 320)


def test_a_photo_cut_short_is_refused() -> None:
    data = _photo_with_everything()
    scan = data.index(b"\xff\xda")
    with pytest.raises(ImageRefused, match="not a valid"):
        clean_image(data[: scan + 400])
