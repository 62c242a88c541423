"""Rating a chat: who may rate which chat, when, and what a rating announces.

The rules (docs/widget.md, "Rating a chat"):
- the org asks for ratings (Admin -> Messenger: `messenger.csat` "faces" for bad/neutral/good,
  "stars" for 1-5; "off", the default, refuses every rating);
- only the chat's own visitor, only a chat that ended (not a missed one: nobody talked to
  them), and within `RATE_WITHIN` of its end;
- one rating per chat, final: a second one is refused (`already_rated`). The messenger sends
  the score and the comment together, so there is nothing to change afterwards, and a
  rating that cannot move is one webhook event and one figure in reports.

Where it is kept: on the chat itself (`conversation.meta.csat`, a `conversations.Rating`), so
the conversation view, Visitor 360, Account 360 and the chat-end webhook carry it without a
query of their own; reports add it up with the dialect's JSON function (reports/service.py).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from frontdesk.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from frontdesk.features import conversations
from frontdesk.features.conversations.models import Conversation
from frontdesk.features.orgs.models import Org
from frontdesk.runtime import Runtime

# Long enough for a visitor who comes back to the page the next morning; past it a rating
# would describe a chat they hardly remember.
RATE_WITHIN = timedelta(days=1)
MAX_COMMENT = 1000
# Run inside the rating's transaction with the rated conversation (webhooks send
# `conversation.rated`).
RATED_HOOK = "conversation.rated"


def csat_scale(org: Org) -> Literal[3, 5] | None:
    """The org's rating scale: 3 (bad, neutral, good), 5 (stars), or None when it asks none."""
    choice = ((org.settings or {}).get("messenger") or {}).get("csat")
    return 3 if choice == "faces" else 5 if choice == "stars" else None


def is_satisfied(score: int, scale: int) -> bool:
    """A satisfied visitor: "good" of three, or 4-5 of five (the usual CSAT definition)."""
    return score * 5 >= scale * 4


def rating_out(rating: conversations.Rating | None) -> dict[str, Any] | None:
    """The rating as the webhook carries it."""
    if rating is None:
        return None
    return {
        "score": rating.score,
        "scale": rating.scale,
        "satisfied": is_satisfied(rating.score, rating.scale),
        "comment": rating.comment,
        "rated_at": rating.at.isoformat(),
    }


async def rate_conversation(
    runtime: Runtime,
    org_id: str,
    visitor_id: str,
    conversation_id: str,
    score: int,
    comment: str | None,
) -> conversations.Rating:
    """Store the visitor's rating on their ended chat and tell the consoles, the visitor's
    other tabs and the webhooks (`conversation.rated`)."""
    text = (comment or "").strip() or None
    if text is not None and len(text) > MAX_COMMENT:
        raise ValidationFailed(f"the comment must have at most {MAX_COMMENT} characters")
    async with runtime.uow() as work:
        now = work.now_clock.now()
        # The org's row as stored now (a socket's cached copy may be a moment behind a change
        # made in another process; a rating is rare enough to read it).
        org = await work.session.get(Org, org_id)
        scale = csat_scale(org) if org is not None else None
        if scale is None:
            raise Forbidden("this website does not ask for ratings")
        if not 1 <= score <= scale:
            raise ValidationFailed(f"score must be from 1 to {scale}")
        conversation = await work.session.get(Conversation, conversation_id, with_for_update=True)
        if (
            conversation is None
            or conversation.org_id != org_id
            or conversation.visitor_id != visitor_id
        ):
            raise NotFound("conversation not found")
        if conversation.status != "ended" or conversation.ended_at is None:
            raise ValidationFailed("only a chat that has ended can be rated")
        if now - conversation.ended_at > RATE_WITHIN:
            raise ValidationFailed("this chat ended too long ago to be rated")
        if conversation.meta.csat is not None:
            raise Conflict("this chat has been rated already")
        rating = conversations.Rating(score=score, scale=scale, comment=text, at=now)
        with conversations.edit_meta(conversation) as meta:
            meta.csat = rating
        await work.run_hooks(RATED_HOOK, conversation)
        await conversations.emit_conversation_changed(work, conversation)
    return rating
