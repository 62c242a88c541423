"""What an org's copilot knows: articles and Q&A pairs (admins write or import them), Org
Shortcuts (copied in when they change), past rep answers (taken from each ended chat), and
website pages (website.py). Every item keeps where it came from; every change bumps the org's
copilot version, which tells each process to reload its index."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import datetime
from typing import Literal

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.core.errors import NotFound, ValidationFailed
from frontdesk.core.ids import new_id
from frontdesk.features.conversations.models import Conversation, Message
from frontdesk.features.copilot.models import CopilotOrg, KnowledgeItem, Passage
from frontdesk.features.copilot.schemas import ImportResult, KnowledgeItemOut
from frontdesk.features.copilot.text import passages
from frontdesk.features.orgs import Authenticated
from frontdesk.features.shortcuts.models import Shortcut
from frontdesk.runtime import UnitOfWork

EditableKind = Literal["article", "qa"]
MAX_TITLE = 300
MAX_QUESTION = 1000
MAX_BODY = 20_000
MAX_IMPORT_ITEMS = 2000
MAX_ITEMS_PER_ORG = 20_000


def content_hash(*parts: str | None) -> str:
    return hashlib.sha256("\x1f".join(p or "" for p in parts).encode()).hexdigest()


async def bump_version(session: AsyncSession, org_id: str, now: datetime) -> None:
    """Every process's index of this org is stale from this commit on."""
    dialect = session.bind.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(CopilotOrg).values(org_id=org_id, enabled=True, version=1, updated_at=now)
    table = CopilotOrg.__table__
    statement = statement.on_conflict_do_update(
        index_elements=["org_id"], set_={"version": table.c.version + 1, "updated_at": now}
    )
    await session.execute(statement)


async def copilot_row(session: AsyncSession, org_id: str) -> CopilotOrg | None:
    return await session.get(CopilotOrg, org_id)


def passage_texts(item: KnowledgeItem) -> list[str]:
    if item.kind in ("qa", "past_answer"):
        return [f"{item.question or item.title}\n{item.body}"]
    if item.kind == "shortcut":
        return [f"{item.title}\n{item.body}"]
    return passages(item.title, item.body)


def replace_passages(session: AsyncSession, item: KnowledgeItem) -> None:
    for position, text in enumerate(passage_texts(item)):
        session.add(
            Passage(
                id=new_id(),
                org_id=item.org_id,
                item_id=item.id,
                position=position,
                text=text,
                embedding=None,
                model_id=None,
            )
        )


async def add_item(
    session: AsyncSession,
    org_id: str,
    *,
    kind: str,
    title: str,
    body: str,
    now: datetime,
    question: str | None = None,
    url: str | None = None,
    source_id: str | None = None,
    ref_id: str | None = None,
) -> KnowledgeItem:
    item = KnowledgeItem(
        id=new_id(),
        org_id=org_id,
        kind=kind,
        title=title[:MAX_TITLE],
        question=question,
        body=body,
        url=url,
        source_id=source_id,
        ref_id=ref_id,
        content_hash=content_hash(title, question, body),
        created_at=now,
        updated_at=now,
    )
    session.add(item)
    replace_passages(session, item)
    return item


def item_out(item: KnowledgeItem, passage_count: int = 0, indexed: int = 0) -> KnowledgeItemOut:
    return KnowledgeItemOut(
        id=item.id,
        kind=item.kind,
        title=item.title,
        question=item.question,
        body=item.body,
        url=item.url,
        updated_at=item.updated_at.isoformat(),
        passages=passage_count,
        indexed=indexed,
    )


def _checked(
    kind: EditableKind, title: str, question: str | None, body: str
) -> tuple[str, str | None, str]:
    title, body = title.strip(), body.strip()
    question = question.strip() if question else None
    if kind == "qa":
        question = question or title
        if not question:
            raise ValidationFailed("a Q&A pair needs a question")
        if len(question) > MAX_QUESTION:
            raise ValidationFailed(f"a question is at most {MAX_QUESTION:,} characters")
        title = title or question
    if not title:
        raise ValidationFailed("an article needs a title")
    if len(title) > MAX_TITLE:
        raise ValidationFailed(f"a title is at most {MAX_TITLE} characters")
    if not body:
        raise ValidationFailed("the text (answer) is empty")
    if len(body) > MAX_BODY:
        raise ValidationFailed(f"the text is at most {MAX_BODY:,} characters; split it")
    return title, question if kind == "qa" else None, body


async def _room_for(session: AsyncSession, org_id: str, adding: int) -> None:
    count = await session.scalar(
        select(func.count()).select_from(KnowledgeItem).where(KnowledgeItem.org_id == org_id)
    )
    if (count or 0) + adding > MAX_ITEMS_PER_ORG:
        raise ValidationFailed(f"an org's copilot holds at most {MAX_ITEMS_PER_ORG:,} items")


async def create_item(
    session: AsyncSession,
    actor: Authenticated,
    kind: EditableKind,
    title: str,
    question: str | None,
    body: str,
    now: datetime,
) -> KnowledgeItem:
    actor.require_admin()
    title, question, body = _checked(kind, title, question, body)
    await _room_for(session, actor.org_id, 1)
    item = await add_item(
        session, actor.org_id, kind=kind, title=title, question=question, body=body, now=now
    )
    await bump_version(session, actor.org_id, now)
    return item


async def get_item(session: AsyncSession, actor: Authenticated, item_id: str) -> KnowledgeItem:
    item = await session.get(KnowledgeItem, item_id)
    if item is None or item.org_id != actor.org_id:
        raise NotFound("knowledge item not found")
    return item


async def update_item(
    session: AsyncSession,
    actor: Authenticated,
    item_id: str,
    title: str | None,
    question: str | None,
    body: str | None,
    now: datetime,
) -> KnowledgeItem:
    actor.require_admin()
    item = await get_item(session, actor, item_id)
    if item.kind not in ("article", "qa"):
        raise ValidationFailed(
            "only articles and Q&A pairs are edited here (pages follow the website, shortcuts "
            "the Shortcuts page; a past answer can be deleted)"
        )
    kind: EditableKind = "qa" if item.kind == "qa" else "article"
    new_title, new_question, new_body = _checked(
        kind,
        item.title if title is None else title,
        item.question if question is None else question,
        item.body if body is None else body,
    )
    item.title, item.question, item.body = new_title, new_question, new_body
    item.content_hash = content_hash(new_title, new_question, new_body)
    item.updated_at = now
    await session.execute(delete(Passage).where(Passage.item_id == item.id))
    replace_passages(session, item)
    await bump_version(session, actor.org_id, now)
    return item


async def delete_item(
    session: AsyncSession, actor: Authenticated, item_id: str, now: datetime
) -> None:
    actor.require_admin()
    item = await get_item(session, actor, item_id)
    if item.kind in ("page", "shortcut"):
        raise ValidationFailed(
            "pages follow the website source and shortcuts the Shortcuts page; remove them there"
        )
    await session.execute(delete(Passage).where(Passage.item_id == item.id))
    await session.delete(item)
    await bump_version(session, actor.org_id, now)


async def list_items(
    session: AsyncSession, actor: Authenticated, kind: str | None, limit: int = 500
) -> tuple[list[KnowledgeItemOut], int]:
    where = [KnowledgeItem.org_id == actor.org_id]
    if kind:
        where.append(KnowledgeItem.kind == kind)
    total = await session.scalar(select(func.count()).select_from(KnowledgeItem).where(*where))
    rows = (
        await session.execute(
            select(KnowledgeItem)
            .where(*where)
            .order_by(KnowledgeItem.updated_at.desc())
            .limit(limit)
        )
    ).scalars()
    items = list(rows)
    counts: dict[str, tuple[int, int]] = {}
    if items:
        stats = await session.execute(
            select(
                Passage.item_id,
                func.count(),
                func.count(Passage.model_id),
            )
            .where(Passage.item_id.in_([i.id for i in items]))
            .group_by(Passage.item_id)
        )
        counts = {row[0]: (int(row[1]), int(row[2])) for row in stats}
    return [item_out(i, *counts.get(i.id, (0, 0))) for i in items], int(total or 0)


# ---- import --------------------------------------------------------------------------------

ParsedItem = tuple[EditableKind, str, str | None, str]


def parse_csv(text: str) -> list[ParsedItem]:
    """A header row, then one item a row: `question,answer` (Q&A pairs) or `title,body`
    (articles); a `type` column (qa|article) may mix them."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = {h.strip().lower() for h in reader.fieldnames or [] if h}
    if not ({"question", "answer"} <= headers or {"title", "body"} <= headers):
        raise ValidationFailed(
            "the CSV needs a header row with question,answer (Q&A pairs) or title,body "
            f"(articles); found: {', '.join(sorted(headers)) or 'nothing'}"
        )
    out: list[ParsedItem] = []
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        if not any(row.values()):
            continue
        kind_value = row.get("type", "").lower()
        if kind_value not in ("", "qa", "article"):
            raise ValidationFailed(f"line {line}: type must be qa or article, not {kind_value!r}")
        is_qa = kind_value == "qa" or (not kind_value and bool(row.get("question")))
        kind: EditableKind = "qa" if is_qa else "article"
        title = row.get("title", "")
        question = row.get("question") or None
        body = row.get("answer") if is_qa else row.get("body")
        body = body or row.get("body") or row.get("answer") or ""
        try:
            out.append((kind, *_checked(kind, title, question, body)))
        except ValidationFailed as exc:
            raise ValidationFailed(f"line {line}: {exc}") from None
        if len(out) > MAX_IMPORT_ITEMS:
            raise ValidationFailed(f"at most {MAX_IMPORT_ITEMS:,} items an import; split the file")
    if not out:
        raise ValidationFailed("the CSV has a header but no rows")
    return out


HEADING = re.compile(r"^(#{1,3})\s+(.+?)\s*#*\s*$")


def parse_markdown(text: str) -> list[ParsedItem]:
    """Each `#`, `##` or `###` heading starts an item; a heading that ends with "?" is a
    question and its section the answer (a Q&A pair), any other an article."""
    sections: list[tuple[str, list[str]]] = []
    for line in text.lstrip("\ufeff").splitlines():
        match = HEADING.match(line)
        if match:
            sections.append((match.group(2).strip(), []))
        elif sections:
            sections[-1][1].append(line)
        elif line.strip():
            raise ValidationFailed(
                "a Markdown import starts with a heading (# Title); each heading starts an item"
            )
    out: list[ParsedItem] = []
    for heading, lines in sections:
        body = "\n".join(lines).strip()
        if not body:
            continue  # a heading that only groups the ones below it
        kind: EditableKind = "qa" if heading.endswith("?") else "article"
        try:
            out.append((kind, *_checked(kind, heading, heading if kind == "qa" else None, body)))
        except ValidationFailed as exc:
            raise ValidationFailed(f"section {heading!r}: {exc}") from None
    if not out:
        raise ValidationFailed("no section with text found: use # headings with text below them")
    if len(out) > MAX_IMPORT_ITEMS:
        raise ValidationFailed(f"at most {MAX_IMPORT_ITEMS:,} items an import; split the file")
    return out


async def import_items(
    session: AsyncSession,
    actor: Authenticated,
    file_format: Literal["csv", "markdown"],
    text: str,
    now: datetime,
) -> ImportResult:
    """All or nothing: the file is checked whole before anything is stored."""
    actor.require_admin()
    parsed = parse_csv(text) if file_format == "csv" else parse_markdown(text)
    await _room_for(session, actor.org_id, len(parsed))
    for kind, title, question, body in parsed:
        await add_item(
            session, actor.org_id, kind=kind, title=title, question=question, body=body, now=now
        )
    await bump_version(session, actor.org_id, now)
    return ImportResult(
        created=len(parsed),
        articles=sum(1 for p in parsed if p[0] == "article"),
        qa_pairs=sum(1 for p in parsed if p[0] == "qa"),
    )


# ---- Org Shortcuts -------------------------------------------------------------------------


async def shortcuts_changed(session: AsyncSession, org_id: str) -> str | None:
    """The fingerprint of the org's Org Shortcuts when they changed since they were last
    copied in, else None (one read, no write)."""
    count, latest = (
        await session.execute(
            select(func.count(), func.max(Shortcut.updated_at)).where(
                Shortcut.org_id == org_id, Shortcut.scope == "org"
            )
        )
    ).one()
    fingerprint = f"{count}:{latest.isoformat() if latest else ''}"
    seen = await session.scalar(
        select(CopilotOrg.shortcuts_seen).where(CopilotOrg.org_id == org_id)
    )
    if seen == fingerprint or (seen is None and count == 0):
        return None
    return fingerprint


async def sync_shortcuts(
    session: AsyncSession, org_id: str, fingerprint: str, now: datetime
) -> None:
    """Copy the org's Org Shortcuts in (my own shortcuts stay mine: a colleague's copilot
    never suggests them)."""
    old = select(KnowledgeItem.id).where(
        KnowledgeItem.org_id == org_id, KnowledgeItem.kind == "shortcut"
    )
    await session.execute(delete(Passage).where(Passage.item_id.in_(old)))
    await session.execute(
        delete(KnowledgeItem).where(
            KnowledgeItem.org_id == org_id, KnowledgeItem.kind == "shortcut"
        )
    )
    shortcuts = (
        await session.execute(
            select(Shortcut).where(Shortcut.org_id == org_id, Shortcut.scope == "org")
        )
    ).scalars()
    for shortcut in shortcuts:
        await add_item(
            session,
            org_id,
            kind="shortcut",
            title=f"/{shortcut.name}",
            body=shortcut.body,
            ref_id=shortcut.id,
            now=now,
        )
    await bump_version(session, org_id, now)
    await session.execute(
        update(CopilotOrg).where(CopilotOrg.org_id == org_id).values(shortcuts_seen=fingerprint)
    )


# ---- past rep answers ----------------------------------------------------------------------

MIN_QUESTION_WORDS = 3
MIN_ANSWER_WORDS = 5


def answer_pairs(messages: list[Message]) -> list[tuple[str, str]]:
    """(visitor question, the rep reply that answered it) from a transcript: the visitor's
    messages since the last reply, then the rep's next reply(s)."""
    pairs: list[tuple[str, str]] = []
    asked: list[str] = []
    replied: list[str] = []
    for message in messages:
        if message.internal or message.author_kind not in ("visitor", "rep"):
            continue
        if message.author_kind == "visitor":
            if replied and asked:
                pairs.append((" ".join(asked), " ".join(replied)))
                asked, replied = [], []
            elif replied:
                replied = []
            asked.append(message.body.strip())
        elif asked:
            replied.append(message.body.strip())
    if asked and replied:
        pairs.append((" ".join(asked), " ".join(replied)))
    return [
        (q, a)
        for q, a in pairs
        if len(q.split()) >= MIN_QUESTION_WORDS
        and len(a.split()) >= MIN_ANSWER_WORDS
        and ("?" in q or len(q.split()) >= 5)
    ]


async def on_conversation_closed(work: UnitOfWork, conversation: Conversation) -> None:
    """A chat ended: its answered questions join the org's past answers (in the same
    transaction)."""
    session = work.session
    messages = list(
        (
            await session.execute(
                select(Message)
                .where(Message.conversation_id == conversation.id)
                .order_by(Message.seq)
            )
        ).scalars()
    )
    pairs = answer_pairs(messages)
    if not pairs:
        return
    now = work.now_clock.now()
    await session.execute(
        delete(Passage).where(
            Passage.item_id.in_(
                select(KnowledgeItem.id).where(
                    KnowledgeItem.org_id == conversation.org_id,
                    KnowledgeItem.kind == "past_answer",
                    KnowledgeItem.ref_id == conversation.id,
                )
            )
        )
    )
    await session.execute(
        delete(KnowledgeItem).where(
            KnowledgeItem.org_id == conversation.org_id,
            KnowledgeItem.kind == "past_answer",
            KnowledgeItem.ref_id == conversation.id,
        )
    )
    for question, answer in pairs[:20]:
        await add_item(
            session,
            conversation.org_id,
            kind="past_answer",
            title=question[:120],
            question=question[:MAX_QUESTION],
            body=answer[:MAX_BODY],
            ref_id=conversation.id,
            now=now,
        )
    await bump_version(session, conversation.org_id, now)
