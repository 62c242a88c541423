"""The messenger's and the console's uploads are multipart/form-data bodies read as they arrive
(transport/multipart_form.py): the file's bytes come out exactly as sent however the network
cut them into chunks, and a body that is not a well-formed form is refused with the reason."""

from __future__ import annotations

import itertools
import random

import pytest

from frontdesk.transport.multipart_form import (
    PREAMBLE_MAX,
    FormReader,
    MalformedForm,
    PartHead,
    form_boundary,
)

BOUNDARY = "----WebKitFormBoundaryX3bY7Kq9"


class Chunks:
    """A request body as the network delivers it: these chunks, one per read."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = list(chunks)
        self.reads = 0

    async def readchunk(self) -> tuple[bytes, bool]:
        self.reads += 1
        if self.chunks:
            return self.chunks.pop(0), False
        return b"", False


def cut(body: bytes, at: list[int]) -> list[bytes]:
    points = [0, *sorted(set(at)), len(body)]
    return [body[a:b] for a, b in itertools.pairwise(points) if b > a]


def form(client_id: bytes, name: str, data: bytes, boundary: str = BOUNDARY) -> bytes:
    """What a browser sends for the messenger's upload."""
    return (
        f'--{boundary}\r\nContent-Disposition: form-data; name="client_id"\r\n\r\n'.encode()
        + client_id
        + f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{name}"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )


async def parts_of(chunks: list[bytes], boundary: str = BOUNDARY) -> list[tuple[PartHead, bytes]]:
    reader = FormReader(Chunks(chunks).readchunk, boundary.encode())
    parts = []
    while (head := await reader.next_part()) is not None:
        data = b""
        while piece := await reader.read():
            data += piece
        parts.append((head, data))
    return parts


def tricky_file(rng: random.Random) -> bytes:
    """Binary data full of what looks like the start of the boundary: CR, CRLF, "--", and
    every prefix of the delimiter, without the whole of it."""
    delimiter = f"\r\n--{BOUNDARY}".encode()
    pieces = []
    for _ in range(200):
        pieces.append(rng.randbytes(rng.randrange(0, 40)))
        pieces.append(delimiter[: rng.randrange(1, len(delimiter))])
        pieces.append(rng.choice([b"\r", b"\r\n", b"\r\n-", b"\r\r\n--", b"-"]))
    data = b"".join(pieces)
    assert delimiter not in data
    return data


async def test_a_file_comes_out_as_sent_however_the_network_cut_its_body() -> None:
    rng = random.Random(7)
    data = tricky_file(rng)
    body = form(b"c-17", "IMG_0001.jpg", data)
    # Many cuts, so that chunks end in the file's look-alikes of the delimiter ...
    cuttings = [[]] + [
        sorted(rng.sample(range(1, len(body)), rng.randrange(1, 400))) for _ in range(150)
    ]
    # ... and every single cut within and around each real one.
    at = -1
    while (at := body.find(f"--{BOUNDARY}".encode(), at + 1)) >= 0:
        cuttings += [[at + k] for k in range(-3, len(BOUNDARY) + 8)]
    for at in cuttings:
        parts = await parts_of(cut(body, [a for a in at if 0 < a < len(body)]))
        assert [(p.name, p.filename, d) for p, d in parts] == [
            ("client_id", None, b"c-17"),
            ("file", "IMG_0001.jpg", data),
        ], at


async def test_a_chunk_is_handed_on_as_it_arrived_without_a_copy() -> None:
    data = random.Random(1).randbytes(256 * 1024)
    body = form(b"c1", "a.bin", data)
    head_end = body.index(b"\r\n\r\n", body.index(b'name="file"')) + 4
    # The file's bytes arrive as one chunk of their own, as aiohttp's parser delivers them.
    chunks = [body[:head_end], data, body[head_end + len(data) :]]
    reader = FormReader(Chunks(chunks).readchunk, BOUNDARY.encode())
    assert (await reader.next_part()) is not None
    while await reader.read():
        pass
    assert (await reader.next_part()) == PartHead("file", "a.bin", "image/jpeg")
    first = await reader.read()
    # Not the delimiter, so all of it goes on at once: the very object that arrived.
    assert first is data or (isinstance(first, memoryview) and first.obj is data)
    assert bytes(first) == data
    assert await reader.read() == b""
    assert await reader.next_part() is None


async def test_a_preamble_and_an_epilogue_are_skipped_and_rfc_5987_names_are_read() -> None:
    body = (
        b"This is the preamble.\r\n"
        + f"--{BOUNDARY}\r\n".encode()
        + b"Content-Disposition: form-data; name=\"file\"; filename*=UTF-8''na%C3%AFve%20plan.pdf"
        + b"\r\n\r\n%PDF-1.7\r\n"
        + f"--{BOUNDARY}--\r\nand an epilogue".encode()
    )
    parts = await parts_of(cut(body, [3, 30, 31]))
    assert [(p.name, p.filename, d) for p, d in parts] == [("file", "naïve plan.pdf", b"%PDF-1.7")]
    # A browser sends a name as UTF-8 between quotes.
    chrome = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
        'filename="Angebot Müller 😀.pdf"\r\n\r\n%PDF\r\n'
        f"--{BOUNDARY}--\r\n"
    ).encode()
    assert [(p.filename, d) for p, d in await parts_of([chrome])] == [
        ("Angebot Müller 😀.pdf", b"%PDF")
    ]
    # The closing boundary may also be the body's very last bytes.
    parts = await parts_of([body[: body.index(b"--\r\nand")] + b"--"])
    assert [d for _, d in parts] == [b"%PDF-1.7"]


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"this is not where the boundary is\r\n", "does not start with its boundary"),
        (b"x" * (PREAMBLE_MAX + 10), "does not start with its boundary"),
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="client_id"\r\n\r\nc1\r\n'
            "--wrong\r\n".encode(),
            "ended before its closing boundary",
        ),
        (f"--{BOUNDARY}".encode(), "ended before its closing boundary"),
        (f"--{BOUNDARY}junk\r\n\r\n".encode(), "followed by something other than a line end"),
        (f"--{BOUNDARY}\r\nno colon here\r\n\r\n".encode(), "header line has no name"),
        (f"--{BOUNDARY}\r\nX-A: b\r\n".encode(), "ended inside a part's headers"),
        (f"--{BOUNDARY}\r\nX-A: {'b' * 17000}\r\n\r\n".encode(), "headers are over 16384 bytes"),
        (
            f"--{BOUNDARY}\r\n".encode() + b"X-A: b\r\n" * 2400 + b"\r\n",
            "headers are over 16384 bytes",
        ),
    ],
)
async def test_a_body_that_is_not_a_well_formed_form_is_refused_with_the_reason(
    body: bytes, why: str
) -> None:
    with pytest.raises(MalformedForm, match=why):
        await parts_of(cut(body, [5, 40]))


async def test_a_long_body_with_no_boundary_is_refused_without_reading_all_of_it() -> None:
    source = Chunks([b"x" * 1024] * 10_000)
    reader = FormReader(source.readchunk, BOUNDARY.encode())
    with pytest.raises(MalformedForm, match="does not start with its boundary"):
        await reader.next_part()
    assert source.reads <= PREAMBLE_MAX // 1024 + 2


@pytest.mark.parametrize(
    ("content_type", "boundary"),
    [
        (f"multipart/form-data; boundary={BOUNDARY}", BOUNDARY),
        ('multipart/form-data; BOUNDARY="with space and : colon"', "with space and : colon"),
        ("multipart/form-data;boundary=abc; charset=utf-8", "abc"),
    ],
)
def test_the_boundary_is_read_from_the_content_type(content_type: str, boundary: str) -> None:
    assert form_boundary(content_type) == boundary.encode()


@pytest.mark.parametrize(
    ("content_type", "why"),
    [
        ("multipart/form-data", "names no boundary"),
        ("multipart/form-data; boundary=", "empty or not ASCII"),
        ("multipart/form-data; boundary=grüße", "empty or not ASCII"),
        (f"multipart/form-data; boundary={'b' * 71}", "over 70 characters"),
    ],
)
def test_a_missing_or_bad_boundary_is_refused(content_type: str, why: str) -> None:
    with pytest.raises(MalformedForm, match=why):
        form_boundary(content_type)
