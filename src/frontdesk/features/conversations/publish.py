"""What a stored change announces, and on which topics: message frames, conversation updates."""

from __future__ import annotations

from typing import TYPE_CHECKING

import orjson

from frontdesk.core import visitor_feed
from frontdesk.features import audience
from frontdesk.features.conversations.events import (
    ConversationUpdated,
    MessageOut,
    RepBrief,
    RepMessage,
    VisitorConversation,
    VisitorConversationChanged,
    VisitorMessage,
)
from frontdesk.features.conversations.lifecycle import OPEN_STATUSES
from frontdesk.features.conversations.models import Conversation
from frontdesk.features.conversations.queries import summary
from frontdesk.features.orgs.models import Rep
from frontdesk.runtime import UnitOfWork, org_topic, visitor_topic

if TYPE_CHECKING:
    from frontdesk.features.conversations.group_writer import OpenChat


def message_frames(
    conversation: Conversation | OpenChat, out: MessageOut
) -> list[tuple[str, bytes]]:
    """(topic, frame) pairs that announce a stored message: every console of the org (each
    filters by visibility) and, unless internal, the visitor's tabs.

    The frames are RepMessage and VisitorMessage (byte for byte what their to_bytes() gives,
    tests/unit/features/conversations), with the message serialised once for both."""
    message = out.model_dump(mode="json")
    visibility = audience.of_conversation(conversation).model_dump(mode="json")
    frames = [
        (
            org_topic(conversation.org_id),
            orjson.dumps({"type": RepMessage.name, "message": message, "visibility": visibility}),
        )
    ]
    if not out.internal:
        shown = out.for_visitor()
        frames.append(
            (
                visitor_topic(conversation.visitor_id),
                visitor_feed.pack_bytes(
                    VisitorMessage.name,
                    orjson.dumps(
                        {
                            "type": VisitorMessage.name,
                            "message": message if shown is out else shown.model_dump(mode="json"),
                        }
                    ),
                    echo_of=out.client_id if out.author_kind == "visitor" else None,
                ),
            )
        )
    return frames


async def emit_conversation_changed(work: UnitOfWork, conversation: Conversation) -> None:
    await work.session.flush()
    work.emit(
        [org_topic(conversation.org_id)],
        ConversationUpdated(
            conversation=await summary(work.session, conversation),
            visibility=audience.of_conversation(conversation),
        ),
    )
    owner = (
        await work.session.get(Rep, conversation.owner_rep_id)
        if conversation.owner_rep_id
        else None
    )
    work.emit(
        [visitor_topic(conversation.visitor_id)],
        visitor_feed.pack(
            VisitorConversationChanged(conversation=visitor_conversation(conversation, owner)),
            chat_open=conversation.status in OPEN_STATUSES,
            chat_owner_rep_id=conversation.owner_rep_id,
        ),
    )


def visitor_conversation(conversation: Conversation, owner: Rep | None) -> VisitorConversation:
    meta = conversation.meta
    return VisitorConversation(
        id=conversation.id,
        status=conversation.status,
        origin=conversation.origin,
        rep=RepBrief(id=owner.id, name=owner.name) if owner else None,
        offline=meta.offline,
        ask_identity=meta.ask_identity,
        away_until=meta.away_until,
        queue_position=meta.queue_position,
        invitation_id=meta.invitation_id,
        rating=meta.csat.score if meta.csat else None,
    )
