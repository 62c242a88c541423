"""A visitor's data on request (GDPR articles 15 and 17, CCPA): export it all, or erase it all.

Export and erase walk the same list of tables, so what erase removes is exactly what export
shows: the visitor, their visits and page views, conversations and their messages and files
(the rows, and the bytes in the file store once the erase has committed), offline
messages, invitations, proactive events, reports filed about them, their calls and phone
legs, the copilot's past answers taken from their chats, meetings they booked and meeting offers made to them, their contact record
(when no other visitor shares it), webhook deliveries whose payload names them or their
conversations, and the timers about them. Erase also drops their live state (Redis) and closes
their open tabs, which reconnect as a new, unrelated visitor.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, false, func, inspect, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.core.errors import NotFound
from frontdesk.deadlines.models import Deadline
from frontdesk.features import audience, files
from frontdesk.features.blocking.models import VisitorReport
from frontdesk.features.calls.models import Call
from frontdesk.features.conversations.models import Conversation, Message
from frontdesk.features.copilot.models import CopilotOrg, KnowledgeItem, Passage
from frontdesk.features.experiences.models import OfflineMessage
from frontdesk.features.files.models import ChatFile
from frontdesk.features.live_stream.events import VisitorLeft
from frontdesk.features.meetings.models import Meeting, MeetingOffer
from frontdesk.features.privacy.events import ERASED_FEED
from frontdesk.features.privacy.schemas import VisitorErasure, VisitorExport
from frontdesk.features.proactive.models import Invitation, ProactiveEvent
from frontdesk.features.reports import touch_rollups
from frontdesk.features.telephony.models import PhoneLeg
from frontdesk.features.visitors.models import Contact, PageView, Visit, Visitor
from frontdesk.features.webhooks.models import WebhookDelivery
from frontdesk.runtime import Runtime, org_topic, visitor_topic
from frontdesk.storage.base import Base


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _row(obj: Base) -> dict[str, Any]:
    return {
        attr.key: _jsonable(getattr(obj, attr.key)) for attr in inspect(obj).mapper.column_attrs
    }


class _Subject:
    """The visitor's rows, table by table (the queries export reads and erase deletes)."""

    def __init__(
        self, org_id: str, visitor: Visitor, conversation_ids: list[str], invitation_ids: list[str]
    ) -> None:
        self.org_id = org_id
        self.visitor = visitor
        self.conversation_ids = conversation_ids
        self.invitation_ids = invitation_ids

    def _in_conversations(self, column: Any) -> ColumnElement[bool]:
        return column.in_(self.conversation_ids) if self.conversation_ids else false()

    def tables(self, shared_contact: bool) -> list[tuple[str, type[Base], ColumnElement[bool]]]:
        """(name, model, condition), children before parents: the order erase deletes in."""
        vid = self.visitor.id
        mentioned = [vid, *self.conversation_ids]
        contact_id = self.visitor.contact_id
        # What the copilot learnt from their chats: past rep answers to their questions.
        past_answers = (
            (KnowledgeItem.org_id == self.org_id)
            & (KnowledgeItem.kind == "past_answer")
            & self._in_conversations(KnowledgeItem.ref_id)
        )
        return [
            # Files sent in their chats (the bytes in the file store go too: erase_visitor).
            ("chat_files", ChatFile, self._in_conversations(ChatFile.conversation_id)),
            ("messages", Message, self._in_conversations(Message.conversation_id)),
            (
                "copilot_passages",
                Passage,
                Passage.item_id.in_(select(KnowledgeItem.id).where(past_answers)),
            ),
            ("copilot_items", KnowledgeItem, past_answers),
            (
                "proactive_events",
                ProactiveEvent,
                or_(
                    ProactiveEvent.visitor_id == vid,
                    self._in_conversations(ProactiveEvent.conversation_id),
                ),
            ),
            (
                "visitor_reports",
                VisitorReport,
                or_(
                    VisitorReport.visitor_id == vid,
                    self._in_conversations(VisitorReport.conversation_id),
                ),
            ),
            (
                "offline_messages",
                OfflineMessage,
                or_(
                    OfflineMessage.visitor_id == vid,
                    self._in_conversations(OfflineMessage.conversation_id),
                ),
            ),
            ("invitations", Invitation, Invitation.visitor_id == vid),
            # The phone numbers the visitor asked to be called on (join by phone).
            (
                "phone_legs",
                PhoneLeg,
                or_(
                    PhoneLeg.visitor_id == vid,
                    self._in_conversations(PhoneLeg.conversation_id),
                ),
            ),
            # Meetings they booked (their name, email, answers) and slots offered to them.
            (
                "meetings",
                Meeting,
                or_(Meeting.visitor_id == vid, self._in_conversations(Meeting.conversation_id)),
            ),
            (
                "meeting_offers",
                MeetingOffer,
                or_(
                    MeetingOffer.visitor_id == vid,
                    self._in_conversations(MeetingOffer.conversation_id),
                ),
            ),
            (
                "webhook_deliveries",
                WebhookDelivery,
                (WebhookDelivery.org_id == self.org_id)
                & or_(*[WebhookDelivery.payload.contains(i, autoescape=True) for i in mentioned]),
            ),
            (
                "deadlines",
                Deadline,
                or_(
                    Deadline.subject_id.in_([*mentioned, *self.invitation_ids]),
                    # A call's ring and liveness timers (before the calls themselves go).
                    Deadline.subject_id.in_(select(Call.id).where(Call.visitor_id == vid)),
                ),
            ),
            # Voice and video calls: who, when, how long (never any audio or video).
            ("calls", Call, Call.visitor_id == vid),
            ("page_views", PageView, PageView.visitor_id == vid),
            ("visits", Visit, Visit.visitor_id == vid),
            ("conversations", Conversation, self._in_conversations(Conversation.id)),
            ("visitors", Visitor, Visitor.id == vid),
            (
                "contacts",
                Contact,
                Contact.id == contact_id if contact_id and not shared_contact else false(),
            ),
        ]


async def _subject(session: AsyncSession, org_id: str, visitor_id: str) -> tuple[_Subject, bool]:
    visitor = await session.get(Visitor, visitor_id)
    if visitor is None or visitor.org_id != org_id:
        raise NotFound("visitor not found")
    conversation_ids = list(
        (
            await session.execute(
                select(Conversation.id).where(Conversation.visitor_id == visitor_id)
            )
        ).scalars()
    )
    invitation_ids = list(
        (
            await session.execute(select(Invitation.id).where(Invitation.visitor_id == visitor_id))
        ).scalars()
    )
    shared = False
    if visitor.contact_id is not None:
        others = (
            await session.execute(
                select(func.count())
                .select_from(Visitor)
                .where(Visitor.contact_id == visitor.contact_id, Visitor.id != visitor_id)
            )
        ).scalar_one()
        shared = others > 0
    return _Subject(org_id, visitor, conversation_ids, invitation_ids), shared


async def export_visitor(runtime: Runtime, org_id: str, visitor_id: str) -> VisitorExport:
    async with runtime.db.read() as session:
        subject, shared = await _subject(session, org_id, visitor_id)
        tables: dict[str, list[dict[str, Any]]] = {}
        for name, model, condition in subject.tables(shared):
            query: Select[Any] = select(model).where(condition)
            tables[name] = [_row(row) for row in (await session.execute(query)).scalars()]
    return VisitorExport(
        visitor_id=visitor_id, exported_at=runtime.clock.now().isoformat(), tables=tables
    )


async def erase_visitor(runtime: Runtime, org_id: str, visitor_id: str) -> VisitorErasure:
    deleted: dict[str, int] = {}
    async with runtime.uow() as work:
        subject, shared = await _subject(work.session, org_id, visitor_id)
        # Report rollups that counted their chats and events are read from the rows again.
        await touch_rollups(
            work.session,
            org_id,
            [
                *(
                    await work.session.execute(
                        select(Conversation.created_at).where(Conversation.visitor_id == visitor_id)
                    )
                ).scalars(),
                *(
                    await work.session.execute(
                        select(ProactiveEvent.at).where(ProactiveEvent.visitor_id == visitor_id)
                    )
                ).scalars(),
            ],
        )
        # The files' rows go first, and their bytes once this has committed (below).
        file_keys = await files.forget_files(work.session, subject.conversation_ids)
        for name, model, condition in subject.tables(shared):
            result = await work.session.execute(
                delete(model).where(condition).execution_options(synchronize_session=False)
            )
            deleted[name] = int(getattr(result, "rowcount", 0) or 0)
        if deleted.get("copilot_items"):
            # Every process's copilot index of the org is stale from this commit on.
            await work.session.execute(
                update(CopilotOrg)
                .where(CopilotOrg.org_id == org_id)
                .values(version=CopilotOrg.version + 1)
                .execution_options(synchronize_session=False)
            )
        deleted["chat_files"] = len([key for key in file_keys if key.endswith(".bin")])
        # Their open tabs close (and come back as someone new); consoles drop their card.
        work.emit([visitor_topic(visitor_id)], ERASED_FEED)
        work.emit(
            [org_topic(org_id)], VisitorLeft(visitor_id=visitor_id, visibility=audience.EVERYONE)
        )
    await files.delete_stored(runtime, file_keys)
    await runtime.live.forget(org_id, visitor_id)
    return VisitorErasure(visitor_id=visitor_id, deleted=deleted)
