"""Sending to one WebSocket without letting a slow client hold up others or grow memory."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import weakref
from collections import deque
from collections.abc import Coroutine
from typing import Any, Protocol

import orjson
from aiohttp import WSCloseCode, WSMessage, WSMsgType, web
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError

from frontdesk.protocol.common import ErrorFrame

log = logging.getLogger("frontdesk.sockets")

# A client that has not read this much is too slow: we drop it and it resumes from the database
# on reconnect (nothing is lost, as every chat message is stored before it is sent). The bytes
# are those waiting in the queue and in the transport's buffer together.
MAX_QUEUED_FRAMES = 1000
MAX_BUFFERED_BYTES = 1 << 20
CLOSE_TOO_SLOW = 4408
# Frames to one socket in one loop turn are written together at the end of the turn, or at
# once when they reach this many bytes.
TURN_BYTES = 64 * 1024
# How long a close may wait for the client to read what is before the close frame and answer;
# then the connection is dropped (a client that stops reading would otherwise hold it, and the
# bytes waiting for it, for as long as TCP lets it).
CLOSE_TIMEOUT = 5.0
_CLOSED_TYPES = (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED)


class SocketSender(Protocol):
    """What a socket's session (ws_visitor.VisitorConnection) needs of its socket, whichever
    server carries it: FrameSender here (aiohttp), LeanSocket (transport/visitor_lean.py)."""

    closed: bool

    def send_bytes(self, data: bytes) -> None:
        """Queue one already-serialised text frame; dropped once the socket is closing."""

    def send(self, frame: dict[str, Any]) -> None:
        """Queue one frame as JSON text."""

    async def close(self, code: int = WSCloseCode.OK, message: bytes = b"") -> None:
        """Close after the frames already queued, from the socket's own handling."""

    def request_close(self, code: int, message: bytes = b"") -> None:
        """Close from elsewhere (a bus handler), after the frames already queued."""


class FrameSender:
    """A bounded queue per socket, drained by a task that exists only while there is work.

    Idle sockets (most visitors, most of the time) hold no task and no queue: just this small
    object. The queue exists only while frames wait (an empty deque is about 600 bytes, and
    issue 2 counts the bytes per idle socket).
    """

    __slots__ = (
        "_drainer",
        "_queue",
        "_queued_bytes",
        "_receiver",
        "_turn",
        "_ws",
        "close_request",
        "closed",
    )

    # What may wait unread before the client counts as too slow: a class attribute, so a
    # visitor's sender keeps no field for it (RepFrameSender raises it per socket).
    max_unread = MAX_BUFFERED_BYTES

    def __init__(self, ws: web.WebSocketResponse) -> None:
        self._ws = ws
        self._queue: deque[bytes] | None = None
        self._queued_bytes = 0  # the bytes in _queue
        self._drainer: asyncio.Future[Any] | None = None
        # Frames sent during this turn of the event loop, written together at its end.
        self._turn: list[bytes] | None = None
        self.closed = False
        # The socket's handler task while it waits in receive(), and a close asked for by
        # another task (see request_close).
        self._receiver: asyncio.Task[Any] | None = None
        self.close_request: tuple[int, bytes] | None = None

    async def receive(self) -> WSMessage | None:
        """The socket's next message, for its handler task; None once the socket is done: the
        client closed it, or another task asked to close it (request_close), in which case
        the close has been done here, by the handler task itself."""
        if self.close_request is None:
            self._receiver = task = asyncio.current_task()
            try:
                msg = await self._ws.receive()
            except asyncio.CancelledError:
                if self.close_request is None or task is None:
                    raise
                task.uncancel()
            finally:
                self._receiver = None
            if self.close_request is None:
                return None if msg.type in _CLOSED_TYPES else msg
        code, message = self.close_request
        await self.close(code=code, message=message)
        return None

    def request_close(self, code: int, message: bytes = b"") -> None:
        """Close from another task (a bus handler: the visitor was blocked, the rep signed
        out). aiohttp's close() called from a task other than the one waiting in receive()
        closes the TCP connection without waiting for the client's closing frame, so clients
        may see 1006 instead of the code. The handler task is woken instead and closes the
        socket itself, after the frames already queued (the 'blocked' frame, for one)."""
        if self.close_request is not None:
            return
        self.closed = True  # nothing new is sent; what is queued still goes out first
        self.close_request = (code, message)
        if self._receiver is not None:
            self._receiver.cancel()

    def send_bytes(self, data: bytes) -> None:
        """Queue one already-serialised text frame (the same bytes go to every recipient).

        Frames sent in the same turn of the event loop (the messages of one group commit,
        the events of one Redis read) go out in one write at the end of the turn: one system
        call, and one wake-up of the reader, instead of one per frame."""
        if self.closed:
            return
        queue = self._queue
        if (queue is not None and len(queue) >= MAX_QUEUED_FRAMES) or (
            self._queued_bytes + self._buffered() > self.max_unread
        ):
            self._cut_off()
            return
        self._queued_bytes += len(data)
        if self._drainer is None and not queue:
            turn = self._turn
            if turn is None:
                self._turn = [data]
                asyncio.get_running_loop().call_soon(self._write_turn)
            else:
                turn.append(data)
            if self._queued_bytes >= TURN_BYTES:
                self._write_turn()  # a burst, or a big frame: out now
            return
        self._enqueue([data])

    def _enqueue(self, frames: list[bytes]) -> None:
        """Behind a drainer (the transport is paused, or a write is suspended): in order."""
        queue = self._queue
        if queue is None:
            queue = self._queue = deque()
        queue.extend(frames)
        if self._drainer is None:
            self._drainer = asyncio.ensure_future(self._drain())

    def _write_turn(self) -> None:
        """End of the loop turn: the turn's frames in one write, or behind the queue."""
        frames = self._turn
        self._turn = None
        if not frames:
            return
        if self._drainer is None and not self._queue and self._write_now(frames):
            self._queued_bytes -= sum(map(len, frames))
            return
        self._enqueue(frames)

    def _cut_off(self) -> None:
        """The client is too far behind: drop what waits for it at once (that memory is the
        point) and close with 4408, dropping the connection if it does not read the close."""
        self.closed = True
        log.warning("closing a socket that reads too slowly")
        self._turn = None
        if self._queue is not None:
            self._queue.clear()  # a running drainer sees it empty and stops
        self._queued_bytes = 0
        self._drainer = asyncio.ensure_future(self._close_within(CLOSE_TOO_SLOW, b"too slow"))

    async def _close_within(self, code: int, message: bytes) -> None:
        """aiohttp's close() first waits for the transport to drain, and closing a transport
        waits for its buffer to be written, which a client that does not read never allows:
        whatever is still unwritten CLOSE_TIMEOUT from now is dropped, with the connection."""
        ws = self._ws
        transport = ws._req.transport if ws._req is not None else None
        if transport is not None:
            asyncio.get_running_loop().call_later(CLOSE_TIMEOUT, _abort_if_stuck, transport)
        with contextlib.suppress(Exception):
            await ws.close(code=code, message=message)

    def _write_now(self, frames: list[bytes]) -> bool:
        """Writes the frames at once when nothing waits before them and the transport takes
        data; False leaves them to be queued.

        Without compression a server's text frame is a header and the payload (RFC 6455 5.2,
        no mask), so the frames are put together here and handed to the transport in one
        write, as aiohttp's send_frame would write each (no task, no coroutine: a task per
        frame was about a tenth of a chat message's server time). A paused transport (its
        buffer is full) queues them for the drainer, which waits as send_frame does.
        """
        ws = self._ws
        writer = ws._writer
        if writer is None or writer.protocol._paused or ws.closed or writer.compress:
            return False
        transport = writer.transport
        if transport.is_closing():
            self.closed = True
            return True  # the connection is gone: nothing more can be sent
        if len(frames) == 1:
            transport.write(text_header(len(frames[0])) + frames[0])
        else:
            transport.write(
                b"".join([b for data in frames for b in (text_header(len(data)), data)])
            )
        return True

    def send(self, frame: dict[str, Any]) -> None:
        self.send_bytes(orjson.dumps(frame))

    def _buffered(self) -> int:
        transport = self._ws._req.transport if self._ws._req is not None else None
        return transport.get_write_buffer_size() if transport is not None else 0

    async def _drain(self) -> None:
        if self._queue is None:
            self._queue = deque()
        queue = self._queue
        try:
            while queue and not self._ws.closed:
                data = queue.popleft()
                self._queued_bytes -= len(data)
                await self._ws.send_frame(data, WSMsgType.TEXT)
        except (ConnectionResetError, RuntimeError, asyncio.CancelledError):
            self.closed = True
        finally:
            self._drainer = None
            if queue and not self._ws.closed and not self.closed:
                self._drainer = asyncio.ensure_future(self._drain())
            elif not queue and self._queue is queue:
                # Drained: drop the deque so an idle socket does not keep it.
                self._queue = None
                self._queued_bytes = 0

    async def close(self, code: int = WSCloseCode.OK, message: bytes = b"") -> None:
        """Close after the frames already queued are sent (a 'blocked' frame, for one)."""
        self.closed = True
        self._write_turn()  # this turn's frames go before the close frame
        drainer = self._drainer
        if drainer is not None and not drainer.done():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(drainer), timeout=2)
        await self._close_within(code, message)


class RepFrameSender(FrameSender):
    """A console's sender. Its snapshot carries every visitor on the live stream (~750 bytes
    each: about 4 MB with 5,000 of them), alone more than MAX_BUFFERED_BYTES. A console on a
    slow link still reading it got cut off by the next small frame (the snapshot's unread bytes
    counted against the limit), reconnected, got the snapshot again, and never went live. So
    what may wait unread is the last snapshot's size on top of the usual limit: a console that
    stops reading is still cut off, one snapshot later."""

    __slots__ = ("max_unread",)

    def __init__(self, ws: web.WebSocketResponse) -> None:
        super().__init__(ws)
        self.max_unread = MAX_BUFFERED_BYTES

    def send_snapshot(self, data: bytes) -> None:
        self.max_unread = MAX_BUFFERED_BYTES + len(data)
        self.send_bytes(data)


def text_header(length: int) -> bytes:
    """The header of an unmasked, final text frame (RFC 6455 5.2) of `length` bytes."""
    if length < 126:
        return bytes((0x81, length))
    if length < 1 << 16:
        return bytes((0x81, 126)) + length.to_bytes(2, "big")
    return bytes((0x81, 127)) + length.to_bytes(8, "big")


def _abort_if_stuck(transport: asyncio.BaseTransport) -> None:
    if isinstance(transport, asyncio.WriteTransport) and transport.get_write_buffer_size():
        log.warning("dropping a connection that did not read its close frame")
        transport.abort()


def close_code_for_failure() -> int:
    """1013 (try again later) when the database is overloaded, else 1011 (server error)."""
    exc = sys.exc_info()[1]
    if isinstance(exc, SQLAlchemyTimeoutError):
        return WSCloseCode.TRY_AGAIN_LATER
    return WSCloseCode.INTERNAL_ERROR


def error_frame(
    code: str, message: str, ref: str | None = None, frame_type: str | None = None
) -> dict[str, Any]:
    return ErrorFrame(code=code, message=message, ref=ref, frame_type=frame_type).to_frame()


# Every open socket of this process, so shutdown can say "going away" (1001) at once and
# clients reconnect to another process instead of waiting for a dead one.
OPEN_SOCKETS_KEY = web.AppKey("open_sockets", weakref.WeakSet[web.WebSocketResponse])


async def close_all(app: web.Application) -> None:
    open_sockets = app[OPEN_SOCKETS_KEY]
    sockets = list(open_sockets)
    if sockets:
        await asyncio.wait(
            [
                asyncio.ensure_future(
                    ws.close(code=WSCloseCode.GOING_AWAY, message=b"server restarting")
                )
                for ws in sockets
            ],
            timeout=2,
        )


# Cleanups still running after their socket handler was cancelled (kept so they are not
# garbage-collected half-way).
_FINISHING: set[asyncio.Task[None]] = set()


async def run_to_completion(cleanup: Coroutine[Any, Any, None]) -> None:
    """Runs a socket's cleanup to the end even if its handler is cancelled meanwhile.

    aiohttp cancels a WebSocket handler once its connection is gone (seen on Python 3.13 after
    a client's close): a cleanup cancelled at its first real await (Redis) left the visitor
    "on the site" in every console, and its live state in Redis, until expiry. The cleanup runs
    as its own task behind a shield; the handler may still be cancelled, the cleanup is not.
    """
    task = asyncio.ensure_future(cleanup)
    _FINISHING.add(task)
    task.add_done_callback(_FINISHING.discard)
    await asyncio.shield(task)
