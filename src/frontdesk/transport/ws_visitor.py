"""The visitor socket: tracking events and chat for one browser tab on a customer's site."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any

import orjson
from aiohttp import WSMessage, WSMsgType, web
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.bus.base import Subscription
from frontdesk.core.errors import FrontdeskError
from frontdesk.core.ids import new_id
from frontdesk.features.accounts.service import email_domain
from frontdesk.features.blocking.service import ip_blocked
from frontdesk.features.conversations import service as conversations
from frontdesk.features.conversations.events import Typing, VisitorConversationChanged
from frontdesk.features.conversations.models import Conversation
from frontdesk.features.enrichment.provider import PROVIDER_ANSWER
from frontdesk.features.experiences.service import leave_offline_message
from frontdesk.features.orgs.models import Org, Rep
from frontdesk.features.orgs.service import normalise_origin
from frontdesk.features.proactive import service as proactive
from frontdesk.features.proactive.events import InvitationSent
from frontdesk.features.segments.placement import place_visit
from frontdesk.features.visitors import service as visitors
from frontdesk.features.visitors.cards import card_for, page_favicon, page_thumbnail
from frontdesk.features.visitors.events import (
    Visibility,
    VisitorCard,
    VisitorJoined,
    VisitorLeft,
    VisitorUpdated,
)
from frontdesk.features.visitors.models import Visit, Visitor
from frontdesk.features.visitors.tokens import issue_visitor_token, read_visitor_token
from frontdesk.live import LiveVisitor
from frontdesk.runtime import Runtime, org_topic, visitor_topic
from frontdesk.transport import frames as f
from frontdesk.transport.errors import describe_validation_error
from frontdesk.transport.http import BACKING_SERVICE_DOWN, client_ip, runtime_of
from frontdesk.transport.sockets import (
    OPEN_SOCKETS_KEY,
    FrameSender,
    close_code_for_failure,
    error_frame,
    run_to_completion,
)
from frontdesk.transport.visitor_limits import CLOSE_RATE_LIMITED, visitor_limits
from frontdesk.transport.visitor_registry import VisitorRegistry

REGISTRY_KEY = web.AppKey("visitor_registry", VisitorRegistry)

log = logging.getLogger("frontdesk.ws.visitor")

HELLO_TIMEOUT = 10.0
HEARTBEAT_SECONDS = 25
MAX_FRAME_BYTES = 64 * 1024
CLOSE_BAD_HELLO = 4400
CLOSE_BLOCKED = 4403

# Most visitors are routed to nobody in particular and own no chat: they all share this one
# Visibility (never mutated; replaced when it changes) instead of keeping one each.
NO_VISIBILITY = Visibility(routed_rep_ids=[])


def _visibility(routed_rep_ids: list[str], owner_rep_id: str | None) -> Visibility:
    if not routed_rep_ids and owner_rep_id is None:
        return NO_VISIBILITY
    return Visibility(routed_rep_ids=routed_rep_ids, owner_rep_id=owner_rep_id)


def origin_allowed(org: Org, origin: str | None) -> bool:
    if not origin:
        return False
    try:
        return normalise_origin(origin) in (org.allowed_origins or [])
    except FrontdeskError:
        return False


async def visitor_socket(request: web.Request) -> web.StreamResponse:
    # This coroutine's frame lives as long as the socket: its locals are kept per idle socket,
    # so it holds no database session (see _ip_is_blocked) and no per-socket Org (the registry
    # shares one per site key).
    runtime = runtime_of(request)
    ip = client_ip(request, runtime)
    limits = visitor_limits(runtime)
    # Counted from the first moment (the checks below read the database) until the socket is
    # gone, as a visitor socket never authenticates. Over the cap: HTTP 429.
    limits.open_socket(ip)
    try:
        registry = request.app[REGISTRY_KEY]
        site_key = request.query.get("site", "")
        org = await registry.org_for_site_key(site_key) if site_key else None
        if org is None:
            raise web.HTTPNotFound(text="unknown site key")
        if not origin_allowed(org, request.headers.get("Origin")):
            raise web.HTTPForbidden(text="this website origin is not allowed for this site key")
        if await _ip_is_blocked(runtime, org.id, ip):
            raise web.HTTPForbidden(text="blocked")
        # compress=False: permessage-deflate costs ~100 KB per idle socket (issue 2 figures).
        ws = web.WebSocketResponse(
            compress=False, max_msg_size=MAX_FRAME_BYTES, autoping=True, heartbeat=None
        )
        await ws.prepare(request)
        request.app[OPEN_SOCKETS_KEY].add(ws)
        connection = VisitorConnection(registry, runtime, org, ws, ip=ip)
        try:
            if await connection.hello(request.headers.get("User-Agent")):
                # The receive loop runs here, not in a method of the connection (a coroutine
                # more per idle socket), and calls receive() rather than `async for`
                # (aiohttp's __anext__, which does the same, would be another).
                sender = connection.sender
                while (msg := await sender.receive()) is not None:
                    await connection.on_message(msg)
                    del msg  # not kept while the socket waits for its next frame
        except Exception:
            # After the upgrade an HTTP error page would corrupt the socket: close it properly
            # (1011, or 1013 "try again later" when the database is overloaded) instead.
            log.exception("visitor socket failed")
            await connection.sender.close(code=close_code_for_failure(), message=b"server error")
        finally:
            await run_to_completion(connection.cleanup())
        return ws
    finally:
        limits.close_socket(ip)


async def _ip_is_blocked(runtime: Runtime, org_id: str, ip: str | None) -> bool:
    async with runtime.db.read() as session:
        return await ip_blocked(session, org_id, ip, runtime.clock.now())


# Own messages whose copy on the visitor topic this tab waits to skip (see _on_bus).
MAX_OWN_ECHOES = 16


class VisitorConnection:
    # One per open visitor socket, kept for the socket's life: slots, and only what later
    # frames need (the hello and its page are dropped once the welcome is sent).
    __slots__ = (
        "_own_echoes",
        "_tasks",
        "connection_id",
        "has_open_conversation",
        "ip",
        "live",
        "org",
        "placed",
        "registry",
        "runtime",
        "sender",
        "subscription",
        "visibility",
        "visit_id",
        "visit_started_at",
        "visitor_id",
        "ws",
    )

    def __init__(
        self,
        registry: VisitorRegistry,
        runtime: Runtime,
        org: Org,
        ws: web.WebSocketResponse,
        *,
        ip: str | None,
    ) -> None:
        self.registry = registry
        self.runtime = runtime
        # Shared by every socket of the org (VisitorRegistry.org_for_site_key): read only.
        self.org = org
        self.ws = ws
        self.sender = FrameSender(ws)
        self.ip = ip
        self.connection_id = new_id()
        self.visitor_id: str | None = None
        self.visit_id: str | None = None
        self.visit_started_at: Any = None
        self.subscription: Subscription | None = None
        self.live: LiveVisitor | None = None
        self.visibility = NO_VISIBILITY
        self.placed = False
        self.has_open_conversation = False
        # Created on first use: most sockets never start a background task.
        self._tasks: set[asyncio.Future[None]] | None = None
        # Messages this tab sent whose copy on the visitor topic (for the visitor's other
        # tabs) is still to come: this tab has the message in its ack and skips the copy.
        self._own_echoes: list[bytes] | None = None

    # ---- lifecycle ------------------------------------------------------------------------

    async def hello(self, user_agent: str | None) -> bool:
        """Reads the hello and welcomes; False when the socket is done. Its own coroutine, so
        nothing of the hello outlives it (the caller's frame lives as long as the socket)."""
        hello = await self._read_hello()
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
            await self._welcome(hello, user_agent)
        except visitors.VisitorBlocked:
            await self.sender.close(code=CLOSE_BLOCKED, message=b"blocked")
            return False
        return True

    async def _may_arrive(self, hello: f.VisitorHello) -> bool:
        """A hello without a valid token makes a new visitor (a row, and a card in every rep's
        live stream): those are limited per address, so a flood of sockets from one machine
        cannot fill the stream. Returning visitors are always let in."""
        if hello.token and read_visitor_token(
            self.runtime.settings.secret_key, self.org.id, hello.token
        ):
            return True
        return await visitor_limits(self.runtime).allow_new_visitor(
            self.runtime, self.org.id, self.ip
        )

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        tasks = self._tasks
        if tasks is None:
            tasks = self._tasks = set()
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    async def _read_hello(self) -> f.VisitorHello | None:
        try:
            msg = await self.ws.receive(timeout=HELLO_TIMEOUT)
        except TimeoutError:
            await self._refuse("hello_required", "send a hello frame first")
            return None
        if msg.type != WSMsgType.TEXT:
            return None
        limit = f.VISITOR_FRAME_MAX_BYTES["hello"]
        if f.utf8_size(msg.data, limit) > limit:
            await self._refuse("too_large", f"the hello frame may have at most {limit:,} bytes")
            return None
        try:
            data = orjson.loads(msg.data)
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

    async def _welcome(self, hello: f.VisitorHello, user_agent: str | None) -> None:
        # During a reconnect storm thousands of hellos arrive at once; letting a few dozen do
        # their database work at a time keeps each fast and none waits into a pool timeout.
        async with self.registry.welcome_slots:
            await self._do_welcome(hello, user_agent)

    async def _do_welcome(self, hello: f.VisitorHello, user_agent: str | None) -> None:
        page = visitors.PageInfo(
            hello.page.url, hello.page.title, hello.page.referrer, hello.page.og_image
        )
        arrival = await visitors.arrive(
            self.runtime,
            self.org,
            hello.token,
            ip=self.ip,
            user_agent=user_agent,
            page=page,
            record_page_view=not hello.resumed,
        )
        visitor, visit = arrival.visitor, arrival.visit
        self.visitor_id, self.visit_id, self.visit_started_at = (
            visitor.id,
            visit.id,
            visit.started_at,
        )
        # Subscribe before reading what to replay, so nothing falls in between.
        self.subscription = await self.runtime.bus.subscribe(
            visitor_topic(visitor.id), self._on_bus
        )
        previous = await self.runtime.live.get(self.org.id, visitor.id)
        self.live = await self.runtime.live.upsert_connection(
            self.org.id,
            visitor.id,
            self.connection_id,
            visit_id=visit.id,
            visit_started_at=visit.started_at,
            activity="active",
            url=page.url,
            title=page.title,
            og_image=page_thumbnail(self.org.allowed_origins, page.url, page.og_image),
        )
        await self.registry.add(self.org.id, self)
        card, conversation = await self._place(page.url)
        messages: list[Any] = []
        conversation_frame = None
        if conversation is not None:
            async with self.runtime.db.read() as session:
                messages = [
                    m.model_dump(mode="json")
                    for m in await conversations.messages_after(
                        session, conversation, hello.last_seq, include_internal=False
                    )
                ]
                owner = (
                    await session.get(Rep, conversation.owner_rep_id)
                    if conversation.owner_rep_id
                    else None
                )
            conversation_frame = conversations.visitor_conversation(conversation, owner).model_dump(
                mode="json"
            )
        if card is not None and (previous is None or previous.visit_id != visit.id):
            await self.runtime.publish(
                [org_topic(self.org.id)], VisitorJoined(visitor=card, visibility=self.visibility)
            )
        elif previous is not None:
            await self._publish_changes(previous, self.live, page_views=visit.page_view_count)
        async with self.runtime.db.read() as session:
            invitations = await proactive.open_invitations(
                session, visitor.id, self.runtime.clock.now()
            )
        if arrival.new_visit:
            await proactive.schedule_auto_pounce(self.runtime, self.org, visit.id)
        self.sender.send(
            {
                "type": "welcome",
                "token": issue_visitor_token(
                    self.runtime.settings.secret_key, self.org.id, visitor.id
                ),
                "visitor_id": visitor.id,
                "visit_id": visit.id,
                "conversation": conversation_frame,
                "messages": messages,
                "identity_status": visitor.identity_status,
                "invitations": [i.model_dump(mode="json") for i in invitations],
                "config": {
                    "org_name": self.org.name,
                    "idle_after_seconds": self.org.idle_after_seconds,
                    "heartbeat_seconds": HEARTBEAT_SECONDS,
                    "messenger": dict((self.org.settings or {}).get("messenger", {})),
                },
                "server_time": self.runtime.clock.now().isoformat(),
            }
        )
        if self.runtime.firmographics is not None and arrival.new_visit and self.ip:
            # External enrichment runs off the hot path; the card updates when it answers.
            self._spawn(self._enrich_from_provider(page.url))
        self.has_open_conversation = conversation is not None
        if conversation is not None:
            await conversations.visitor_activity_changed(
                self.runtime, self.org.id, visitor.id, active=True
            )

    async def cleanup(self) -> None:
        if self.subscription is not None:
            with contextlib.suppress(Exception):
                await self.subscription.cancel()
        await self.registry.remove(self.org.id, self)
        if self.visitor_id is None:
            return
        try:
            remaining = await self.runtime.live.remove_connection(
                self.org.id, self.visitor_id, self.connection_id
            )
            if remaining is None:
                await self.runtime.publish(
                    [org_topic(self.org.id)],
                    VisitorLeft(visitor_id=self.visitor_id, visibility=self.visibility),
                )
                if self.has_open_conversation:
                    await conversations.visitor_activity_changed(
                        self.runtime, self.org.id, self.visitor_id, active=False
                    )
            elif self.live is not None:
                await self._publish_changes(self.live, remaining)
        except Exception:
            log.exception("visitor cleanup failed")

    # ---- placement: segment, routing, company ------------------------------------------------

    async def _place(
        self, current_url: str, *, announce: bool = False
    ) -> tuple[VisitorCard | None, Conversation | None]:
        """Re-evaluate segment and routing; when they change, consoles move the card.

        Hot path (every page view): the org's segments, accounts and IP ranges come from the
        per-process cache, and the card is only built when someone will see it."""
        assert self.visitor_id is not None and self.visit_id is not None
        org_data = await self.registry.segments(self.org.id)
        now = self.runtime.clock.now()
        card = None
        conversation = None
        async with self.runtime.db.transaction() as session:
            visitor = await session.get(Visitor, self.visitor_id)
            visit = await session.get(Visit, self.visit_id)
            if visitor is None or visit is None:
                return None, None
            placement = await place_visit(
                session,
                self.runtime.ip_directory,
                visitor,
                visit,
                current_url,
                now,
                compiled=org_data.compiled,
                segments=org_data.by_id,
                index=org_data.index,
                hold_routing=self.has_open_conversation,
            )
            if not self.placed or placement.changed or announce:
                conversation = await conversations.open_conversation_for_visitor(
                    session, visitor.id
                )
                account = org_data.index.by_id.get(visit.account_id) if visit.account_id else None
                live = self.live or await self.runtime.live.get(self.org.id, visitor.id)
                if live is not None:
                    card = card_for(
                        live,
                        visitor,
                        visit,
                        conversation,
                        account,
                        org_data.experiences,
                        website_origins=self.org.allowed_origins,
                    )
        old = self.visibility
        self.visibility = _visibility(
            placement.routed_rep_ids,
            conversation.owner_rep_id if conversation else old.owner_rep_id,
        )
        if card is not None and self.placed and not placement.changed and announce:
            await self.runtime.publish(
                [org_topic(self.org.id)], VisitorJoined(visitor=card, visibility=self.visibility)
            )
        if placement.changed and self.placed and card is not None:
            # Leave the old audience's streams, join the new one's (admins see both: a move).
            await self.runtime.publish(
                [org_topic(self.org.id)], VisitorLeft(visitor_id=self.visitor_id, visibility=old)
            )
            await self.runtime.publish(
                [org_topic(self.org.id)], VisitorJoined(visitor=card, visibility=self.visibility)
            )
        self.placed = True
        return card, conversation

    async def _enrich_from_provider(self, current_url: str) -> None:
        provider = self.runtime.firmographics
        assert provider is not None and self.ip is not None
        try:
            async with self.runtime.db.read() as session:
                visitor = await session.get(Visitor, self.visitor_id)
            found = await provider.lookup(self.ip, email_domain(visitor.email if visitor else None))
            if not found:
                return
            async with self.runtime.db.transaction() as session:
                visit = await session.get(Visit, self.visit_id)
                if visit is None:
                    return
                visit.enrichment = {**(visit.enrichment or {}), PROVIDER_ANSWER: found}
            await self._place(self.live.url if self.live else current_url, announce=True)
        except Exception:
            log.exception("firmographics enrichment failed")

    def on_registry_event(self, event: dict[str, Any]) -> None:
        if event.get("type") == "placements.changed" and self.live is not None:
            self._spawn(self._reload_placement())
        elif event.get("type") == "org.changed":
            self.org = event["org"]  # settings changed: the fresh row, shared by the org's sockets

    async def _reload_placement(self) -> None:
        async with self.runtime.db.read() as session:
            visit = await session.get(Visit, self.visit_id)
        if visit is not None:
            self.visibility = _visibility(
                list(visit.routed_rep_ids or []), self.visibility.owner_rep_id
            )

    # ---- bus -> socket ----------------------------------------------------------------------

    def _on_bus(self, _topic: str, data: bytes) -> None:
        own = self._own_echoes
        if own and data.startswith(b'{"type":"message"') and b'"author_kind":"visitor"' in data:
            for index, needle in enumerate(own):
                if needle in data:
                    del own[index]
                    return
        self.sender.send_bytes(data)
        if data.startswith(b'{"type":"blocked"'):
            # Blocked by a rep: the widget forgets itself; close this socket for good.
            self.sender.request_close(CLOSE_BLOCKED, b"blocked")
            return
        if b'"type":"conversation"' in data[:40]:
            frame = orjson.loads(data)
            self.has_open_conversation = frame["conversation"]["status"] in ("incoming", "active")
            rep = frame["conversation"].get("rep")
            self.visibility = _visibility(
                self.visibility.routed_rep_ids, rep["id"] if rep else None
            )

    # ---- socket -> server -------------------------------------------------------------------

    async def on_message(self, msg: WSMessage) -> None:
        if msg.type == WSMsgType.TEXT:
            await self._handle_text(msg.data)
        elif msg.type == WSMsgType.BINARY:
            self.sender.send(error_frame("invalid_frame", "frames are JSON text"))

    async def _handle_text(self, text: str) -> None:
        decoded = f.decode_frame(text, f.visitor_frames, f.VISITOR_FRAME_MAX_BYTES)
        if decoded.error is not None:
            self.sender.send(decoded.error)
            return
        frame, ref = decoded.frame, decoded.ref
        assert self.visitor_id is not None
        try:
            # Inside the try: a shared count (offline messages) needs Redis, which may fail.
            refusal = await visitor_limits(self.runtime).refuse_frame(
                self.runtime, frame.type, self.org.id, self.visitor_id, self.ip
            )
            if refusal is not None:
                self.sender.send(error_frame("rate_limited", refusal, ref))
                return
            await self._dispatch(frame)
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
            self.sender.send(
                error_frame("internal", "something went wrong on our side; try again", ref)
            )

    async def _dispatch(self, frame: Any) -> None:
        assert self.visitor_id is not None and self.visit_id is not None
        match frame:
            case f.Ping():
                self.live = await self._touch()
                if (await self.registry.segments(self.org.id)).uses_time:
                    await self._place(self.live.url)
                self.sender.send(
                    {"type": "pong", "server_time": self.runtime.clock.now().isoformat()}
                )
            case f.ActivityFrame(state=state):
                previous = self.live
                self.live = await self._touch(activity=state)
                if previous is not None and previous.activity != self.live.activity:
                    await self._publish_changes(previous, self.live)
                if (
                    previous is not None
                    and previous.activity != self.live.activity
                    and self.has_open_conversation
                ):
                    # Only a chat needs the 10-minute idle timer: no database work otherwise.
                    await conversations.visitor_activity_changed(
                        self.runtime,
                        self.org.id,
                        self.visitor_id,
                        active=self.live.activity == "active",
                    )
            case f.PageViewFrame(page=page):
                count = await visitors.record_page_view(
                    self.runtime,
                    self.visit_id,
                    visitors.PageInfo(page.url, page.title, page.referrer, page.og_image),
                )
                previous = self.live
                self.live = await self._touch(
                    url=page.url,
                    title=page.title,
                    og_image=page_thumbnail(self.org.allowed_origins, page.url, page.og_image),
                )
                if previous is not None:
                    await self._publish_changes(previous, self.live, page_views=count)
                if (await self.registry.segments(self.org.id)).page_sensitive:
                    await self._place(page.url)
            case f.VisitorMessageFrame(client_id=client_id, body=body):
                # Rate-limited in _handle_text, like every frame (transport/visitor_limits.py).
                own = self._own_echoes
                if own is None:
                    own = self._own_echoes = []
                elif len(own) >= MAX_OWN_ECHOES:
                    del own[0]  # a retry of a stored message publishes no copy
                own.append(b'"client_id":' + orjson.dumps(client_id) + b",")
                posted = await conversations.post_visitor_message(
                    self.runtime, self.org.id, self.visitor_id, client_id, body
                )
                self.has_open_conversation = True
                self.sender.send(
                    {
                        "type": "ack",
                        "client_id": client_id,
                        "message": posted.message.model_dump(mode="json"),
                    }
                )
            case f.VisitorTyping(is_typing=is_typing):
                async with self.runtime.db.read() as session:
                    conversation = await conversations.open_conversation_for_visitor(
                        session, self.visitor_id
                    )
                if conversation is not None:
                    await self.runtime.publish(
                        [org_topic(self.org.id)],
                        Typing(
                            conversation_id=conversation.id,
                            is_typing=is_typing,
                            visitor_id=self.visitor_id,
                        ),
                    )
            case f.VisitorResume(after_seq=after_seq) as resume:
                if "conversation_id" in resume.model_fields_set:
                    await self._catch_up(resume.conversation_id, after_seq)
                    return
                async with self.runtime.db.read() as session:
                    conversation = await conversations.open_conversation_for_visitor(
                        session, self.visitor_id
                    )
                    if conversation is None:
                        conversation = await _latest_conversation(session, self.visitor_id)
                    if conversation is None:
                        self.sender.send(
                            {"type": "messages", "conversation_id": None, "messages": []}
                        )
                        return
                    messages = await conversations.messages_after(
                        session, conversation, after_seq, include_internal=False
                    )
                self.sender.send(
                    {
                        "type": "messages",
                        "conversation_id": conversation.id,
                        "messages": [m.model_dump(mode="json") for m in messages],
                    }
                )
            case f.IdentifyFrame(email=email, name=name, hash=hash_):
                visitor = await visitors.identify(
                    self.runtime, self.org, self.visitor_id, email=email, name=name, hash_=hash_
                )
                self.sender.send({"type": "identified", "identity_status": visitor.identity_status})
                await self.runtime.publish(
                    [org_topic(self.org.id)],
                    VisitorUpdated(
                        visitor_id=self.visitor_id,
                        changes={
                            "name": visitor.name,
                            "email": visitor.email,
                            "identity_status": visitor.identity_status,
                        },
                        visibility=self.visibility,
                    ),
                )
                if self.live is not None:
                    # The email may name another company (and account): refresh the card.
                    await self._place(self.live.url, announce=True)
            case f.OfflineMessageFrame(
                client_id=offline_client_id, name=name, email=email, body=body
            ):
                await leave_offline_message(
                    self.runtime, self.org.id, self.visitor_id, name=name, email=email, body=body
                )
                self.sender.send({"type": "offline_received", "client_id": offline_client_id})
            case f.InvitationShown(invitation_id=invitation_id):
                shown = await proactive.invitation_shown(
                    self.runtime, self.org.id, self.visitor_id, invitation_id
                )
                if shown is not None:
                    self.sender.send(InvitationSent(invitation=shown).to_frame())
            case f.OpenFrame():
                return
            case _:
                raise AssertionError(f"unhandled frame {frame!r}")

    async def _catch_up(self, known_id: str | None, after_seq: int) -> None:
        """The answer to a `resume` that names the conversation the widget knows (after a
        `resync`: events may have been lost on the bus): the frames it would have had, that is
        the conversation's current state (it may have been accepted, started by a rep or ended
        meanwhile) and a `message` frame for each message it has not seen. A conversation the
        widget did not know is sent from the start; an older ended one it never showed is left
        alone, and with nothing to catch up nothing is sent."""
        assert self.visitor_id is not None
        async with self.runtime.db.read() as session:
            conversation = await conversations.open_conversation_for_visitor(
                session, self.visitor_id
            )
            if conversation is None and known_id is not None:
                latest = await _latest_conversation(session, self.visitor_id)
                conversation = latest if latest is not None and latest.id == known_id else None
            if conversation is None:
                return
            if conversation.id != known_id:
                after_seq = 0
            messages = await conversations.messages_after(
                session, conversation, after_seq, include_internal=False
            )
            owner = (
                await session.get(Rep, conversation.owner_rep_id)
                if conversation.owner_rep_id
                else None
            )
        state = VisitorConversationChanged(
            conversation=conversations.visitor_conversation(conversation, owner)
        )
        self._on_bus(visitor_topic(self.visitor_id), state.to_bytes())  # also updates our state
        for message in messages:
            self.sender.send({"type": "message", "message": message.model_dump(mode="json")})

    async def _touch(self, **changes: Any) -> LiveVisitor:
        assert self.visitor_id is not None and self.visit_id is not None
        return await self.runtime.live.upsert_connection(
            self.org.id,
            self.visitor_id,
            self.connection_id,
            visit_id=self.visit_id,
            visit_started_at=self.visit_started_at,
            **changes,
        )

    async def _publish_changes(
        self, before: LiveVisitor, after: LiveVisitor, page_views: int | None = None
    ) -> None:
        assert self.visitor_id is not None
        changes: dict[str, Any] = {}
        for name in ("activity", "url", "title", "og_image"):
            if getattr(before, name) != getattr(after, name):
                changes[name] = getattr(after, name)
        if "url" in changes:
            favicon = page_favicon(self.org.allowed_origins, after.url)
            if favicon != page_favicon(self.org.allowed_origins, before.url):
                changes["favicon"] = favicon
        if page_views is not None:
            changes["page_views"] = page_views
        if changes:
            await self.runtime.publish(
                [org_topic(self.org.id)],
                VisitorUpdated(
                    visitor_id=self.visitor_id, changes=changes, visibility=self.visibility
                ),
            )


async def _latest_conversation(session: AsyncSession, visitor_id: str) -> Conversation | None:
    return (
        await session.execute(
            select(Conversation)
            .where(Conversation.visitor_id == visitor_id)
            .order_by(Conversation.created_at.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


__all__ = ["Visit", "Visitor", "visitor_socket"]
