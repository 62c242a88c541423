"""One open tab of a visitor (one visitor socket) in the live stream.

What the tab does becomes rows and live-stream events here: it arrives and is welcomed, views
pages, goes idle and comes back, identifies, types, and leaves. transport/ws_visitor.py parses
the frames and answers; every database read and write, and every event for rep consoles, is
made here or in the services called from here.

A tab lives as long as its socket, and an idle socket's bytes are counted (issue 2): it is
slotted, keeps only what later frames need, shares its Org with every tab of the org (the
registry's cached row) and its Visibility with every unrouted visitor (audience.EVERYONE), and
creates its task set only when it first starts a background task.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.core.errors import Forbidden
from frontdesk.core.ids import new_id
from frontdesk.features import audience, conversations, proactive, visitors
from frontdesk.features.accounts import email_domain
from frontdesk.features.conversations.events import (
    MessageOut,
    VisitorConversation,
    VisitorConversationChanged,
)
from frontdesk.features.conversations.models import Conversation
from frontdesk.features.enrichment import PROVIDER_ANSWER
from frontdesk.features.live_stream.arrivals import ArrivalRequest, arrival_writer
from frontdesk.features.live_stream.cards import (
    build_cards,
    card_for,
    page_favicon,
    page_thumbnail,
)
from frontdesk.features.live_stream.events import (
    VisitorCard,
    VisitorJoined,
    VisitorLeft,
    VisitorTyping,
    VisitorUpdated,
)
from frontdesk.features.live_stream.page_views import (
    PageViewRequest,
    Placed,
    page_view_writer,
)
from frontdesk.features.live_stream.placement import (
    OrgPlacementData,
    OrgSegments,
    place_for_stream,
)
from frontdesk.features.orgs.models import Org, Rep
from frontdesk.features.proactive.schemas import VisitorInvitation
from frontdesk.features.visitors import issue_visitor_token, read_visitor_token
from frontdesk.features.visitors.models import Visit, Visitor
from frontdesk.live import LiveVisitor
from frontdesk.live.base import Activity
from frontdesk.runtime import Runtime, org_topic

log = logging.getLogger("frontdesk.live_stream")

# Called once the visitor is known, before anything about them is read: the socket starts
# hearing the visitor's topic and the org's registry events, so nothing falls in between.
Listen = Callable[[str], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Welcome:
    """What the `welcome` frame tells the widget about the visitor (transport/ws_visitor.py
    adds the org's config and sends protocol.visitor_frames.Welcome)."""

    token: str
    visitor_id: str
    visit_id: str
    # The visitor's open chat as the widget shows it, and its messages after `last_seq`.
    conversation: VisitorConversation | None
    messages: list[MessageOut]
    # As stored (a string column); the frame checks it is one of IdentityStatus.
    identity_status: str
    invitations: list[VisitorInvitation]
    # Where the visit is placed (the messenger's "Call us" is offered per segment).
    segment_id: str | None


@dataclass(frozen=True, slots=True)
class CaughtUp:
    """A `resume` after a `resync`: the chat's current state and the messages missed."""

    state: VisitorConversationChanged
    messages: list[MessageOut]


class VisitorTab:
    __slots__ = (
        "_tasks",
        "connection_id",
        "has_open_conversation",
        "ip",
        "live",
        "org",
        "placed",
        "placements",
        "runtime",
        "tracked",
        "visibility",
        "visit_id",
        "visit_started_at",
        "visitor_id",
    )

    def __init__(
        self,
        runtime: Runtime,
        placements: OrgPlacementData,
        org: Org,
        *,
        ip: str | None,
        tracked: bool = True,
    ) -> None:
        self.runtime = runtime
        self.placements = placements
        # Shared by every tab of the org (VisitorRegistry.org_for_site_key): read only.
        self.org = org
        # The full address, in memory only (rate limits, blocks): enrichment reads it before
        # the org's setting truncates (or drops) what is stored (visitors.stored_ip).
        self.ip = ip
        # False: the browser sent Global Privacy Control or Do Not Track and the org honours
        # them (visitors.tracking_refused): no page views, address or user agent are stored.
        self.tracked = tracked
        self.connection_id = new_id()
        self.visitor_id: str | None = None
        self.visit_id: str | None = None
        self.visit_started_at: datetime | None = None
        self.live: LiveVisitor | None = None
        # Who sees this visitor in the live stream (audience.of_visitor): the visit's routing
        # and the owner of the chat this tab last heard of.
        self.visibility = audience.EVERYONE
        self.placed = False
        self.has_open_conversation = False
        # Created on first use: most tabs never start a background task.
        self._tasks: set[asyncio.Future[None]] | None = None

    # ---- arriving and leaving ----------------------------------------------------------------

    async def arrive(
        self,
        *,
        token: str | None,
        page: visitors.PageInfo,
        user_agent: str | None,
        language: str | None = None,
        resumed: bool,
        last_seq: int,
        listen: Listen,
    ) -> Welcome:
        """The tab said hello: find or make the visitor and their visit, placed, with the
        hellos of other sockets (live_stream/arrivals.py: one transaction and one statement per
        table for a group), go live (a card joins the consoles that may see it), and gather
        what the widget is welcomed with. Raises visitors.VisitorBlocked for a blocked
        visitor."""
        runtime, org = self.runtime, self.org
        known = read_visitor_token(runtime.settings.secret_keys, org.id, token) if token else None
        visitor_id = known or new_id()
        # Before anything about the visitor is read or written, so nothing falls in between.
        await listen(visitor_id)
        placement = await self.placements.segments(org.id)
        arrival = await arrival_writer(runtime).arrive(
            ArrivalRequest(
                org=org,
                placement=placement,
                visitor_id=visitor_id,
                known=known is not None,
                stored_ip=visitors.stored_ip(org, self.ip),
                # Not tracked: nothing is looked up from the address either.
                ip=self.ip if self.tracked else None,
                user_agent=user_agent,
                page=page,
                record_page_view=not resumed,
                tracked=self.tracked,
                language=language,
            )
        )
        visitor, visit = arrival.visitor, arrival.visit
        if visitor.id != visitor_id:
            await listen(visitor.id)  # the token's visitor is gone: a new one, no history
        self.visitor_id, self.visit_id, self.visit_started_at = (
            visitor.id,
            visit.id,
            visit.started_at,
        )
        previous = None if arrival.new_visitor else await runtime.live.get(org.id, visitor.id)
        self.live = live = await runtime.live.upsert_connection(
            org.id,
            visitor.id,
            self.connection_id,
            visit_id=visit.id,
            visit_started_at=visit.started_at,
            activity="active",
            url=page.url,
            title=page.title,
            og_image=page_thumbnail(org.allowed_origins, page.url, page.og_image),
        )
        conversation = arrival.conversation
        self.visibility = audience.of_visitor(
            arrival.routed_rep_ids,
            conversation.owner_rep_id if conversation else self.visibility.owner_rep_id,
        )
        self.placed = True
        messages: list[MessageOut] = []
        conversation_frame = None
        if conversation is not None:
            async with runtime.db.read() as session:
                # The latest ones: the messenger shows them at once and asks for any
                # before them it has not seen (a gap below the first seq it got).
                messages = await conversations.messages_after(
                    session,
                    conversation,
                    last_seq,
                    include_internal=False,
                    max_bytes=conversations.ANSWER_BYTES,
                    newest=True,
                )
                owner = await _owner(session, conversation)
            conversation_frame = conversations.visitor_conversation(conversation, owner)
        if previous is None or previous.visit_id != visit.id:
            card = card_for(
                live,
                visitor,
                visit,
                conversation,
                arrival.account,
                placement.experiences,
                website_origins=org.allowed_origins,
            )
            await self._publish(VisitorJoined(visitor=card, visibility=self.visibility))
        else:
            await self._publish_changes(previous, live, page_views=visit.page_view_count)
        if arrival.new_visit:
            await proactive.schedule_auto_pounce(runtime, org, visit.id)
            if runtime.firmographics is not None and self.ip and self.tracked:
                # External enrichment runs off the hot path; the card updates when it answers.
                self._spawn(self._enrich_from_provider(page.url))
        self.has_open_conversation = conversation is not None
        return Welcome(
            token=issue_visitor_token(runtime.settings.secret_key, org.id, visitor.id),
            visitor_id=visitor.id,
            visit_id=visit.id,
            conversation=conversation_frame,
            messages=messages,
            identity_status=visitor.identity_status,
            invitations=arrival.invitations,
            segment_id=visit.segment_id,
        )

    async def welcomed(self) -> None:
        """After the welcome went out: a chat left open starts its idle clock again."""
        if self.has_open_conversation:
            assert self.visitor_id is not None
            await conversations.visitor_activity_changed(
                self.runtime, self.org.id, self.visitor_id, active=True
            )

    async def leave(self) -> None:
        """The socket closed: the visitor leaves the stream with their last tab, otherwise the
        card shows what their remaining tabs show."""
        if self.visitor_id is None:
            return
        try:
            remaining = await self.runtime.live.remove_connection(
                self.org.id, self.visitor_id, self.connection_id
            )
            if remaining is None:
                await self._publish(
                    VisitorLeft(visitor_id=self.visitor_id, visibility=self.visibility)
                )
                if self.has_open_conversation:
                    await conversations.visitor_activity_changed(
                        self.runtime, self.org.id, self.visitor_id, active=False
                    )
            elif self.live is not None:
                await self._publish_changes(self.live, remaining)
        except Exception:
            log.exception("visitor cleanup failed")

    # ---- what the tab reports ------------------------------------------------------------------

    async def still_here(self) -> None:
        """A heartbeat: keeps the tab live, and re-places when a rule counts time on site."""
        self.live = await self._touch()
        if (await self.placements.segments(self.org.id)).uses_time:
            await self._place(self.live.url)

    async def activity_changed(self, state: Activity) -> None:
        previous = self.live
        self.live = await self._touch(activity=state)
        if previous is None or previous.activity == self.live.activity:
            return
        await self._publish_changes(previous, self.live)
        if self.has_open_conversation:
            # Only a chat needs the 10-minute idle timer: no database work otherwise.
            assert self.visitor_id is not None
            await conversations.visitor_activity_changed(
                self.runtime, self.org.id, self.visitor_id, active=self.live.activity == "active"
            )

    async def page_viewed(self, page: visitors.PageInfo) -> None:
        """Counted and stored (when tracked) and, when some rule looks at pages, the visit
        placed again, with the page views of other sockets (live_stream/page_views.py: one
        transaction and one statement per table for a group)."""
        assert self.visitor_id is not None and self.visit_id is not None
        data = await self.placements.segments(self.org.id)
        result = None
        # Not tracked: the stream shows the page the visitor is on, and nothing is stored.
        if self.tracked or data.page_sensitive:
            result = await page_view_writer(self.runtime).submit(
                PageViewRequest(
                    org=self.org,
                    visitor_id=self.visitor_id,
                    visit_id=self.visit_id,
                    page=page,
                    at=self.runtime.clock.now(),
                    tracked=self.tracked,
                    placement=data if data.page_sensitive else None,
                    hold_routing=self.has_open_conversation,
                    ip=self.ip if self.tracked else None,
                )
            )
        previous = self.live
        self.live = await self._touch(
            url=page.url,
            title=page.title,
            og_image=page_thumbnail(self.org.allowed_origins, page.url, page.og_image),
        )
        placed = result.placed if result is not None else None
        # A visitor who moved gets their whole card again (_placed_again), with this page and
        # count: an update of the old card before it would only be replaced (issue 21).
        if previous is not None and not (placed is not None and self._moves(placed)):
            await self._publish_changes(
                previous, self.live, page_views=result.page_views if result else None
            )
        if placed is not None:
            await self._placed_again(placed, data)

    def _moves(self, placed: Placed) -> bool:
        """Whether _placed_again sends this visitor's card again (they moved)."""
        return placed.changed and self.placed and self.live is not None

    async def _placed_again(self, placed: Placed, data: OrgSegments) -> None:
        """After a page view placed the visit again: as _place, from the group's rows."""
        assert self.visitor_id is not None
        conversation = placed.conversation
        old = self.visibility
        self.visibility = audience.of_visitor(
            placed.routed_rep_ids,
            conversation.owner_rep_id if conversation else old.owner_rep_id,
        )
        if self._moves(placed):
            assert self.live is not None
            assert placed.visitor is not None and placed.visit is not None
            card = card_for(
                self.live,
                placed.visitor,
                placed.visit,
                conversation,
                placed.account,
                data.experiences,
                website_origins=self.org.allowed_origins,
            )
            # Leave the old audience's streams, join the new one's (admins see both: a move).
            await self._publish(VisitorLeft(visitor_id=self.visitor_id, visibility=old))
            await self._publish(VisitorJoined(visitor=card, visibility=self.visibility))
        self.placed = True

    async def identify(self, *, email: str, name: str | None, hash_: str | None) -> Visitor:
        """Stores who the visitor says they are (verified when the hash matches)."""
        assert self.visitor_id is not None
        return await visitors.identify(
            self.runtime, self.org, self.visitor_id, email=email, name=name, hash_=hash_
        )

    async def announce_identity(self, visitor: Visitor) -> None:
        """After the widget was answered: consoles show the name, and the card is placed
        again, as the email may name another company (and account)."""
        assert self.visitor_id is not None
        await self._publish(
            VisitorUpdated(
                visitor_id=self.visitor_id,
                changes={
                    "name": visitor.name,
                    "email": visitor.email,
                    "identity_status": visitor.identity_status,
                },
                visibility=self.visibility,
            )
        )
        if self.live is not None:
            await self._place(self.live.url, announce=True)

    async def typing(self, is_typing: bool) -> None:
        """The visitor is typing (or stopped) in their open chat, if they have one."""
        assert self.visitor_id is not None
        async with self.runtime.db.read() as session:
            conversation = await conversations.open_conversation_for_visitor(
                session, self.visitor_id
            )
        if conversation is not None:
            await self._publish(
                VisitorTyping(
                    conversation_id=conversation.id,
                    is_typing=is_typing,
                    visitor_id=self.visitor_id,
                    visibility=audience.of_conversation(conversation),
                )
            )

    async def draft(self, text: str) -> None:
        """Sneak peek: what the visitor has typed and not sent, to the consoles that may see
        their open chat (only when the org turned it on, which the messenger discloses). Relayed,
        never stored."""
        assert self.visitor_id is not None
        if not ((self.org.settings or {}).get("messenger") or {}).get("sneak_peek"):
            raise Forbidden("this website does not share what visitors type before they send it")
        async with self.runtime.db.read() as session:
            conversation = await conversations.open_conversation_for_visitor(
                session, self.visitor_id
            )
        if conversation is not None:
            await self._publish(
                VisitorTyping(
                    conversation_id=conversation.id,
                    is_typing=bool(text.strip()),
                    visitor_id=self.visitor_id,
                    draft=text,
                    visibility=audience.of_conversation(conversation),
                )
            )

    # ---- the visitor's chat ----------------------------------------------------------------

    async def send_message(self, client_id: str, body: str) -> conversations.Posted:
        assert self.visitor_id is not None
        posted = await conversations.post_visitor_message(
            self.runtime, self.org.id, self.visitor_id, client_id, body
        )
        self.has_open_conversation = True
        if posted.waiting and not posted.duplicate and not posted.conversation_created:
            for hook in self.runtime.hooks[conversations.VISITOR_WAITING_HOOK]:
                await hook(self.runtime, self.org, posted.message.conversation_id)
        return posted

    def chat_changed(self, *, chat_open: bool, owner_rep_id: str | None) -> None:
        """The visitor's chat changed state (heard on the visitor's topic): its owner sees the
        visitor from now on, and an open chat keeps the visitor's reps and idle clock."""
        self.has_open_conversation = chat_open
        old = self.visibility
        self.visibility = audience.of_visitor(old.routed_rep_ids, owner_rep_id)
        # A visitor routed to some reps whose chat changed hands (a transfer): the rep who
        # gave it away may lose the card and the one who took it gain it. The same move as a
        # change of segment: leave the old audience's streams, join the new one's.
        if self.placed and old.routed_rep_ids and old.owner_rep_id != owner_rep_id:
            self._spawn(self._move_audience(old))

    async def _move_audience(self, old: audience.Visibility) -> None:
        live = self.live
        if live is None or self.visitor_id is None:
            return
        async with self.runtime.db.read() as session:
            cards = await build_cards(session, self.org.id, [live])
        if not cards:
            return
        await self._publish(VisitorLeft(visitor_id=self.visitor_id, visibility=old))
        await self._publish(VisitorJoined(visitor=cards[0].card, visibility=self.visibility))

    async def messages_after(self, after_seq: int) -> tuple[str | None, list[MessageOut]]:
        """The messages of the visitor's open chat (or latest, if none is open) after a seq."""
        assert self.visitor_id is not None
        async with self.runtime.db.read() as session:
            conversation = await conversations.open_conversation_for_visitor(
                session, self.visitor_id
            )
            if conversation is None:
                conversation = await _latest_conversation(session, self.visitor_id)
            if conversation is None:
                return None, []
            messages = await conversations.messages_after(
                session,
                conversation,
                after_seq,
                include_internal=False,
                max_bytes=conversations.ANSWER_BYTES,
            )
        return conversation.id, messages

    async def catch_up(self, known_id: str | None, after_seq: int) -> CaughtUp | None:
        """The answer to a `resume` that names the conversation the widget knows (after a
        `resync`: events may have been lost on the bus): the frames it would have had, that is
        the conversation's current state (it may have been accepted, started by a rep or ended
        meanwhile) and each message it has not seen. A conversation the widget did not know is
        sent from the start; an older ended one it never showed is left alone, and with
        nothing to catch up there is nothing (None)."""
        assert self.visitor_id is not None
        async with self.runtime.db.read() as session:
            conversation = await conversations.open_conversation_for_visitor(
                session, self.visitor_id
            )
            if conversation is None and known_id is not None:
                latest = await _latest_conversation(session, self.visitor_id)
                conversation = latest if latest is not None and latest.id == known_id else None
            if conversation is None:
                return None
            if conversation.id != known_id:
                after_seq = 0
            messages = await conversations.messages_after(
                session,
                conversation,
                after_seq,
                include_internal=False,
                max_bytes=conversations.ANSWER_BYTES,
            )
            owner = await _owner(session, conversation)
        self.chat_changed(
            chat_open=conversation.status in conversations.OPEN_STATUSES,
            owner_rep_id=conversation.owner_rep_id,
        )
        return CaughtUp(
            VisitorConversationChanged(
                conversation=conversations.visitor_conversation(conversation, owner)
            ),
            messages,
        )

    # ---- placement: segment, routing, company ------------------------------------------------

    def placements_changed(self) -> None:
        """The org's segments, accounts or routing changed and every live visitor of it was
        placed again (features/segments/resegment.py): re-read this visitor's routing."""
        if self.live is not None:
            self._spawn(self._reload_routing())

    async def _reload_routing(self) -> None:
        async with self.runtime.db.read() as session:
            visit = await session.get(Visit, self.visit_id)
        if visit is not None:
            self.visibility = audience.of_visitor(
                visit.routed_rep_ids, self.visibility.owner_rep_id
            )

    async def _place(
        self, current_url: str, *, announce: bool = False
    ) -> tuple[VisitorCard | None, Conversation | None]:
        """Re-evaluate segment and routing; when they change, consoles move the card (and with
        `announce`, consoles get the fresh card even if they did not change)."""
        assert self.visitor_id is not None and self.visit_id is not None
        placed = await place_for_stream(
            self.runtime,
            self.org,
            await self.placements.segments(self.org.id),
            self.visitor_id,
            self.visit_id,
            current_url,
            live=self.live,
            hold_routing=self.has_open_conversation,
            with_card=not self.placed or announce,
            # Not tracked: nothing is looked up from the address either.
            ip=self.ip if self.tracked else None,
        )
        if placed is None:
            return None, None
        card, conversation = placed.card, placed.conversation
        old = self.visibility
        self.visibility = audience.of_visitor(
            placed.routed_rep_ids,
            conversation.owner_rep_id if conversation else old.owner_rep_id,
        )
        if card is not None and self.placed and not placed.changed and announce:
            await self._publish(VisitorJoined(visitor=card, visibility=self.visibility))
        if placed.changed and self.placed and card is not None:
            # Leave the old audience's streams, join the new one's (admins see both: a move).
            await self._publish(VisitorLeft(visitor_id=self.visitor_id, visibility=old))
            await self._publish(VisitorJoined(visitor=card, visibility=self.visibility))
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

    # ---- live state and events ---------------------------------------------------------------

    async def _touch(self, **changes: Any) -> LiveVisitor:
        assert self.visitor_id is not None and self.visit_id is not None
        assert self.visit_started_at is not None
        return await self.runtime.live.upsert_connection(
            self.org.id,
            self.visitor_id,
            self.connection_id,
            visit_id=self.visit_id,
            visit_started_at=self.visit_started_at,
            **changes,
        )

    async def _publish(
        self, event: VisitorJoined | VisitorUpdated | VisitorLeft | VisitorTyping
    ) -> None:
        await self.runtime.publish([org_topic(self.org.id)], event)

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
            await self._publish(
                VisitorUpdated(
                    visitor_id=self.visitor_id, changes=changes, visibility=self.visibility
                )
            )

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        tasks = self._tasks
        if tasks is None:
            tasks = self._tasks = set()
        tasks.add(task)
        task.add_done_callback(tasks.discard)


async def _owner(session: AsyncSession, conversation: Conversation) -> Rep | None:
    return await session.get(Rep, conversation.owner_rep_id) if conversation.owner_rep_id else None


async def _latest_conversation(session: AsyncSession, visitor_id: str) -> Conversation | None:
    return (
        await session.execute(
            select(Conversation)
            .where(Conversation.visitor_id == visitor_id)
            .order_by(Conversation.created_at.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
