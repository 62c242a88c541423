"""multipart/form-data request bodies read as they arrive, the file's bytes never copied on the
event loop.

aiohttp's BodyPartReader copies every byte of a part three times on the event loop: a slice of
its buffer, then a window of the previous and the current chunk in which it looks for the
boundary. For 20 uploaders sending 5 MB photos that was the largest share of the loop's upload
work (py-spy of bench/file_upload.py --mode sustained, 2026-12-06: 125 of 347 samples in the
upload handler, most of the rest the per-chunk steps around it). This reader looks for the
boundary in the chunks as aiohttp's HTTP parser delivered them (`bytes.find`, which only reads)
and hands the part's bytes on as views of those chunks; the only bytes it copies are the few at
the end of a chunk that could be the start of the boundary, and the parts' header lines.

The reader takes the body's chunks through a function it is given (transport/api_files.py takes
them from aiohttp's StreamReader in paced steps of its upload lane, and waits for them outside
it), and only when it needs the next one, so aiohttp's flow control (it stops reading the socket
while a body's unread bytes pile up) works as before.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp.multipart import (
    BadContentDispositionHeader,
    BadContentDispositionParam,
    content_disposition_filename,
    parse_content_disposition,
)

# RFC 2046: a boundary is 1-70 characters (no CR or LF, which a header value cannot hold).
BOUNDARY_MAX = 70
# A part's header lines together, and the junk a sender may put before the first boundary (the
# "preamble", which browsers leave empty): more is refused, not read on.
HEADERS_MAX = 16 * 1024
PREAMBLE_MAX = 16 * 1024

_BOUNDARY = re.compile(r';\s*boundary\s*=\s*(?:"([^"\r\n]*)"|([^\s;",]*))', re.IGNORECASE)

Piece = bytes | memoryview
# The body's next chunk, as StreamReader.readchunk gives it: (b"", False) once the body has
# ended; (b"", True) only marks where a chunk of a chunked body ended.
TakeChunk = Callable[[], Awaitable[tuple[bytes, bool]]]


class MalformedForm(ValueError):
    """What is wrong with the body, in words for the sender."""


def form_boundary(content_type: str) -> bytes:
    """The boundary a `multipart/form-data; boundary=...` Content-Type names."""
    match = _BOUNDARY.search(content_type)
    if match is None:
        raise MalformedForm("its Content-Type names no boundary")
    boundary = match.group(1) if match.group(1) is not None else match.group(2)
    if not boundary or not boundary.isascii():
        raise MalformedForm("its Content-Type's boundary is empty or not ASCII")
    if len(boundary) > BOUNDARY_MAX:
        raise MalformedForm(f"its boundary is over {BOUNDARY_MAX} characters (RFC 2046)")
    return boundary.encode("ascii")


@dataclass(frozen=True, slots=True)
class PartHead:
    """A part's headers: the form field's name, the file's name (for a file), its type."""

    name: str | None
    filename: str | None
    content_type: str


def _piece(block: bytes, start: int, end: int) -> Piece:
    if start == 0 and end == len(block):
        return block
    return memoryview(block)[start:end]


class FormReader:
    """Reads the parts of a multipart/form-data body one after the other: `next_part()` gives
    a part's headers (None after the last), then `read()` its bytes piece by piece (b"" at its
    end). A piece is a view of a chunk as it arrived; it stays valid after the next read."""

    def __init__(self, take: TakeChunk, boundary: bytes) -> None:
        self._take = take
        self._delimiter = b"\r\n--" + boundary
        self._block = b""  # the chunk being read
        self._pos = 0  # how far into it
        # The end of the previous chunk, when it could be the start of the delimiter: it is
        # the part's data only once the next chunk shows it is not.
        self._carry = b""
        self._ready: list[Piece] = []  # pieces found, not yet handed out
        self._in_part = False
        self._started = False
        self._done = False

    async def _fill(self) -> bool:
        """The next chunk of the body into `_block`; False when the body has ended."""
        while True:
            chunk, end_of_http_chunk = await self._take()
            if chunk:
                self._block, self._pos = chunk, 0
                return True
            if not end_of_http_chunk:
                return False

    async def read(self) -> Piece:
        """The current part's next bytes; b"" once the part has ended."""
        while not self._ready:
            if not self._in_part:
                return b""
            if self._pos < len(self._block):
                self._scan()
                continue
            if not await self._fill():
                raise MalformedForm("it ended before its closing boundary")
            self._scan()
        return self._ready.pop(0)

    def _scan(self) -> None:
        """Finds the current part's bytes in what is left of the chunk: up to the delimiter
        (which ends the part), or up to the chunk's end but for a last few bytes that may be
        the delimiter's start (kept in `_carry` until the next chunk tells)."""
        block, pos, delimiter = self._block, self._pos, self._delimiter
        if self._carry:
            rest = delimiter[len(self._carry) :]
            have = len(block) - pos
            if have < len(rest) and block.startswith(rest[:have], pos):
                self._carry += block[pos:]
                self._pos = len(block)
                return
            if block.startswith(rest, pos):
                self._carry = b""
                self._pos = pos + len(rest)
                self._in_part = False
                return
            # Not the delimiter after all: the part's data. The delimiter has one CR, its first
            # byte, and the carry starts with it, so no later byte of the carry can start one.
            self._ready.append(self._carry)
            self._carry = b""
        found = block.find(delimiter, pos)
        if found >= 0:
            if found > pos:
                self._ready.append(_piece(block, pos, found))
            self._pos = found + len(delimiter)
            self._in_part = False
            return
        end = len(block)
        cr = block.find(b"\r", max(pos, end - len(delimiter) + 1))
        while cr >= 0:
            if delimiter.startswith(block[cr:]):
                end = cr
                break
            cr = block.find(b"\r", cr + 1)
        if end > pos:
            self._ready.append(_piece(block, pos, end))
        self._carry = block[end:]
        self._pos = len(block)

    async def _line(self, limit: int, too_long: str) -> bytes | None:
        """The next line (without its CRLF), at most `limit` bytes; the body's last bytes
        when it ends without a line end; None when nothing is left."""
        line = b""
        while True:
            if self._pos >= len(self._block) and not await self._fill():
                return line or None
            end = self._block.find(b"\n", self._pos)
            stop = len(self._block) if end < 0 else end
            line += self._block[self._pos : stop]
            if len(line) > limit:
                raise MalformedForm(too_long)
            if end >= 0:
                self._pos = end + 1
                return line.removesuffix(b"\r")
            self._pos = stop

    async def next_part(self) -> PartHead | None:
        """The next part's headers, or None after the last part."""
        if self._done:
            return None
        while await self.read():  # what the caller left of the part before
            pass
        if not self._started:
            self._started = True
            await self._skip_preamble()
        after = await self._line(1024, "the line after a boundary is over 1024 bytes")
        if after is None:
            raise MalformedForm("it ended before its closing boundary")
        if after.startswith(b"--"):
            self._done = True
            return None
        if after.strip(b" \t"):
            raise MalformedForm("a boundary is followed by something other than a line end")
        headers: dict[str, str] = {}
        room = HEADERS_MAX
        while line := await self._line(
            max(room, 0), f"a part's headers are over {HEADERS_MAX} bytes"
        ):
            room -= len(line) + 2
            name, colon, value = line.partition(b":")
            if not colon or not name.strip():
                raise MalformedForm("a part's header line has no name")
            headers[name.strip().decode("latin-1").lower()] = value.strip().decode(
                "utf-8", "replace"
            )
        if line is None:
            raise MalformedForm("it ended inside a part's headers")
        self._in_part = True
        with warnings.catch_warnings():
            # A header aiohttp cannot read is a part without a name (refused by the caller).
            warnings.simplefilter("ignore", BadContentDispositionHeader)
            warnings.simplefilter("ignore", BadContentDispositionParam)
            _, params = parse_content_disposition(headers.get("content-disposition"))
            filename = content_disposition_filename(params, "filename")
        return PartHead(params.get("name"), filename, headers.get("content-type", "text/plain"))

    async def _skip_preamble(self) -> None:
        """Reads up to the first boundary. The body is read as if it began with a line end, so
        a boundary on its very first line is found like any other."""
        self._carry, self._in_part = b"\r\n", True
        skipped = 0
        try:
            while piece := await self.read():
                skipped += len(piece)
                if skipped > PREAMBLE_MAX:
                    raise MalformedForm("it does not start with its boundary")
        except MalformedForm:
            raise MalformedForm("it does not start with its boundary") from None
