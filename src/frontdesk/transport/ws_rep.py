"""The rep socket: live stream, inbox and conversations for one open console."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from time import perf_counter
from typing import Any

import orjson
from aiohttp import WSMsgType, web

from frontdesk.bus.base import RESYNC_TYPE, Subscription
from frontdesk.core import tracing
from frontdesk.core.errors import FrontdeskError, NotAuthenticated
from frontdesk.core.metrics import ACK_LATENCY, MESSAGES, OPEN_SOCKETS, count_error
from frontdesk.features import calls, conversations, live_stream
from frontdesk.features.calls import events as call_frames
from frontdesk.features.live_stream import build_snapshot
from frontdesk.features.orgs import (
    Authenticated,
    RepDeactivated,
    SessionsRevoked,
    authenticate,
    authenticate_again,
    session_is_live,
)
from frontdesk.protocol.common import Ack, Messages, Pong
from frontdesk.runtime import Runtime, rep_topic
from frontdesk.transport import frames as f
from frontdesk.transport.http import SESSION_COOKIE, client_ip, request_origin, runtime_of
from frontdesk.transport.rep_hub import RepHub, RepSocket
from frontdesk.transport.rep_limits import CLOSE_FLOODING, rep_limits
from frontdesk.transport.sockets import (
    OPEN_SOCKETS_KEY,
    RepFrameSender,
    close_code_for_failure,
    error_frame,
    run_to_completion,
)
from frontdesk.transport.visitor_limits import visitor_limits

log = logging.getLogger("frontdesk.ws.rep")

CLOSE_SIGNED_OUT = 4401
HUB_KEY = web.AppKey("rep_hub", RepHub)
# Metric children resolved once: the chat path only increments (core/metrics.py).
_OPEN = OPEN_SOCKETS.labels("rep")
_MESSAGES = MESSAGES.labels("rep")
_ACK_LATENCY = ACK_LATENCY.labels("rep")


async def rep_socket(request: web.Request) -> web.StreamResponse:
    runtime = runtime_of(request)
    # Until its session is checked a rep socket counts as unauthenticated, like a visitor's.
    ip = client_ip(request, runtime)
    visitor_limits(runtime).open_socket(ip)
    try:
        actor = await authenticate(runtime, request.cookies.get(SESSION_COOKIE))
    except NotAuthenticated as exc:
        raise web.HTTPUnauthorized(text=exc.message) from None
    finally:
        visitor_limits(runtime).close_socket(ip)
    origin = request.headers.get("Origin", "").rstrip("/")
    if origin != request_origin(request, runtime):
        raise web.HTTPForbidden(text="the rep socket only accepts the console's own origin")
    ws = web.WebSocketResponse(compress=False, max_msg_size=64 * 1024, heartbeat=None)
    await ws.prepare(request)
    request.app[OPEN_SOCKETS_KEY].add(ws)
    connection = RepConnection(runtime, request.app[HUB_KEY], actor, ws)
    _OPEN.inc()
    try:
        await connection.run()
    except Exception:
        log.exception("rep socket failed")
        count_error("ws_socket")
        await connection.sender.close(code=close_code_for_failure(), message=b"server error")
    finally:
        _OPEN.dec()
        await run_to_completion(connection.cleanup())
    return ws


class RepConnection:
    def __init__(
        self, runtime: Runtime, hub: RepHub, actor: Authenticated, ws: web.WebSocketResponse
    ) -> None:
        self.runtime = runtime
        self.hub = hub
        self.actor = actor
        self.ws = ws
        self.sender = RepFrameSender(ws)
        self.socket = RepSocket(
            actor.org_id, actor.rep.id, actor.is_admin, self.sender, self._request_resync
        )
        self.control: Subscription | None = None
        self.registered = False
        self._tasks: set[asyncio.Future[None]] = set()

    async def run(self) -> None:
        self.control = await self.runtime.bus.subscribe(
            rep_topic(self.actor.rep.id), self._on_control
        )
        while (msg := await self.sender.receive()) is not None:
            if msg.type == WSMsgType.TEXT:
                await self._handle_text(msg.data)
            elif msg.type == WSMsgType.BINARY:
                self.sender.send(error_frame("invalid_frame", "frames are JSON text"))
                await self._count_invalid()

    async def cleanup(self) -> None:
        if self.control is not None:
            with contextlib.suppress(Exception):
                await self.control.cancel()
        if self.registered:
            await self.hub.remove(self.socket)

    def _on_control(self, _topic: str, data: bytes) -> None:
        event = orjson.loads(data)
        kind = event.get("type")
        if kind == RepDeactivated.name:
            self.sender.request_close(CLOSE_SIGNED_OUT, b"deactivated")
        elif kind == SessionsRevoked.name:
            if self.actor.session_id in event.get("session_ids", ()):
                self.sender.request_close(CLOSE_SIGNED_OUT, b"signed out")
        elif isinstance(kind, str) and kind.startswith("call"):
            # A call of this rep's (features/calls): relayed from the visitor, or its state.
            self.sender.send_bytes(data)
        elif kind == RESYNC_TYPE and self.registered:
            # Something for this rep may have been lost on the bus (a revocation, say): the
            # snapshot re-checks the session first. (Before hello, hello's snapshot will.)
            self._request_resync()

    def _request_resync(self) -> None:
        task = asyncio.ensure_future(self._send_snapshot())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send_snapshot(self) -> None:
        try:
            # Snapshots follow a bus outage, when a revocation event may have been lost:
            # a socket never outlives its session by more than that.
            if not await session_is_live(self.runtime, self.actor):
                self.sender.request_close(CLOSE_SIGNED_OUT, b"signed out")
                return
            self.sender.send_snapshot((await build_snapshot(self.runtime, self.actor)).to_bytes())
        except Exception:
            # Without a snapshot the console would show a stale stream: make it reconnect.
            log.exception("snapshot failed")
            self.sender.request_close(1011, b"snapshot failed")

    async def _handle_text(self, text: str) -> None:
        decoded = f.decode_frame(text, f.rep_frames)
        if decoded.error is not None:
            self.sender.send(decoded.error)
            await self._count_invalid()
            return
        frame, ref = decoded.frame, decoded.ref
        refusal = rep_limits(self.runtime).refuse_frame(frame.type, self.actor.rep.id)
        if refusal is not None:
            # Over its rate: refused, nothing of it done (transport/rep_limits.py).
            self.sender.send(error_frame("rate_limited", refusal.message, ref, frame.type))
            if refusal.close_reason is not None:
                log.warning(
                    "rep socket closed for flooding",
                    extra={"frame_type": frame.type, "rep_id": self.actor.rep.id},
                )
                await self.sender.close(code=CLOSE_FLOODING, message=refusal.close_reason)
            return
        try:
            await self._dispatch(frame)
        except FrontdeskError as exc:
            if isinstance(exc, NotAuthenticated):
                await self.sender.close(code=CLOSE_SIGNED_OUT, message=b"signed out")
                return
            self.sender.send(error_frame(exc.code, exc.message, ref))
        except Exception:
            log.exception("rep frame failed", extra={"frame_type": getattr(frame, "type", None)})
            count_error("ws_frame")
            self.sender.send(
                error_frame("internal", "something went wrong on our side; try again", ref)
            )

    async def _count_invalid(self) -> None:
        """A frame that could not be used (answered with its error already) counts in the
        rep's `invalid` bucket: far over its rate the console is closed (4429)."""
        refusal = rep_limits(self.runtime).refuse_invalid(self.actor.rep.id)
        if refusal is not None and refusal.close_reason is not None:
            log.warning(
                "rep socket closed for flooding",
                extra={"frame_type": "invalid", "rep_id": self.actor.rep.id},
            )
            await self.sender.close(code=CLOSE_FLOODING, message=refusal.close_reason)

    async def _dispatch(self, frame: Any) -> None:
        match frame:
            case f.Ping():
                self.sender.send_bytes(
                    Pong(server_time=self.runtime.clock.now().isoformat()).to_bytes()
                )
            case f.RepHello(last_seqs=last_seqs):
                # Register first, then read the snapshot: no event can fall in between.
                if not self.registered:
                    await self.hub.add(self.socket)
                    self.registered = True
                # The rep's calls that are not over (a console reload, a reconnect: a
                # visitor still waiting for the rep to allow their call).
                for live in await calls.live_calls_for_rep(self.runtime, self.actor):
                    self.sender.send_bytes(call_frames.CallChanged(call=live).to_bytes())
                await self._send_snapshot()
                # One answer's worth for them all (the console asks `resume` for the rest: its
                # snapshot says how far each conversation has got), so a hello naming many
                # long chats does not fill the socket's send queue and get it cut off.
                budget = conversations.ANSWER_BYTES
                for conversation_id, seq in last_seqs.items():
                    if budget <= 0:
                        break
                    budget -= await self._resume(conversation_id, seq, budget)
            case f.RepMessageFrame(conversation_id=cid, client_id=client_id, body=body):
                started = perf_counter()
                with tracing.span("rep frame message", {"frontdesk.conversation_id": cid}):
                    self.actor = await authenticate_again(self.runtime, self.actor)
                    posted = await conversations.post_rep_message(
                        self.runtime, self.actor, cid, client_id, body
                    )
                # No second check of the message: pydantic does not re-validate a model.
                self.sender.send_bytes(Ack(client_id=client_id, message=posted.message).to_bytes())
                _MESSAGES.inc()
                _ACK_LATENCY.observe(perf_counter() - started)
            case f.RepTyping(conversation_id=cid, is_typing=is_typing):
                await live_stream.rep_typing(self.runtime, self.actor, cid, is_typing)
            case f.RepResume(conversation_id=cid, after_seq=after_seq):
                await self._resume(cid, after_seq)
            case _ if frame.type.startswith("call_"):
                await self._dispatch_call(frame)
            case _:
                raise AssertionError(f"unhandled frame {frame!r}")

    async def _dispatch_call(self, frame: Any) -> None:
        """Call signalling (features/calls): only the rep on the call may act on it; what the
        visitor must hear is relayed to the visitor's tabs only."""
        runtime, actor = self.runtime, self.actor
        side = calls.rep_side(actor)
        match frame:
            case call_frames.CallStartFrame(conversation_id=cid, media=media, leg=leg):
                _, ice = await calls.start_call(runtime, actor, cid, media, leg)
                self.sender.send_bytes(ice.to_bytes())
            case call_frames.RepCallAccept(call_id=call_id, allow=allow, leg=leg):
                ice = await calls.rep_accept(runtime, actor, call_id, allow, leg)
                self.sender.send_bytes(ice.to_bytes())
            case call_frames.CallPickupFrame(call_id=call_id, leg=leg):
                ice = await calls.pick_up(runtime, actor, call_id, leg)
                self.sender.send_bytes(ice.to_bytes())
            case call_frames.CallDeclineFrame(call_id=call_id):
                # A queued call: declined for everyone (first wins, as answering).
                await calls.rep_decline(runtime, actor, call_id)
            case call_frames.RepCallRejoin(call_id=call_id, leg=leg, move=move):
                ice = await calls.rep_rejoin(runtime, actor, call_id, leg, move=move)
                self.sender.send_bytes(ice.to_bytes())
            case call_frames.CallOfferFrame(call_id=call_id, sdp=sdp):
                await calls.relay_offer(runtime, actor, call_id, sdp)
            case call_frames.CallCandidateFrame(call_id=call_id, candidate=candidate):
                await calls.relay_candidate(runtime, side, call_id, candidate)
            case call_frames.CallMediaFrame(call_id=call_id, mic=mic, camera=camera):
                await calls.relay_media(
                    runtime, side, call_id, mic=mic, camera=camera, screen=frame.screen
                )
            case call_frames.CallConnectedFrame(call_id=call_id):
                await calls.connected(runtime, side, call_id)
            case call_frames.CallKeepaliveFrame(call_id=call_id, media_connected=flowing):
                ended = await calls.keepalive(runtime, side, call_id, media_connected=flowing)
                if ended is not None:
                    self.sender.send_bytes(ended.to_bytes())
            case call_frames.CallHangupFrame(call_id=call_id, failed=failed):
                await calls.hang_up(runtime, side, call_id, failed)
            case _:
                raise AssertionError(f"unhandled call frame {frame!r}")

    async def _resume(
        self, conversation_id: str, after_seq: int, max_bytes: int = conversations.ANSWER_BYTES
    ) -> int:
        """The messages after `after_seq`, the earliest first, about `max_bytes` of them at
        most (one at least): a long chat goes in pieces, the console asking again from where
        its copy stops. Returns the bytes sent."""
        async with self.runtime.db.read() as session:
            conversation = await conversations.get_conversation(
                session, self.actor, conversation_id
            )
            messages = await conversations.messages_after(
                session, conversation, after_seq, include_internal=True, max_bytes=max_bytes
            )
        frame = Messages(conversation_id=conversation_id, messages=messages).to_bytes()
        self.sender.send_bytes(frame)
        return len(frame)
