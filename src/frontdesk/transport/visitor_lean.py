"""The visitor socket on a lean protocol of our own (FRONTDESK_VISITOR_SOCKET_SERVER=lean).

Why: the visitor socket is the one thousands of browsers hold open doing nothing, and
aiohttp's own state per WebSocket (request, response, reader, writer, parser, payload and the
handler's task) costs about 15 KiB per idle socket where Node's `ws` costs under 6 (issue 21,
bench/ws_server_floor.py). Here an idle visitor socket is one slotted asyncio.Protocol, a
`wsproto` frame decoder and the session (ws_visitor.VisitorConnection): no task, no queue, no
timer.

How it shares the port with aiohttp: every connection starts with a Sniffer, which reads
the request head. A valid WebSocket handshake for /ws/visitor becomes a LeanSocket; anything
else, and any handshake that fails a check (unknown site, origin, blocked, too many sockets
from the address, a malformed handshake, the database down), is handed with the bytes read so
far to aiohttp's RequestHandler, which serves it as it always did, answer and all: the
visitor route stays registered in aiohttp, so a refusal is exactly aiohttp's (for a refused
handshake the checks are made twice: refusals are rare and cheap next to a welcome).

What a LeanSocket does per frame is VisitorConnection's (shared with the aiohttp route);
this module only frames bytes: frames arrive in data_received, in order; while one is
handled (a database write), later ones wait in a small inbox (reading pauses when it fills)
and a task exists only while there is work. Frames out are written to the transport at once
(its buffer is the queue); a client whose unread bytes pass sockets.MAX_BUFFERED_BYTES is
closed with 4408, as with aiohttp, and a client that stops reading stops being read.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import logging
from collections import deque
from typing import Any, Final

import orjson
from aiohttp import WSCloseCode, web
from multidict import CIMultiDict
from wsproto.connection import Connection, ConnectionState, ConnectionType
from wsproto.events import BytesMessage, CloseConnection, Ping, TextMessage
from yarl import URL

from frontdesk.core.metrics import count_error
from frontdesk.runtime import Runtime
from frontdesk.transport.http import RUNTIME_KEY, client_ip_from, request_id_from
from frontdesk.transport.sockets import (
    CLOSE_TIMEOUT,
    CLOSE_TOO_SLOW,
    MAX_BUFFERED_BYTES,
    close_code_for_failure,
)
from frontdesk.transport.visitor_limits import visitor_limits
from frontdesk.transport.ws_visitor import (
    _OPEN,
    HELLO_TIMED_OUT,
    HELLO_TIMEOUT,
    MAX_FRAME_BYTES,
    REGISTRY_KEY,
    Admitted,
    VisitorConnection,
    admit,
    handshake_problem,
)

log = logging.getLogger("frontdesk.ws.visitor")

PATH: Final = b"/ws/visitor"
# The request head may be this long (aiohttp's own limits are 8 KiB a line and a field);
# a longer one is aiohttp's to refuse.
MAX_HEAD_BYTES: Final = 16 * 1024
# Frames that wait while an earlier one is handled; past this the socket is not read.
MAX_INBOX: Final = 32
_WS_GUID: Final = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_TOKEN_CHARS: Final = frozenset(b"!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz") | frozenset(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
)


# ---- the shared port --------------------------------------------------------------------------


class LeanSockets:
    """This process's lean visitor sockets, and what they share (one per app)."""

    __slots__ = ("all_gone", "app", "limits", "registry", "runtime", "server", "sockets")

    def __init__(self, app: web.Application, server: web.Server) -> None:
        self.app = app
        self.runtime: Runtime = app[RUNTIME_KEY]
        self.registry = app[REGISTRY_KEY]
        self.limits = visitor_limits(self.runtime)
        self.server = server
        # Every lean socket from its handshake until its session is cleaned up.
        self.sockets: set[LeanSocket] = set()
        self.all_gone: asyncio.Event | None = None  # set at shutdown once sockets is empty

    def hand_to_aiohttp(self, transport: asyncio.Transport, data: bytes) -> None:
        """aiohttp serves this connection from here on, starting with `data`."""
        handler = web.Server.__call__(self.server)
        transport.set_protocol(handler)
        handler.connection_made(transport)
        if data:
            handler.data_received(data)

    async def close_all(self, _app: web.Application) -> None:
        """Shutdown: every lean socket is told 1001 (going away) and its session cleaned up
        before the app's database and bus close (up to a few seconds)."""
        for sock in list(self.sockets):
            sock.request_close(WSCloseCode.GOING_AWAY, b"server restarting")
        if self.sockets:
            self.all_gone = asyncio.Event()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.all_gone.wait(), 2 * CLOSE_TIMEOUT)

    def discard(self, sock: LeanSocket) -> None:
        self.sockets.discard(sock)
        if not self.sockets and self.all_gone is not None:
            self.all_gone.set()


class _SniffingServer(web.Server):
    """aiohttp's Server whose connections start with a Sniffer (see make_runner)."""

    lean: LeanSockets

    def __call__(self) -> Sniffer:  # type: ignore[override]
        return Sniffer(self.lean)


class LeanAppRunner(web.AppRunner):
    """An AppRunner whose server serves /ws/visitor handshakes with LeanSocket."""

    def __init__(self, app: web.Application, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self._lean: LeanSockets | None = None
        app.on_shutdown.append(self._close_lean)

    async def _close_lean(self, app: web.Application) -> None:
        if self._lean is not None:
            await self._lean.close_all(app)

    async def _make_server(self) -> web.Server:
        server = await super()._make_server()
        # The same object with a different __call__ (the protocol factory every site uses):
        # aiohttp builds its Server inside the app, with its private arguments.
        server.__class__ = _SniffingServer
        assert isinstance(server, _SniffingServer)
        server.lean = self._lean = LeanSockets(self.app, server)
        return server


def make_runner(app: web.Application, **kwargs: Any) -> web.AppRunner:
    """The app's runner, serving visitor sockets as FRONTDESK_VISITOR_SOCKET_SERVER says."""
    if app[RUNTIME_KEY].settings.visitor_socket_server == "lean":
        return LeanAppRunner(app, **kwargs)
    return web.AppRunner(app, **kwargs)


class Sniffer(asyncio.Protocol):
    """The start of every connection: reads the request head, then hands the connection to a
    LeanSocket (a visitor socket handshake) or to aiohttp (anything else)."""

    __slots__ = ("_buffer", "_lean", "_timer", "_transport")

    def __init__(self, lean: LeanSockets) -> None:
        self._lean = lean
        self._transport: asyncio.Transport | None = None
        self._buffer = b""
        self._timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        # aiohttp's header timeout (FRONTDESK_HTTP_HEADER_TIMEOUT, its keepalive_timeout)
        # starts when its handler gets the connection: until then, the same limit here, so a
        # client that trickles a head (or sends nothing) holds no socket.
        self._timer = asyncio.get_running_loop().call_later(
            self._lean.runtime.settings.http_header_timeout, self._too_slow
        )

    def _too_slow(self) -> None:
        self._timer = None
        if self._transport is not None:
            self._transport.close()
            self._transport = None
            self._buffer = b""

    def _done(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def data_received(self, data: bytes) -> None:
        transport = self._transport
        if transport is None:
            return  # closed for being too slow
        buffer = self._buffer + data
        self._buffer = buffer
        start = b"GET " + PATH
        if not buffer.startswith(start[: len(buffer)]) or (
            len(buffer) > len(start) and buffer[len(start)] not in b"? "
        ):
            self._hand_off(buffer)
            return
        end = buffer.find(b"\r\n\r\n")
        if end == -1:
            if len(buffer) > MAX_HEAD_BYTES:
                self._hand_off(buffer)
            return
        head = parse_handshake(buffer[: end + 2])
        if head is None:
            self._hand_off(buffer)
            return
        self._buffer = b""
        self._done()
        sock = LeanSocket(self._lean, transport)
        transport.set_protocol(sock)
        sock.start(head, buffer[: end + 4], buffer[end + 4 :])

    def _hand_off(self, buffer: bytes) -> None:
        transport = self._transport
        assert transport is not None
        self._buffer = b""
        self._done()
        self._lean.hand_to_aiohttp(transport, buffer)

    def eof_received(self) -> bool | None:
        # A client that stopped sending before its head was complete: aiohttp answers it.
        if self._buffer and self._transport is not None:
            self._hand_off(self._buffer)
            return True
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        self._buffer = b""
        self._done()


class Handshake:
    """What a visitor socket handshake says that the socket needs."""

    __slots__ = ("accept", "headers", "site_key")

    def __init__(self, headers: CIMultiDict[str], site_key: str, accept: bytes) -> None:
        self.headers = headers
        self.site_key = site_key
        self.accept = accept


def parse_handshake(head: bytes) -> Handshake | None:
    """A request head (through the last header's CRLF) that is exactly a WebSocket
    handshake for /ws/visitor, else None (aiohttp then serves it: its answers, 400 with the
    reason for a malformed handshake, are the ones clients have always had)."""
    lines = head.split(b"\r\n")
    request_line = lines[0].split(b" ")
    if len(request_line) != 3 or request_line[0] != b"GET" or request_line[2] != b"HTTP/1.1":
        return None
    target = request_line[1]
    if not (target == PATH or target.startswith(PATH + b"?")):
        return None
    headers: CIMultiDict[str] = CIMultiDict()
    for line in lines[1:]:
        if not line:
            continue
        name, colon, value = line.partition(b":")
        if not colon or not name or not _TOKEN_CHARS.issuperset(name):
            return None  # obsolete line folding, a space before the colon, junk: aiohttp's
        headers.add(name.decode("ascii"), value.strip(b" \t").decode("utf-8", "surrogateescape"))
    if headers.get("Content-Length", "0") != "0" or "Transfer-Encoding" in headers:
        return None
    for single in ("Upgrade", "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Host"):
        if len(headers.getall(single, ())) > 1:
            return None
    if handshake_problem(headers) is not None:
        return None
    try:
        site_key = URL(target.decode("ascii")).query.get("site", "")
    except (UnicodeDecodeError, ValueError):
        return None
    key = headers["Sec-WebSocket-Key"].encode()
    accept = base64.b64encode(hashlib.sha1(key + _WS_GUID).digest())  # noqa: S324
    return Handshake(headers, site_key, accept)


# ---- one visitor socket -----------------------------------------------------------------------

# Why reading is paused (both may hold at once).
_PAUSED_INBOX: Final = 1
_PAUSED_WRITING: Final = 2


class LeanSocket(asyncio.Protocol):
    """One visitor socket: the handshake's checks, then its frames to and from its session.

    Also the session's SocketSender (send_bytes, send, close, request_close)."""

    __slots__ = (
        "_hello_pending",
        "_inbox",
        "_lean",
        "_message",
        "_message_size",
        "_paused",
        "_timer",
        "_transport",
        "_worker",
        "_ws",
        "closed",
        "connection",
        "greeting",
        "ip",
        "lost",
    )

    def __init__(self, lean: LeanSockets, transport: asyncio.Transport) -> None:
        self._lean = lean
        self._transport = transport
        self._ws: Connection | None = None
        self.connection: VisitorConnection | None = None
        self.ip: str | None = None
        # The handshake's User-Agent and Accept-Language, kept until the hello is handled.
        self.greeting: tuple[str | None, str | None] | None = None
        self._hello_pending = True
        # Frames waiting for the session while it handles an earlier one (None: binary).
        self._inbox: deque[str | object | None] | None = None
        self._worker: asyncio.Task[None] | None = None
        # A message arriving in several pieces (fragments, or a frame read in parts).
        self._message: list[str] | None = None
        self._message_size = 0
        self._timer: asyncio.TimerHandle | None = None
        self._paused = 0
        self.closed = False  # nothing more is sent
        self.lost = False

    # ---- handshake --------------------------------------------------------------------------

    def start(self, head: Handshake, raw_head: bytes, rest: bytes) -> None:
        lean = self._lean
        peer = self._transport.get_extra_info("peername")
        remote = peer[0] if isinstance(peer, tuple) and peer else None
        self.ip = client_ip_from(remote, head.headers, lean.runtime)
        # As aiohttp's middleware does for every answer (a trusted proxy's, or a new one).
        request_id = request_id_from(remote, head.headers, lean.runtime)
        try:
            lean.limits.open_socket(self.ip)
        except web.HTTPTooManyRequests:
            lean.hand_to_aiohttp(self._transport, raw_head + rest)
            return
        # Nothing is read while the checks run (a client may send nothing before the 101).
        self._transport.pause_reading()
        self._worker = asyncio.ensure_future(self._admit(head, raw_head, rest, request_id))

    async def _admit(self, head: Handshake, raw_head: bytes, rest: bytes, request_id: str) -> None:
        lean = self._lean
        try:
            admitted = await admit(lean.registry, self.ip, head.site_key, head.headers)
        except asyncio.CancelledError:
            raise
        except Exception:
            # Refused, or the database is away: aiohttp makes the same checks and answers.
            lean.limits.close_socket(self.ip)
            self._worker = None
            if not self.lost:
                lean.hand_to_aiohttp(self._transport, raw_head + rest)
                self._transport.resume_reading()
            return
        self._worker = None
        if self.lost:
            lean.limits.close_socket(self.ip)
            return
        self._open(head, admitted, rest, request_id)

    def _open(self, head: Handshake, admitted: Admitted, rest: bytes, request_id: str) -> None:
        lean = self._lean
        self._transport.write(
            b"HTTP/1.1 101 Switching Protocols\r\n"
            b"Upgrade: websocket\r\nConnection: upgrade\r\n"
            b"Sec-WebSocket-Accept: " + head.accept + b"\r\n"
            b"X-Content-Type-Options: nosniff\r\n"
            b"X-Request-Id: " + request_id.encode() + b"\r\n\r\n"
        )
        self.greeting = (head.headers.get("User-Agent"), head.headers.get("Accept-Language"))
        self.connection = VisitorConnection(
            admitted.registry,
            lean.runtime,
            admitted.org,
            self,
            ip=self.ip,
            tracked=admitted.tracked,
        )
        lean.sockets.add(self)
        _OPEN.inc()
        self._ws = Connection(ConnectionType.SERVER)
        self._timer = asyncio.get_running_loop().call_later(HELLO_TIMEOUT, self._hello_late)
        self._transport.resume_reading()
        if rest:
            self.data_received(rest)

    def _hello_late(self) -> None:
        self._timer = None
        if self.connection is not None and not self.closed and self._hello_pending:
            self._deliver(HELLO_TIMED_OUT)

    # ---- frames in ----------------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        ws = self._ws
        if ws is None or ws.state is ConnectionState.CLOSED:
            return  # before the handshake is answered nothing may come; after a close, nothing
        ws.receive_data(data)
        for event in ws.events():
            if isinstance(event, TextMessage | BytesMessage):
                self._piece(event)
            elif isinstance(event, Ping):
                if ws.state is ConnectionState.OPEN:
                    self._transport.write(ws.send(event.response()))
            elif isinstance(event, CloseConnection):
                self._closed_by_client(ws, event)
                return

    def _piece(self, event: TextMessage | BytesMessage) -> None:
        if self.closed:
            return
        data = event.data
        # Bytes, as aiohttp's max_msg_size counts (a character is at most 4 of them).
        size = self._message_size + (
            len(data.encode()) if isinstance(data, str) and len(data) * 4 > 4096 else len(data)
        )
        if size > MAX_FRAME_BYTES:
            # aiohttp's max_msg_size: 1009, and the frame is dropped.
            self._message = None
            self._message_size = 0
            self._close_now(
                WSCloseCode.MESSAGE_TOO_BIG,
                f"Message size {size} exceeds limit {MAX_FRAME_BYTES}".encode(),
            )
            return
        if isinstance(event, BytesMessage):
            if event.message_finished:
                self._message, self._message_size = None, 0
                self._deliver(None)
            else:
                self._message, self._message_size = [], size
            return
        text = event.data
        if not event.message_finished:
            if self._message is None:
                self._message = []
            self._message.append(text)
            self._message_size = size
            return
        if self._message:
            self._message.append(text)
            text = "".join(self._message)
        self._message, self._message_size = None, 0
        self._deliver(text)

    def _closed_by_client(self, ws: Connection, event: CloseConnection) -> None:
        if ws.state is ConnectionState.REMOTE_CLOSING:
            self._transport.write(ws.send(event.response()))
        elif ws.state is ConnectionState.OPEN:
            # A frame wsproto could not parse: it says the code (1002, 1007) and the reason.
            self._transport.write(ws.send(CloseConnection(event.code, event.reason)))
        self.closed = True
        self._transport.close()

    def _deliver(self, item: str | object | None) -> None:
        if self._hello_pending and self._timer is not None:
            self._timer.cancel()  # the hello's timer (a later timer is a close's)
            self._timer = None
        inbox = self._inbox
        if inbox is None:
            inbox = self._inbox = deque()
        inbox.append(item)
        if len(inbox) >= MAX_INBOX:
            self._pause(_PAUSED_INBOX)
        if self._worker is None:
            self._worker = asyncio.ensure_future(self._work())

    async def _work(self) -> None:
        connection = self.connection
        inbox = self._inbox
        assert connection is not None and inbox is not None
        try:
            while inbox and not self.closed:
                item = inbox.popleft()
                if len(inbox) < MAX_INBOX // 2:
                    self._resume(_PAUSED_INBOX)
                if self._hello_pending:
                    # The first frame is the hello.
                    self._hello_pending = False
                    greeting, self.greeting = self.greeting, None
                    user_agent, accept_language = greeting or (None, None)
                    if not await connection.hello(item, user_agent, accept_language):
                        if not self.closed:
                            await self.close()
                        break
                elif isinstance(item, str):
                    await connection.on_text(item)
                else:
                    connection.on_binary()
                del item
        except Exception:
            log.exception("visitor socket failed")
            count_error("ws_socket")
            self._close_now(close_code_for_failure(), b"server error")
        finally:
            self._worker = None
            self._inbox = inbox or None
            if self.lost:
                self._finish()

    def _pause(self, reason: int) -> None:
        if not self._paused and not self.lost:
            with contextlib.suppress(RuntimeError):
                self._transport.pause_reading()
        self._paused |= reason

    def _resume(self, reason: int) -> None:
        if not self._paused & reason:
            return
        self._paused &= ~reason
        if not self._paused and not self.lost:
            with contextlib.suppress(RuntimeError):
                self._transport.resume_reading()

    # The transport's buffer is over its high-water mark: the client does not read; stop
    # reading it too (what it sends would only produce more answers for it not to read).
    def pause_writing(self) -> None:
        self._pause(_PAUSED_WRITING)

    def resume_writing(self) -> None:
        self._resume(_PAUSED_WRITING)

    def eof_received(self) -> bool | None:
        return None  # close the transport: connection_lost follows

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        self.closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._worker is None:
            self._finish()
        # else: the worker finishes the frame it is on, then calls _finish

    def _finish(self) -> None:
        """The socket is gone and no frame is being handled: clean the session up (once)."""
        connection, self.connection = self.connection, None
        if connection is None:
            return
        _OPEN.dec()
        self._inbox = None
        self._ws = None
        task = asyncio.ensure_future(connection.cleanup())
        task.add_done_callback(self._cleaned_up)

    def _cleaned_up(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error("visitor socket cleanup failed", exc_info=exc)
        self._lean.limits.close_socket(self.ip)
        self._lean.discard(self)

    # ---- frames out (SocketSender) ------------------------------------------------------------

    # FrameSender's names for what a socket holds only while it has work (tests of idle
    # sockets read them for either sender): the task handling frames, and the frames waiting.
    @property
    def _drainer(self) -> asyncio.Task[None] | None:
        return self._worker

    @property
    def _queue(self) -> deque[str | object | None] | None:
        return self._inbox

    def send_bytes(self, data: bytes) -> None:
        """One text frame, written at once; a client too far behind is closed with 4408.

        Behind: unread bytes are waiting and this frame would take them past the limit. A
        frame larger than the limit goes to a client with nothing waiting (a long chat's
        welcome or resume answer), as with aiohttp's FrameSender; else a visitor with such a
        chat would be closed at every reconnect."""
        if self.closed:
            return
        transport = self._transport
        waiting = transport.get_write_buffer_size()
        if waiting and waiting + len(data) > MAX_BUFFERED_BYTES:
            log.warning("closing a socket that reads too slowly")
            self._close_now(CLOSE_TOO_SLOW, b"too slow")
            return
        transport.write(_text_header(len(data)) + data)

    def send(self, frame: dict[str, Any]) -> None:
        self.send_bytes(orjson.dumps(frame))

    async def close(self, code: int = WSCloseCode.OK, message: bytes = b"") -> None:
        self._close_now(code, message)

    def request_close(self, code: int, message: bytes = b"") -> None:
        self._close_now(code, message)

    def _close_now(self, code: int, message: bytes) -> None:
        """The close frame goes after everything written before it; the client answers with
        its own and the connection closes then, or is dropped CLOSE_TIMEOUT from now."""
        self.closed = True
        ws = self._ws
        if self.lost or ws is None:
            return
        if ws.state in (ConnectionState.OPEN, ConnectionState.REMOTE_CLOSING):
            reason = message.decode("utf-8", "replace")
            self._transport.write(ws.send(CloseConnection(code, reason)))
        if ws.state is ConnectionState.CLOSED:
            self._transport.close()
            return
        if self._timer is not None:
            self._timer.cancel()
        self._timer = asyncio.get_running_loop().call_later(CLOSE_TIMEOUT, self._drop)

    def _drop(self) -> None:
        self._timer = None
        if not self.lost:
            if self._transport.get_write_buffer_size():
                log.warning("dropping a connection that did not read its close frame")
            self._transport.abort()


def _text_header(length: int) -> bytes:
    """The header of an unmasked, final text frame (RFC 6455 5.2) of `length` bytes."""
    if length < 126:
        return bytes((0x81, length))
    if length < 1 << 16:
        return bytes((0x81, 126)) + length.to_bytes(2, "big")
    return bytes((0x81, 127)) + length.to_bytes(8, "big")


__all__ = ["LeanAppRunner", "LeanSocket", "Sniffer", "make_runner", "parse_handshake"]
