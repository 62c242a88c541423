"""Classifying a conversation during or after the chat."""

from __future__ import annotations

from typing import Any

from frontdesk.core.errors import ValidationFailed
from frontdesk.features import conversations
from frontdesk.features.conversations.events import Classification
from frontdesk.features.orgs import Authenticated
from frontdesk.runtime import Runtime

MAX_TAGS = 20


def clean_tags(tags: list[str]) -> list[str]:
    cleaned = []
    for tag in tags:
        text = tag.strip().lower()
        if not text or len(text) > 40:
            raise ValidationFailed("tags are 1 to 40 characters")
        if text not in cleaned:
            cleaned.append(text)
    if len(cleaned) > MAX_TAGS:
        raise ValidationFailed(f"at most {MAX_TAGS} tags")
    return cleaned


async def classify(
    runtime: Runtime, actor: Authenticated, conversation_id: str, values: dict[str, Any]
) -> Classification:
    async with runtime.uow() as work:
        conversation = await conversations.get_conversation(work.session, actor, conversation_id)
        if "qualified" in values:
            conversation.qualified = values["qualified"]
        if "tags" in values:
            conversation.tags = clean_tags(values["tags"] or [])
        if "deal_value" in values:
            conversation.deal_value = values["deal_value"]
        if "notes" in values:
            conversation.notes = (values["notes"] or "").strip() or None
        await conversations.emit_conversation_changed(work, conversation)
        return classification_dict(conversation)


def classification_dict(conversation: Any) -> Classification:
    return Classification(
        qualified=conversation.qualified,
        tags=list(conversation.tags or []),
        deal_value=conversation.deal_value,
        notes=conversation.notes,
    )
