"""The visitor socket: tracking events and chat for one browser tab on a customer's site.

A thin dispatcher: it checks the handshake, parses each frame, calls the tab's service
(features/live_stream/visitor_tab.py, or the chat and proactive services) and answers. What
the visitor's other tabs and the rep consoles must hear is published by those services; this
module only passes on what arrives on the visitor's bus topic (features/live_stream/
visitor_feed.py) to the browser.

Two servers carry the socket (FRONTDESK_VISITOR_SOCKET_SERVER): aiohttp (visitor_socket,
below) and the lean protocol on wsproto (transport/visitor_lean.py). Both make the same checks
(admission, below) and hand every frame to the same VisitorConnection, which talks to its
socket only through a SocketSender (send, close) and is told of frames (hello, on_text).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from time import perf_counter
from typing import TYPE_CHECKING, Any, Final

import orjson
from aiohttp import WSMessage, WSMsgType, web
from pydantic import ValidationError

from frontdesk.bus.base import Subscription
from frontdesk.core import tracing, visitor_feed
from frontdesk.core.errors import FrontdeskError
from frontdesk.core.metrics import ACK_LATENCY, MESSAGES, OPEN_SOCKETS, count_error
from frontdesk.features import calls, csat, files, proactive, telephony, visitors
from frontdesk.features.blocking.events import VisitorBlocked
from frontdesk.features.calls import events as call_frames
from frontdesk.features.conversations.events import VisitorConversationChanged, VisitorMessage
from frontdesk.features.experiences import leave_offline_message
from frontdesk.features.live_stream import VisitorTab
from frontdesk.features.orgs import browser_language, normalise_origin
from frontdesk.features.privacy.events import VisitorErased
from frontdesk.features.proactive.events import InvitationSent
from frontdesk.features.visitors import read_visitor_token
from frontdesk.protocol import visitor_frames as vf
from frontdesk.protocol.common import Ack, Messages, Pong
from frontdesk.runtime import Runtime, visitor_topic
from frontdesk.transport import frames as f
from frontdesk.transport.errors import describe_validation_error
from frontdesk.transport.http import BACKING_SERVICE_DOWN, client_ip, runtime_of
from frontdesk.transport.sockets import (
    OPEN_SOCKETS_KEY,
    FrameSender,
    SocketSender,
    close_code_for_failure,
    error_frame,
    run_to_completion,
)
from frontdesk.transport.visitor_limits import (
    CLOSE_FLOODING,
    CLOSE_RATE_LIMITED,
    Refusal,
    visitor_limits,
)
from frontdesk.transport.visitor_registry import VisitorRegistry

if TYPE_CHECKING:
    # The org row the registry hands each socket (and the socket its tab): a type only
    # (transport imports no ORM model at run time; pyproject.toml, [tool.importlinter]).
    from frontdesk.features.orgs.models import Org

REGISTRY_KEY = web.AppKey("visitor_registry", VisitorRegistry)

log = logging.getLogger("frontdesk.ws.visitor")
# Metric children resolved once: the chat path only increments (core/metrics.py).
_OPEN = OPEN_SOCKETS.labels("visitor")
_MESSAGES = MESSAGES.labels("visitor")
_ACK_LATENCY = ACK_LATENCY.labels("visitor")

HELLO_TIMEOUT = 10.0
HEARTBEAT_SECONDS = 25
MAX_FRAME_BYTES = 64 * 1024
CLOSE_BAD_HELLO = 4400
CLOSE_BLOCKED = 4403


def origin_allowed(org: Org, origin: str | None) -> bool:
    if not origin:
        return False
    try:
        return normalise_origin(origin) in (org.allowed_origins or [])
    except FrontdeskError:
        return False


@dataclass(frozen=True, slots=True)
class Admitted:
    """A visitor socket handshake that passed every check: what its connection needs."""

    registry: VisitorRegistry
    org: Org
    tracked: bool


async def admit(
    registry: VisitorRegistry, ip: str | None, site_key: str, headers: Mapping[str, str]
) -> Admitted:
    """The checks of a visitor socket handshake, for both servers: the site key names an org,
    the page's origin is one of the org's, the address is not blocked. Raises the HTTP error
    to answer otherwise (the caller has counted the socket against its address already)."""
    org = await registry.org_for_site_key(site_key) if site_key else None
    if org is None:
        raise web.HTTPNotFound(text="unknown site key")
    if not origin_allowed(org, headers.get("Origin")):
        raise web.HTTPForbidden(text="this website origin is not allowed for this site key")
    if await registry.address_blocked(org.id, ip):
        raise web.HTTPForbidden(text="blocked")
    return Admitted(registry, org, not visitors.tracking_refused(org, headers))


def handshake_problem(headers: Mapping[str, str]) -> str | None:
    """What is wrong with a WebSocket handshake's headers, in words, or None (both servers:
    the lean one hands a handshake with a problem to aiohttp, which answers 400 with it)."""
    upgrade = headers.get("Upgrade")
    if (upgrade or "").strip().lower() != "websocket":
        return f"not a WebSocket handshake: the Upgrade header must be websocket (got {upgrade!r})"
    connection = headers.get("Connection")
    if "upgrade" not in {token.strip().lower() for token in (connection or "").split(",")}:
        return (
            "not a WebSocket handshake: the Connection header must include upgrade "
            f"(got {connection!r})"
        )
    version = headers.get("Sec-WebSocket-Version")
    if version != "13":
        return f"unsupported WebSocket version {version!r}: this server speaks version 13"
    key = headers.get("Sec-WebSocket-Key") or ""
    try:
        if len(base64.b64decode(key, validate=True)) == 16:
            return None
    except (binascii.Error, ValueError):
        pass
    return "the Sec-WebSocket-Key header is missing or is not 16 bytes in base64"


# What _first_text hands hello() when no frame came within HELLO_TIMEOUT.
HELLO_TIMED_OUT: Final = object()


async def visitor_socket(request: web.Request) -> web.StreamResponse:
    # This coroutine's frame lives as long as the socket: its locals are kept per idle socket,
    # so it holds no database session (address_blocked has its own) and no per-socket Org (the registry
    # shares one per site key).
    runtime = runtime_of(request)
    ip = client_ip(request, runtime)
    limits = visitor_limits(runtime)
    # Counted from the first moment (the checks below read the database) until the socket is
    # gone, as a visitor socket never authenticates. Over the cap: HTTP 429.
    limits.open_socket(ip)
    try:
        admitted = await admit(
            request.app[REGISTRY_KEY], ip, request.query.get("site", ""), request.headers
        )
        if (problem := handshake_problem(request.headers)) is not None:
            raise web.HTTPBadRequest(text=problem)
        # compress=False: permessage-deflate costs ~100 KB per idle socket (issue 2 figures).
        ws = web.WebSocketResponse(
            compress=False, max_msg_size=MAX_FRAME_BYTES, autoping=True, heartbeat=None
        )
        await ws.prepare(request)
        request.app[OPEN_SOCKETS_KEY].add(ws)
        sender = FrameSender(ws)
        connection = VisitorConnection(
            admitted.registry, runtime, admitted.org, sender, ip=ip, tracked=admitted.tracked
        )
        del admitted
        _OPEN.inc()
        try:
            if await connection.hello(
                await _first_text(ws),
                request.headers.get("User-Agent"),
                request.headers.get("Accept-Language"),
            ):
                # The receive loop runs here, not in a method of the connection (a coroutine
                # more per idle socket), and calls receive() rather than `async for`
                # (aiohttp's __anext__, which does the same, would be another).
                while (msg := await sender.receive()) is not None:
                    if msg.type == WSMsgType.TEXT:
                        await connection.on_text(msg.data)
                    elif msg.type == WSMsgType.BINARY:
                        connection.on_binary()
                    del msg  # not kept while the socket waits for its next frame
        except Exception:
            # After the upgrade an HTTP error page would corrupt the socket: close it properly
            # (1011, or 1013 "try again later" when the database is overloaded) instead.
            log.exception("visitor socket failed")
            count_error("ws_socket")
            await sender.close(code=close_code_for_failure(), message=b"server error")
        finally:
            _OPEN.dec()
            await run_to_completion(connection.cleanup())
        return ws
    finally:
        limits.close_socket(ip)


async def _first_text(ws: web.WebSocketResponse) -> str | object | None:
    """The first frame's text; HELLO_TIMED_OUT, or None for anything but a text frame."""
    try:
        msg: WSMessage = await ws.receive(timeout=HELLO_TIMEOUT)
    except TimeoutError:
        return HELLO_TIMED_OUT
    return msg.data if msg.type == WSMsgType.TEXT else None


# Own messages whose copy on the visitor topic this tab waits to skip (see _on_bus).
MAX_OWN_ECHOES = 16
# An erased visitor's tabs (features/privacy): the widget reconnects (any code but 4403).
CLOSE_ERASED = 4410


class VisitorConnection:
    # One per open visitor socket, kept for the socket's life: slots, and only what later
    # frames need (the hello and its page are dropped once the welcome is sent). The visitor's
    # state in the live stream is the tab's (features/live_stream/visitor_tab.py).
    __slots__ = (
        "_own_echoes",
        "registry",
        "runtime",
        "sender",
        "subscription",
        "tab",
    )

    def __init__(
        self,
        registry: VisitorRegistry,
        runtime: Runtime,
        org: Org,
        sender: SocketSender,
        *,
        ip: str | None,
        tracked: bool = True,
    ) -> None:
        self.registry = registry
        self.runtime = runtime
        self.sender = sender
        self.subscription: Subscription | None = None
        self.tab = VisitorTab(runtime, registry, org, ip=ip, tracked=tracked)
        # Messages this tab sent (their client ids) whose copy on the visitor topic (for the
        # visitor's other tabs) is still to come: this tab has the message in its ack and
        # skips the copy. Created on first use.
        self._own_echoes: list[str] | None = None

    @property
    def ip(self) -> str | None:
        return self.tab.ip

    @property
    def org(self) -> Org:
        return self.tab.org

    # ---- lifecycle ------------------------------------------------------------------------

    async def hello(
        self,
        first: str | object | None,
        user_agent: str | None,
        accept_language: str | None = None,
    ) -> bool:
        """Checks the hello (`first`: the first frame's text, HELLO_TIMED_OUT, or None for a
        frame that is not text) and welcomes; False when the socket is done. Its own
        coroutine, so nothing of the hello outlives it (the caller's frame lives as long as
        the socket)."""
        hello = await self._read_hello(first)
        if hello is None:
            return False
        if not await self._may_arrive(hello):
            self.sender.send(
                error_frame(
                    "rate_limited",
                    "too many new visitors from your network; try again in a few minutes",
                )
            )
            await asyncio.sleep(0)
            await self.sender.close(code=CLOSE_RATE_LIMITED, message=b"rate_limited")
            return False
        try:
            # The visitor's language: the hello's, else the browser's (the upgrade request's
            # Accept-Language, which browsers send with navigator.languages' order).
            language = hello.language or browser_language(accept_language)
            await self._welcome(hello, user_agent, language)
        except visitors.VisitorBlocked:
            await self.sender.close(code=CLOSE_BLOCKED, message=b"blocked")
            return False
        return True

    async def _may_arrive(self, hello: f.VisitorHello) -> bool:
        """A hello without a valid token makes a new visitor (a row, and a card in every rep's
        live stream): those are limited per address, so a flood of sockets from one machine
        cannot fill the stream. Returning visitors are always let in."""
        if hello.token and read_visitor_token(
            self.runtime.settings.secret_keys, self.org.id, hello.token
        ):
            return True
        return await visitor_limits(self.runtime).allow_new_visitor(
            self.runtime, self.org.id, self.ip
        )

    async def _read_hello(self, first: str | object | None) -> f.VisitorHello | None:
        if first is HELLO_TIMED_OUT:
            await self._refuse("hello_required", "send a hello frame first")
            return None
        if not isinstance(first, str):
            return None
        limit = f.VISITOR_FRAME_MAX_BYTES["hello"]
        if f.utf8_size(first, limit) > limit:
            await self._refuse("too_large", f"the hello frame may have at most {limit:,} bytes")
            return None
        try:
            data = orjson.loads(first)
        except orjson.JSONDecodeError:
            await self._refuse("invalid_json", "the hello frame is not valid JSON")
            return None
        if not isinstance(data, dict) or data.get("type") != "hello":
            await self._refuse("hello_required", 'the first frame must be {"type": "hello", ...}')
            return None
        try:
            return f.visitor_hello.validate_python(data)
        except ValidationError as exc:
            await self._refuse("invalid_frame", describe_validation_error(exc))
            return None

    async def _refuse(self, code: str, message: str) -> None:
        self.sender.send(error_frame(code, message))
        await asyncio.sleep(0)
        await self.sender.close(code=CLOSE_BAD_HELLO, message=code.encode())

    async def _welcome(
        self, hello: f.VisitorHello, user_agent: str | None, language: str | None
    ) -> None:
        # During a reconnect storm thousands of hellos arrive at once; letting a few dozen do
        # their database work at a time keeps each fast and none waits into a pool timeout.
        async with self.registry.welcome_slots:
            welcome = await self.tab.arrive(
                token=hello.token,
                page=_page_info(hello.page),
                user_agent=user_agent,
                language=language,
                resumed=hello.resumed,
                last_seq=hello.last_seq,
                listen=self._listen,
            )
            org = self.org
            # A call lives in a chat: only a visitor with one can have a call to re-join.
            call = (
                await calls.live_call_for_visitor(self.runtime, org.id, welcome.visitor_id)
                if welcome.conversation is not None
                else None
            )
            self.sender.send_bytes(
                vf.Welcome(
                    token=welcome.token,
                    visitor_id=welcome.visitor_id,
                    visit_id=welcome.visit_id,
                    conversation=welcome.conversation,
                    messages=welcome.messages,
                    identity_status=welcome.identity_status,
                    invitations=welcome.invitations,
                    call=call,
                    config=vf.WelcomeConfig(
                        org_name=org.name,
                        idle_after_seconds=org.idle_after_seconds,
                        heartbeat_seconds=HEARTBEAT_SECONDS,
                        messenger=(org.settings or {}).get("messenger", {}),
                        phone_join_available=telephony.phone_join_available(org),
                        visitor_calls=calls.visitor_calls_allowed(org),
                        visitor_files=files.visitor_file_rules(org),
                        call_queue=calls.queue_offered(org, welcome.segment_id),
                    ),
                    server_time=self.runtime.clock.now().isoformat(),
                ).to_bytes()
            )
            await self.tab.welcomed()

    async def _listen(self, visitor_id: str) -> None:
        """Hear the visitor's topic (frames for all their tabs) and the org's registry events
        (placements, org settings, blocks): called by the tab before it reads any state, and
        again if the visitor turned out to be someone else (a token whose visitor is gone)."""
        if self.subscription is not None:
            previous, self.subscription = self.subscription, None
            await previous.cancel()
        self.subscription = await self.runtime.bus.subscribe(
            visitor_topic(visitor_id), self._on_bus
        )
        await self.registry.add(self.org.id, self)

    async def cleanup(self) -> None:
        if self.subscription is not None:
            with contextlib.suppress(Exception):
                await self.subscription.cancel()
        await self.registry.remove(self.org.id, self)
        await self.tab.leave()

    def placements_changed(self) -> None:
        """The org's segments, accounts or routing changed (heard by the registry)."""
        self.tab.placements_changed()

    def org_changed(self, org: Org) -> None:
        """The org's settings changed: the fresh row, shared by the org's sockets."""
        self.tab.org = org

    # ---- bus -> socket ----------------------------------------------------------------------

    def _on_bus(self, _topic: str, data: bytes) -> None:
        header, frame = visitor_feed.unpack(data)
        if header.echo_of is not None and (own := self._own_echoes) and header.echo_of in own:
            own.remove(header.echo_of)  # this tab has the message in its ack
            return
        if header.type == VisitorErased.name:
            # Erased on request: nothing of them is left; the widget reconnects as someone new.
            self.sender.request_close(CLOSE_ERASED, b"erased")
            return
        self.sender.send_bytes(frame)
        if header.type == VisitorBlocked.name:
            # Blocked by a rep: the widget forgets itself; close this socket for good.
            self.sender.request_close(CLOSE_BLOCKED, b"blocked")
        elif header.type == VisitorConversationChanged.name:
            self.tab.chat_changed(chat_open=header.chat_open, owner_rep_id=header.chat_owner_rep_id)

    # ---- socket -> server -------------------------------------------------------------------

    def on_binary(self) -> None:
        self.sender.send(error_frame("invalid_frame", "frames are JSON text"))
        self._count_invalid()

    def _count_invalid(self) -> None:
        """A frame that could not be used (answered with its error already) counts in the
        visitor's `invalid` bucket: far over its rate the socket is closed (4429)."""
        visitor_id = self.tab.visitor_id
        assert visitor_id is not None
        refusal = visitor_limits(self.runtime).refuse_invalid(visitor_id)
        if refusal is not None and refusal.close_reason is not None:
            self._flooding("invalid", refusal)

    def _flooding(self, frame_type: str, refusal: Refusal) -> None:
        assert refusal.close_reason is not None
        log.warning(
            "visitor socket closed for flooding",
            extra={"frame_type": frame_type, "visitor_id": self.tab.visitor_id},
        )
        # After the frames already queued (the refused frame's error); from this task, as
        # both servers close a socket asked from within its own frame handling.
        self.sender.request_close(CLOSE_FLOODING, refusal.close_reason)

    async def on_text(self, text: str) -> None:
        decoded = f.decode_frame(text, f.visitor_frames, f.VISITOR_FRAME_MAX_BYTES)
        if decoded.error is not None:
            self.sender.send(decoded.error)
            self._count_invalid()
            return
        frame, ref = decoded.frame, decoded.ref
        visitor_id = self.tab.visitor_id
        assert visitor_id is not None
        try:
            # Inside the try: a shared count (offline messages) needs Redis, which may fail.
            refusal = await visitor_limits(self.runtime).refuse_frame(
                self.runtime, frame.type, self.org.id, visitor_id, self.ip
            )
            if refusal is not None:
                self.sender.send(error_frame("rate_limited", refusal.message, ref, frame.type))
                if refusal.close_reason is not None:
                    self._flooding(frame.type, refusal)
                return
            await self._dispatch(frame, visitor_id)
        except FrontdeskError as exc:
            self.sender.send(error_frame(exc.code, exc.message, ref))
        except BACKING_SERVICE_DOWN as exc:
            # Redis or the database is away: every ping of every visitor fails the same way
            # until it is back, so one line each, not a stack trace each (docs/operations.md).
            log.warning(
                "visitor frame failed: backing service unavailable",
                extra={"frame_type": getattr(frame, "type", None), "error": repr(exc)},
            )
            self.sender.send(
                error_frame("unavailable", "the service is briefly unavailable; try again", ref)
            )
        except Exception:
            log.exception(
                "visitor frame failed", extra={"frame_type": getattr(frame, "type", None)}
            )
            count_error("ws_frame")
            self.sender.send(
                error_frame("internal", "something went wrong on our side; try again", ref)
            )

    async def _dispatch(self, frame: Any, visitor_id: str) -> None:
        tab = self.tab
        match frame:
            case f.Ping():
                await tab.still_here()
                self.sender.send_bytes(
                    Pong(server_time=self.runtime.clock.now().isoformat()).to_bytes()
                )
            case f.ActivityFrame(state=state):
                await tab.activity_changed(state)
            case f.PageViewFrame(page=page):
                await tab.page_viewed(_page_info(page))
            case f.VisitorMessageFrame(client_id=client_id, body=body):
                # Rate-limited in on_text, like every frame (transport/visitor_limits.py).
                self._expect_echo(client_id)
                started = perf_counter()
                with tracing.span(
                    "visitor frame message",
                    {"frontdesk.org_id": self.org.id, "frontdesk.client_id": client_id},
                ):
                    posted = await tab.send_message(client_id, body)
                # The message is a model already: constructing the ack checks nothing again
                # (pydantic does not re-validate model instances), so this costs what the
                # hand-built dict did.
                self.sender.send_bytes(Ack(client_id=client_id, message=posted.message).to_bytes())
                _MESSAGES.inc()
                _ACK_LATENCY.observe(perf_counter() - started)
            case f.VisitorTyping(is_typing=is_typing):
                await tab.typing(is_typing)
            case f.DraftFrame(text=text):
                await tab.draft(text)
            case f.VisitorResume(after_seq=after_seq) as resume:
                if "conversation_id" in resume.model_fields_set:
                    caught_up = await tab.catch_up(resume.conversation_id, after_seq)
                    if caught_up is not None:
                        self.sender.send_bytes(caught_up.state.to_bytes())
                        for message in caught_up.messages:
                            self.sender.send_bytes(VisitorMessage(message=message).to_bytes())
                    return
                conversation_id, messages = await tab.messages_after(after_seq)
                self.sender.send_bytes(
                    Messages(conversation_id=conversation_id, messages=messages).to_bytes()
                )
            case f.IdentifyFrame(email=email, name=name, hash=hash_):
                visitor = await tab.identify(email=email, name=name, hash_=hash_)
                self.sender.send_bytes(
                    vf.Identified(identity_status=visitor.identity_status).to_bytes()
                )
                await tab.announce_identity(visitor)
            case f.OfflineMessageFrame(
                client_id=offline_client_id, name=name, email=email, body=body
            ):
                await leave_offline_message(
                    self.runtime, self.org.id, visitor_id, name=name, email=email, body=body
                )
                self.sender.send_bytes(vf.OfflineReceived(client_id=offline_client_id).to_bytes())
            case f.RateFrame(conversation_id=conversation_id, score=score, comment=comment):
                # Answered with `conversation` (rating set) on the visitor's topic: this tab
                # and the others.
                await csat.rate_conversation(
                    self.runtime, self.org.id, visitor_id, conversation_id, score, comment
                )
            case f.InvitationShown(invitation_id=invitation_id):
                shown = await proactive.invitation_shown(
                    self.runtime, self.org.id, visitor_id, invitation_id
                )
                if shown is not None:
                    self.sender.send_bytes(InvitationSent(invitation=shown).to_bytes())
            case f.PhoneJoinFrame(client_id=phone_client_id, number=number, call_id=call_id):
                # Answered with `phone_leg` on the visitor's topic (this tab and the others).
                await telephony.visitor_phone_join(
                    self.runtime,
                    self.org.id,
                    visitor_id,
                    number,
                    call_id=call_id,
                    ip=self.ip,
                    client_id=phone_client_id,
                )
            case f.PhoneHangUpFrame(leg_id=leg_id):
                await telephony.hang_up(self.runtime, self.org.id, leg_id, visitor_id=visitor_id)
            case f.OpenFrame():
                return
            case _ if frame.type.startswith("call_"):
                await self._dispatch_call(frame, calls.VisitorSide(self.org.id, visitor_id))
            case _:
                raise AssertionError(f"unhandled frame {frame!r}")

    async def _dispatch_call(self, frame: Any, side: calls.VisitorSide) -> None:
        """Call signalling (features/calls): checked against the call's row, relayed to its
        rep only. ICE servers (with this call's TURN credentials) go to this socket only."""
        runtime = self.runtime
        match frame:
            case call_frames.CallRequestFrame(media=media, tab_id=tab_id):
                _, ice = await calls.request_call(runtime, self.org, side.visitor_id, media, tab_id)
                self.sender.send_bytes(ice.to_bytes())
            case call_frames.CallQueueFrame(tab_id=tab_id):
                _, ice = await calls.queue_call(runtime, self.org, side.visitor_id, tab_id)
                self.sender.send_bytes(ice.to_bytes())
            case call_frames.CallRingingFrame(call_id=call_id):
                await calls.ringing(runtime, side, call_id)
            case call_frames.VisitorCallAccept(call_id=call_id, media=media, tab_id=tab_id):
                ice = await calls.visitor_accept(runtime, side, call_id, media, tab_id)
                self.sender.send_bytes(ice.to_bytes())
            case call_frames.CallDeclineFrame(call_id=call_id):
                await calls.decline(runtime, side, call_id)
            case call_frames.CallRejoinFrame(call_id=call_id, tab_id=tab_id):
                ice = await calls.rejoin(runtime, side, call_id, tab_id)
                self.sender.send_bytes(ice.to_bytes())
            case call_frames.CallAnswerFrame(call_id=call_id, sdp=sdp):
                await calls.relay_answer(runtime, side, call_id, sdp)
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

    def _expect_echo(self, client_id: str) -> None:
        own = self._own_echoes
        if own is None:
            own = self._own_echoes = []
        elif len(own) >= MAX_OWN_ECHOES:
            del own[0]  # a retry of a stored message publishes no copy
        own.append(client_id)


def _page_info(page: f.Page) -> visitors.PageInfo:
    return visitors.PageInfo(page.url, page.title, page.referrer, page.og_image)


__all__ = ["HELLO_TIMED_OUT", "VisitorConnection", "admit", "visitor_socket"]
