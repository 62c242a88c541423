"""The bot answers a waiting visitor from the org's knowledge (docs/copilot.md, "The bot's
answers"): only when no rep is available (outside business hours, everyone at capacity or
away, or the inbound countdown ran out with nobody accepting), only with the org's switch on
(`messenger.bot_answers`, off unless an admin sets it), only above the copilot's calibrated
confidence, only from what admins chose to publish (articles, Q&A pairs, website pages: never
a past rep answer, which was written to another visitor, nor a shortcut), quoting the source.
The messenger shows "Talk to a person" under every such answer, and the chat stays where it
was (waiting for a rep, the offline form, the booker): the answer never replaces the human.

Offline and deterministic: the same hybrid retrieval as Suggest, no model is asked.

Each answer is a durable deadline (`KIND_BOT_ANSWER`, due at once, subject the chat): the
search runs outside the transaction that stored the visitor's message, once across processes,
and two quick messages make one answer to the latest.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from frontdesk.deadlines import service as deadlines
from frontdesk.deadlines.service import DueDeadline
from frontdesk.features import conversations
from frontdesk.features.conversations.models import Conversation, Message
from frontdesk.features.copilot.embedding import embedding_available, load_embedder, load_tried
from frontdesk.features.copilot.models import CopilotOrg
from frontdesk.features.copilot.retrieval import Hit, indexes_of
from frontdesk.features.copilot.service import answer_text
from frontdesk.features.copilot.text import words
from frontdesk.features.orgs.models import Org
from frontdesk.runtime import Runtime, UnitOfWork

KIND_BOT_ANSWER = "copilot.bot_answer"
# What the bot may quote to a visitor: what admins published for visitors to read.
BOT_KINDS = ("article", "qa", "page")
# The copilot's calibrated threshold (retrieval.DENSE_THRESHOLD / LEXICAL_THRESHOLD map to it).
MIN_CONFIDENCE = 0.5
MAX_QUESTION = 2000


def bot_answers_on(settings: dict[str, Any] | None) -> bool:
    return bool(((settings or {}).get("messenger") or {}).get("bot_answers"))


def nobody_available(conversation: Conversation) -> bool:
    """No rep is taking this chat now: outside hours, queued, the offline form, or the rep
    window ran out with nobody accepting (the bot greeted). A missed chat is closed: the
    visitor's next message opens a new one."""
    meta = conversation.meta
    return conversation.status == "incoming" and (
        meta.offline
        or meta.away_until is not None
        or meta.queue_position is not None
        or meta.bot_greeted
    )


async def _schedule(work: UnitOfWork, conversation: Conversation) -> None:
    now = work.now_clock.now()
    await deadlines.schedule(
        work.session,
        kind=KIND_BOT_ANSWER,
        subject_id=conversation.id,
        due_at=now,
        now=now,
        org_id=conversation.org_id,
    )
    work.after_commit.append(work.runtime.sweeper.poke)


async def on_nobody_available(work: UnitOfWork, conversation: Conversation) -> None:
    """Hook (experiences.NOBODY_AVAILABLE_HOOK): a chat just found nobody to take it; its
    visitor's question is answered from the knowledge if the org has the bot's answers on."""
    org = await work.session.get(Org, conversation.org_id)
    if org is not None and bot_answers_on(org.settings):
        await _schedule(work, conversation)


async def on_visitor_waiting(runtime: Runtime, org: Org, conversation_id: str) -> None:
    """Hook (conversations.VISITOR_WAITING_HOOK): a visitor wrote again in a chat no rep owns.
    With the org's switch on (read from the socket's cached org: no query when it is off) and
    nobody taking the chat now, the bot looks for an answer."""
    if not bot_answers_on(org.settings):
        return
    async with runtime.db.read() as session:
        waiting = await session.get(Conversation, conversation_id)
        if waiting is None or waiting.org_id != org.id or not nobody_available(waiting):
            return  # offered to reps and still in the rep window: no write at all
    async with runtime.uow() as work:
        conversation = await work.session.get(Conversation, conversation_id)
        if conversation is None or not nobody_available(conversation):
            return
        await _schedule(work, conversation)


async def _question(runtime: Runtime, conversation_id: str) -> str | None:
    """The visitor's latest text message, unless the bot or a rep has spoken since."""
    async with runtime.db.read() as session:
        rows = (
            await session.execute(
                select(Message.author_kind, Message.body, Message.meta)
                .where(Message.conversation_id == conversation_id, Message.internal.is_(False))
                .order_by(Message.seq.desc())
                .limit(20)
            )
        ).all()
    for kind, body, meta in rows:
        if kind == "rep" or (kind == "bot" and (meta or {}).get("bot_answer")):
            return None
        if kind == "visitor":
            if (meta or {}).get("file"):
                return None
            return str(body).strip()[:MAX_QUESTION] or None
    return None


async def search_knowledge(runtime: Runtime, org_id: str, question: str, k: int) -> list[Hit]:
    """The org's best items for the question (hybrid when the embedding model is installed)."""
    index = await indexes_of(runtime).get(runtime, org_id)
    if not load_tried() and embedding_available():
        await asyncio.to_thread(load_embedder)
    vector = None
    if index.dense_ready:
        embedder = load_embedder()
        if embedder is not None:
            vector = embedder.embed([question])[0]
    return index.search(question, vector, k)


def best_answer(hits: list[Hit]) -> Hit | None:
    """The best hit the bot may quote, if it is above the calibrated threshold."""
    for hit in hits:
        if hit.entry.kind in BOT_KINDS and hit.confidence >= MIN_CONFIDENCE:
            return hit
    return None


def answer_body(text: str, hit: Hit) -> str:
    """The answer, then its source (the item's title, linked for a website page)."""
    title = " ".join(hit.entry.title.replace("[", "(").replace("]", ")").split())
    source = f"[{title}]({hit.entry.url})" if hit.entry.url else title
    return f"{text}\n\n— {source}"


async def on_bot_answer(runtime: Runtime, deadline: DueDeadline) -> None:
    async with runtime.db.read() as session:
        conversation = await session.get(Conversation, deadline.subject_id)
        if conversation is None or not nobody_available(conversation):
            return
        org = await session.get(Org, conversation.org_id)
        copilot_row = await session.get(CopilotOrg, conversation.org_id)
        if org is None or not bot_answers_on(org.settings):
            return
        if copilot_row is not None and not copilot_row.enabled:
            return
        org_id = conversation.org_id
    question = await _question(runtime, deadline.subject_id)
    if not question or not words(question):
        return
    hit = best_answer(await search_knowledge(runtime, org_id, question, k=5))
    if hit is None:
        return  # nothing confident: no answer is made up; the human path is already there
    body = answer_body(answer_text(hit, question), hit)
    async with runtime.uow() as work:
        conversation = await work.session.get(Conversation, deadline.subject_id)
        if conversation is None or not nobody_available(conversation):
            return  # a rep took the chat meanwhile
        await conversations.add_message(
            work,
            conversation,
            author_kind="bot",
            body=body[: conversations.MAX_BODY],
            meta={
                "bot_answer": {
                    "item_id": hit.entry.item_id,
                    "kind": hit.entry.kind,
                    "title": hit.entry.title,
                    "url": hit.entry.url,
                    "confidence": hit.confidence,
                }
            },
        )
