"""Suggest, Expand and Tune for a rep, on/off per org, usage per rep.

Offline first: every answer is computed without any external service, and a configured
OpenAI-compatible model (FRONTDESK_AI_URL, shared with auto pounce) only replaces it when its
text passes the checks in grounding.py. Nothing here sends a message: the rep inserts, edits
and sends.
"""

from __future__ import annotations

import asyncio
import difflib
import logging
import re
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.core.errors import Forbidden, ValidationFailed
from frontdesk.features import conversations
from frontdesk.features.conversations.models import Conversation, Message
from frontdesk.features.copilot.compose import SourceText, compose
from frontdesk.features.copilot.embedding import (
    Vector,
    embedding_available,
    embedding_status,
    load_embedder,
    load_tried,
)
from frontdesk.features.copilot.events import CopilotChanged
from frontdesk.features.copilot.grounding import (
    CHECK_BACK,
    CITATION,
    EXPAND_SYSTEM,
    SUGGEST_SYSTEM,
    TONE_WORDS,
    TUNE_SYSTEM,
    ChatModel,
    check_answer,
    check_rewrite,
    suggest_prompt,
)
from frontdesk.features.copilot.models import (
    CopilotOrg,
    CopilotUsage,
    KnowledgeItem,
    Passage,
)
from frontdesk.features.copilot.retrieval import Hit, Indexer, OrgIndex, indexes_of
from frontdesk.features.copilot.schemas import (
    ClosestSource,
    CopilotAdmin,
    CopilotStatus,
    DiffPart,
    KindCount,
    RepUsage,
    SourceRef,
    SuggestionOut,
    SuggestOut,
    ToneName,
    TunedOut,
    WrittenOut,
)
from frontdesk.features.copilot.text import sentences, words
from frontdesk.features.copilot.website import list_sources, source_out
from frontdesk.features.copilot.writing import grammar_status, keep_words, missing, write_message
from frontdesk.features.copilot.writing import tune as tune_offline
from frontdesk.features.formatting import BRACE_VARIABLE, fill_template, variable_source
from frontdesk.features.orgs import Authenticated
from frontdesk.features.orgs.models import Org, Rep
from frontdesk.features.visitors.models import Visitor
from frontdesk.runtime import Runtime, org_topic

log = logging.getLogger("frontdesk.copilot")

NO_CONFIDENT_ANSWER = "No confident answer"
MAX_QUESTION = 2000
MAX_NOTES = 4000
MAX_TUNE = 10_000
# how much of a long page Expand reads for sentences to quote
MAX_SOURCE_TEXT = 20_000


def source_ref(hit: Hit) -> SourceRef:
    entry = hit.entry
    return SourceRef(
        item_id=entry.item_id,
        kind=entry.kind,
        title=entry.title,
        url=entry.url,
    )


def item_body(hit: Hit, values: dict[str, str | None] | None = None) -> str:
    """The item's text; a shortcut's with its variables filled in for this conversation's
    visitor, as inserting the shortcut would (unknown or empty ones left out cleanly), so a
    raw `{visitor.first_name}` never reaches the composer."""
    entry = hit.entry
    if entry.kind == "shortcut":
        return fill_template(entry.body, values or {}, BRACE_VARIABLE)
    return entry.body


def answer_text(
    hit: Hit, question: str, max_sentences: int = 3, values: dict[str, str | None] | None = None
) -> str:
    """The passage's own words that answer: a Q&A pair's, a shortcut's or a past reply's
    answer whole; from an article or a page the sentences sharing most words with the
    question (in their order)."""
    entry = hit.entry
    if entry.kind in ("qa", "shortcut", "past_answer"):
        return item_body(hit, values).strip()
    lines = entry.text.split("\n", 1)
    body = lines[1] if len(lines) > 1 and lines[0].strip() == entry.title.strip() else entry.text
    candidates = sentences(body)
    if len(candidates) <= max_sentences:
        return " ".join(candidates)
    terms = set(words(question))
    scored = [(len(terms & set(words(s))), -i, i) for i, s in enumerate(candidates)]
    best = sorted(scored, reverse=True)[:max_sentences]
    keep = sorted(i for score, _, i in best if score > 0) or [0, 1]
    return " ".join(candidates[i] for i in keep[:max_sentences])


def source_text(hit: Hit, query: str, values: dict[str, str | None] | None = None) -> SourceText:
    """A hit as Expand may quote it: all the item's sentences, and its answer (a Q&A pair's,
    shortcut's or past reply's whole answer; an article's or page's passage when it is short,
    else the sentences sharing most words with the query)."""
    entry = hit.entry
    if entry.kind in ("qa", "shortcut", "past_answer"):
        every = tuple(sentences(item_body(hit, values)))
        return SourceText(entry.item_id, entry.title, entry.question, every, every)
    lines = entry.text.split("\n", 1)
    body = lines[1] if len(lines) > 1 and lines[0].strip() == entry.title.strip() else entry.text
    passage = sentences(body)
    answer = passage if len(passage) <= 4 else sentences(answer_text(hit, query))
    return SourceText(
        entry.item_id,
        entry.title,
        entry.question,
        tuple(sentences(entry.body[:MAX_SOURCE_TEXT])),
        tuple(answer),
    )


def diff(original: str, tuned: str) -> list[DiffPart]:
    a = re.findall(r"\S+|\s+", original)
    b = re.findall(r"\S+|\s+", tuned)
    parts: list[DiffPart] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(DiffPart(op="equal", text="".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(DiffPart(op="delete", text="".join(a[i1:i2])))
        if j2 > j1:
            parts.append(DiffPart(op="insert", text="".join(b[j1:j2])))
    return parts


class Copilot:
    """The process's copilot: its indexes, its background indexer, the optional model."""

    def __init__(self, runtime: Runtime, model: ChatModel | None) -> None:
        self.runtime = runtime
        self.model = model
        self.indexes = indexes_of(runtime)
        self.indexer = Indexer(runtime)

    # ---- state -----------------------------------------------------------------------------

    def knowledge_changed(self) -> None:
        """Call after committing a change: embed the new passages soon."""
        self.indexer.wake()

    def retrieval_mode(self) -> str:
        return "hybrid" if embedding_available() else "bm25"

    async def status(self, org_id: str) -> CopilotStatus:
        async with self.runtime.db.read() as session:
            row = await session.get(CopilotOrg, org_id)
        return CopilotStatus(
            enabled=row.enabled if row else True,
            retrieval="hybrid" if embedding_available() else "bm25",
            embeddings=embedding_status()
            if embedding_status() != "not loaded yet" or not embedding_available()
            else "installed; loads on first use",
            grammar=grammar_status(),
            endpoint=self.model is not None,
        )

    async def _require_enabled(self, session: AsyncSession, org_id: str) -> None:
        row = await session.get(CopilotOrg, org_id)
        if row is not None and not row.enabled:
            raise Forbidden("the AI copilot is turned off for your org (Admin > AI Copilot)")

    async def set_enabled(self, actor: Authenticated, enabled: bool) -> CopilotStatus:
        actor.require_admin()
        now = self.runtime.clock.now()
        async with self.runtime.uow() as work:
            row = await work.session.get(CopilotOrg, actor.org_id)
            if row is None:
                work.session.add(
                    CopilotOrg(org_id=actor.org_id, enabled=enabled, version=0, updated_at=now)
                )
            else:
                row.enabled = enabled
                row.updated_at = now
            # every open console of the org learns it at once (published after the commit)
            work.emit([org_topic(actor.org_id)], CopilotChanged(enabled=enabled))
        return await self.status(actor.org_id)

    async def _count(self, actor: Authenticated, action: str) -> None:
        now = self.runtime.clock.now()
        async with self.runtime.db.transaction() as session:
            dialect = session.bind.dialect.name
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            statement = insert(CopilotUsage).values(
                rep_id=actor.rep.id, action=action, org_id=actor.org_id, count=1, last_used_at=now
            )
            table = CopilotUsage.__table__
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=["rep_id", "action"],
                    set_={"count": table.c.count + 1, "last_used_at": now},
                )
            )

    async def _context(
        self, actor: Authenticated, conversation_id: str | None
    ) -> tuple[Conversation | None, str | None, list[str]]:
        """The conversation (checked: the rep may see it), the visitor's first name, and the
        org's website origins."""
        async with self.runtime.db.read() as session:
            await self._require_enabled(session, actor.org_id)
            org = await session.get(Org, actor.org_id)
            origins = list(org.allowed_origins) if org else []
            if conversation_id is None:
                return None, None, origins
            conversation = await conversations.get_conversation(session, actor, conversation_id)
            visitor = await session.get(Visitor, conversation.visitor_id)
            name = (visitor.name or "").strip().split()[0] if visitor and visitor.name else None
            return conversation, name, origins

    # ---- Suggest ---------------------------------------------------------------------------

    async def latest_question(self, conversation: Conversation) -> str | None:
        """The visitor's messages since the rep's last reply (or their last message)."""
        async with self.runtime.db.read() as session:
            rows = (
                await session.execute(
                    select(Message.author_kind, Message.body)
                    .where(
                        Message.conversation_id == conversation.id,
                        Message.internal.is_(False),
                        Message.author_kind.in_(("visitor", "rep")),
                    )
                    .order_by(Message.seq.desc())
                    .limit(20)
                )
            ).all()
        asked: list[str] = []
        for kind, body in rows:
            if kind == "visitor":
                asked.append(body.strip())
            elif asked:
                break
        if not asked:
            last = next((body for kind, body in rows if kind == "visitor"), None)
            return last.strip() if last else None
        return " ".join(reversed(asked))

    def embed_query(self, question: str) -> Vector | None:
        embedder = load_embedder()
        if embedder is None:
            return None
        vector: Vector = embedder.embed([question])[0]
        return vector

    async def index_for(self, org_id: str) -> OrgIndex:
        return await self.indexes.get(self.runtime, org_id)

    async def search(self, org_id: str, question: str, k: int = 3) -> tuple[list[Hit], bool]:
        index = await self.index_for(org_id)
        if not load_tried() and embedding_available():
            await asyncio.to_thread(load_embedder)  # the first call loads the model
        vector = self.embed_query(question) if index.dense_ready else None
        return index.search(question, vector, k), vector is not None

    async def suggest(
        self, actor: Authenticated, conversation_id: str | None, question: str | None
    ) -> SuggestOut:
        conversation, _, origins = await self._context(actor, conversation_id)
        if question is None or not question.strip():
            question = await self.latest_question(conversation) if conversation else None
        if not question or not question.strip():
            raise ValidationFailed("there is no visitor question to answer yet")
        question = question.strip()[:MAX_QUESTION]
        hits, dense = await self.search(actor.org_id, question, k=3)
        values = await self._shortcut_values(actor, conversation, hits)
        await self._count(actor, "suggest")
        return await self.answer(question, hits, dense, origins, values)

    async def _shortcut_values(
        self, actor: Authenticated, conversation: Conversation | None, hits: list[Hit]
    ) -> dict[str, str | None]:
        """What a shortcut's variables stand for in this conversation (the values inserting
        the shortcut uses), read only when a hit is a shortcut."""
        if not any(h.entry.kind == "shortcut" for h in hits):
            return {}
        async with self.runtime.db.read() as session:
            visitor = await session.get(Visitor, conversation.visitor_id) if conversation else None
            source = await variable_source(session, self.runtime.live, visitor, actor.rep.name)
        return source.shortcut_values()

    async def answer(
        self,
        question: str,
        hits: list[Hit],
        dense: bool,
        origins: list[str],
        values: dict[str, str | None] | None = None,
    ) -> SuggestOut:
        confident = [h for h in hits if h.confidence >= 0.5]
        offline = [
            SuggestionOut(
                text=answer_text(h, question, values=values),
                origin="knowledge",
                sources=[source_ref(h)],
                confidence=h.confidence,
            )
            for h in confident
        ]
        closest = [
            ClosestSource(
                source=source_ref(h),
                snippet=answer_text(h, question, 2, values)[:300],
                confidence=h.confidence,
            )
            for h in hits
        ]
        fallback_reason: str | None = None
        suggestions = offline
        if self.model is not None and hits:
            passages = [h.entry.text for h in hits]
            text, fallback_reason = await self._ask(
                SUGGEST_SYSTEM, suggest_prompt(question, passages), "suggest"
            )
            if text is not None:
                problem = check_answer(text, passages, question, origins)
                if problem is None:
                    cited = sorted({int(n) for n in CITATION.findall(text)})
                    model_answer = SuggestionOut(
                        text=text.strip(),
                        origin="model",
                        sources=[source_ref(hits[n - 1]) for n in cited],
                        confidence=max((hits[n - 1].confidence for n in cited), default=0.0),
                    )
                    if text.strip().rstrip(".").lower() != CHECK_BACK.rstrip(".").lower():
                        suggestions = [model_answer, *offline]
                    elif not offline:
                        suggestions = [model_answer]
                else:
                    fallback_reason = problem
                    log.info(
                        "copilot model answer rejected; the offline answer is used",
                        extra={"reason": problem, "action": "suggest"},
                    )
        status = "answer" if suggestions else "no_confident_answer"
        return SuggestOut(
            question=question,
            status=status,
            suggestions=suggestions,
            closest=closest,
            retrieval="hybrid" if dense else "bm25",
            fallback_reason=fallback_reason,
        )

    async def _ask(self, system: str, prompt: str, action: str) -> tuple[str | None, str | None]:
        """The model's text, or None and why not (logged)."""
        assert self.model is not None
        try:
            async with asyncio.timeout(self.runtime.settings.ai_timeout + 0.5):
                return await self.model.complete(system, prompt), None
        except TimeoutError:
            reason = "the model did not answer in time"
        except Exception as exc:  # any failure of the model falls back to the offline text
            reason = f"the model failed: {type(exc).__name__}: {exc}"[:300]
        log.info(
            "copilot model unavailable; the offline result is used",
            extra={"reason": reason, "action": action},
        )
        return None, reason

    # ---- Expand and Tune -------------------------------------------------------------------

    async def expand(
        self, actor: Authenticated, notes: str, tone: ToneName, conversation_id: str | None
    ) -> WrittenOut:
        notes = notes.strip()
        if not notes:
            raise ValidationFailed("write a few notes or keywords to expand")
        if len(notes) > MAX_NOTES:
            raise ValidationFailed(f"notes are at most {MAX_NOTES:,} characters")
        conversation, name, origins = await self._context(actor, conversation_id)
        keep = keep_words(notes)
        # The best-matching shortcut or knowledge passage, found as Suggest finds answers
        # (the visitor's latest question helps find it), is used where it fits: only a
        # source above the calibrated threshold, and only its sentences that say all of a
        # note (compose.py). The rest of the message is the notes' own sentences.
        question = await self.latest_question(conversation) if conversation else None
        query = (f"{question}\n{notes}" if question else notes)[:MAX_QUESTION]
        hits, _ = await self.search(actor.org_id, query, k=3)
        fitting = [h for h in hits if h.confidence >= 0.5]
        values = await self._shortcut_values(actor, conversation, fitting)
        composed = compose(notes, [source_text(h, query, values) for h in fitting])
        offline = write_message(composed.body, tone, name)
        used = [h for h in fitting if any(s.key == h.entry.item_id for s in composed.sources)]
        sources = [source_ref(h) for h in used]
        knowledge: Literal["used", "no_match", "not_used"] = "used" if used else "no_match"
        quoted = composed.quoted
        text, origin, reason = offline, "rules", None
        if self.model is not None:
            name_rule = (
                f"Greet the visitor by their first name, {name}."
                if name
                else "Do not invent a name."
            )
            system = EXPAND_SYSTEM.format(tone=TONE_WORDS[tone], name_rule=name_rule)
            answer, reason = await self._ask(system, f"Notes:\n{notes}", "expand")
            if answer is not None:
                reason = check_rewrite(
                    answer, notes, origins, must_keep=keep, extra_allowed=name or ""
                )
                if reason is None:
                    text, origin = answer.strip(), "model"
                    sources, knowledge, quoted = [], "not_used", []
                else:
                    log.info(
                        "copilot model text rejected; the offline result is used",
                        extra={"reason": reason, "action": "expand"},
                    )
        lost = missing(keep, text)
        if lost:  # never expected offline: the rules keep numbers and names
            log.warning("expand lost words", extra={"lost": lost})
        await self._count(actor, "expand")
        return WrittenOut(
            text=text,
            tone=tone,
            origin=origin,
            kept=sorted(w for w in keep if w not in lost),
            fallback_reason=reason,
            knowledge=knowledge,
            sources=sources,
            quoted=quoted,
        )

    async def tune(
        self, actor: Authenticated, text: str, tone: ToneName, conversation_id: str | None
    ) -> TunedOut:
        original = text.strip()
        if not original:
            raise ValidationFailed("write a message to tune")
        if len(original) > MAX_TUNE:
            raise ValidationFailed(f"a message is at most {MAX_TUNE:,} characters")
        _, _, origins = await self._context(actor, conversation_id)
        tuned = tune_offline(original, tone, None)
        result, origin, reason = tuned, "rules", None
        if self.model is not None:
            system = TUNE_SYSTEM.format(tone=TONE_WORDS[tone])
            answer, reason = await self._ask(system, original, "tune")
            if answer is not None:
                keep = keep_words(original)
                reason = check_rewrite(answer, original, origins, must_keep=keep)
                if reason is None:
                    result, origin = answer.strip(), "model"
                else:
                    log.info(
                        "copilot model text rejected; the offline result is used",
                        extra={"reason": reason, "action": "tune"},
                    )
        await self._count(actor, "tune")
        return TunedOut(
            text=result,
            original=original,
            tone=tone,
            origin=origin,
            diff=diff(original, result),
            fallback_reason=reason,
        )

    # ---- admin -----------------------------------------------------------------------------

    async def admin(self, actor: Authenticated) -> CopilotAdmin:
        actor.require_admin()
        status = await self.status(actor.org_id)
        async with self.runtime.db.read() as session:
            kinds = await session.execute(
                select(KnowledgeItem.kind, func.count())
                .where(KnowledgeItem.org_id == actor.org_id)
                .group_by(KnowledgeItem.kind)
            )
            passages, indexed = (
                await session.execute(
                    select(func.count(), func.count(Passage.model_id)).where(
                        Passage.org_id == actor.org_id
                    )
                )
            ).one()
            sources = await list_sources(session, actor.org_id)
            usage_rows = await session.execute(
                select(Rep.id, Rep.name, CopilotUsage.action, CopilotUsage.count)
                .join(CopilotUsage, CopilotUsage.rep_id == Rep.id)
                .where(Rep.org_id == actor.org_id)
            )
            usage: dict[str, RepUsage] = {}
            for rep_id, name, action, count in usage_rows:
                entry = usage.setdefault(
                    rep_id, RepUsage(rep_id=rep_id, name=name, suggest=0, expand=0, tune=0)
                )
                if action in ("suggest", "expand", "tune"):
                    setattr(entry, action, int(count))
        return CopilotAdmin(
            status=status,
            items=[KindCount(kind=k, items=int(n)) for k, n in kinds],
            passages=int(passages or 0),
            passages_indexed=int(indexed or 0),
            sources=[source_out(s) for s in sources],
            usage=sorted(usage.values(), key=lambda u: -(u.suggest + u.expand + u.tune)),
        )
