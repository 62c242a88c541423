"""Which reps may see a conversation, and the visibility its frames carry for the hub."""

from __future__ import annotations

from typing import TYPE_CHECKING

from frontdesk.features.conversations.events import Visibility
from frontdesk.features.conversations.models import Conversation
from frontdesk.features.orgs.service import Authenticated

if TYPE_CHECKING:
    from frontdesk.features.conversations.group_writer import OpenChat


def visibility(conversation: Conversation | OpenChat) -> Visibility:
    return Visibility(
        routed_rep_ids=list(conversation.routed_rep_ids or []),
        owner_rep_id=conversation.owner_rep_id,
    )


def may_see(actor: Authenticated, conversation: Conversation) -> bool:
    if actor.is_admin:
        return True
    routed = conversation.routed_rep_ids or []
    return not routed or actor.rep.id in routed or conversation.owner_rep_id == actor.rep.id
