"""A rep typing in a chat: shown in the visitor's messenger (the visitor's typing goes the
other way, from their tab: VisitorTab.typing)."""

from __future__ import annotations

from frontdesk.core import visitor_feed
from frontdesk.features import conversations
from frontdesk.features.conversations.events import Typing
from frontdesk.features.orgs import Authenticated
from frontdesk.runtime import Runtime, visitor_topic


async def rep_typing(
    runtime: Runtime, actor: Authenticated, conversation_id: str, is_typing: bool
) -> None:
    """Raises NotFound for a chat the rep may not see."""
    async with runtime.db.read() as session:
        conversation = await conversations.get_conversation(session, actor, conversation_id)
    await runtime.bus.publish(
        visitor_topic(conversation.visitor_id),
        visitor_feed.pack(
            Typing(conversation_id=conversation_id, is_typing=is_typing, rep_name=actor.rep.name)
        ),
    )
