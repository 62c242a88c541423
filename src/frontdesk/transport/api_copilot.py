"""HTTP API for the AI Copilot: Suggest, Expand, Tune for reps; knowledge, website sources,
on/off and usage for admins (docs/copilot.md)."""

from __future__ import annotations

from typing import Annotated, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

from frontdesk.features import copilot
from frontdesk.features.copilot.schemas import (
    CopilotAdmin,
    CopilotStatus,
    ImportResult,
    KnowledgeItemOut,
    KnowledgeList,
    SuggestOut,
    TunedOut,
    WebSourceList,
    WebSourceOut,
    WrittenOut,
)
from frontdesk.transport.api import api
from frontdesk.transport.http import Ctx, Ok

COPILOT_KEY = web.AppKey("copilot", copilot.Copilot)
Tone = Literal["professional", "casual", "friendly"]
Id = Annotated[StrictStr, Field(min_length=32, max_length=32, pattern="^[0-9a-f]{32}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _copilot(ctx: Ctx) -> copilot.Copilot:
    return ctx.request.app[COPILOT_KEY]


# ---- reps ----------------------------------------------------------------------------------


@api.route("GET", "/api/copilot", response=CopilotStatus, summary="The copilot's state for my org")
async def copilot_status(ctx: Ctx, _: None) -> CopilotStatus:
    return await _copilot(ctx).status(ctx.rep.org_id)


class SuggestBody(Strict):
    conversation_id: Id | None = None
    # unset: the visitor's latest question in the conversation
    question: Annotated[StrictStr, Field(max_length=2000)] | None = None


@api.route(
    "POST",
    "/api/copilot/suggest",
    body=SuggestBody,
    response=SuggestOut,
    summary="Suggest answers to the visitor's latest question, with sources and confidence",
)
async def suggest(ctx: Ctx, body: SuggestBody) -> SuggestOut:
    return await _copilot(ctx).suggest(ctx.rep, body.conversation_id, body.question)


class ExpandBody(Strict):
    notes: Annotated[StrictStr, Field(min_length=1, max_length=4000)]
    tone: Tone = "friendly"
    conversation_id: Id | None = None


@api.route(
    "POST",
    "/api/copilot/expand",
    body=ExpandBody,
    response=WrittenOut,
    summary="Expand bullets or keywords into a full message in a tone",
)
async def expand(ctx: Ctx, body: ExpandBody) -> WrittenOut:
    return await _copilot(ctx).expand(ctx.rep, body.notes, body.tone, body.conversation_id)


class TuneBody(Strict):
    text: Annotated[StrictStr, Field(min_length=1, max_length=10_000)]
    tone: Tone = "friendly"
    conversation_id: Id | None = None


@api.route(
    "POST",
    "/api/copilot/tune",
    body=TuneBody,
    response=TunedOut,
    summary="Fix grammar and spelling and apply a tone; with the diff",
)
async def tune(ctx: Ctx, body: TuneBody) -> TunedOut:
    return await _copilot(ctx).tune(ctx.rep, body.text, body.tone, body.conversation_id)


# ---- admins: on/off, knowledge, website ----------------------------------------------------


@api.route(
    "GET",
    "/api/copilot/admin",
    auth="admin",
    response=CopilotAdmin,
    summary="Copilot overview: status, knowledge counts, website sources, usage per rep (admins)",
)
async def copilot_admin(ctx: Ctx, _: None) -> CopilotAdmin:
    return await _copilot(ctx).admin(ctx.rep)


class SettingsBody(Strict):
    enabled: StrictBool


@api.route(
    "PUT",
    "/api/copilot/settings",
    auth="admin",
    body=SettingsBody,
    response=CopilotStatus,
    summary="Turn the copilot on or off for the org (admins)",
)
async def copilot_settings(ctx: Ctx, body: SettingsBody) -> CopilotStatus:
    return await _copilot(ctx).set_enabled(ctx.rep, body.enabled)


class KnowledgeQuery(Strict):
    kind: Literal["article", "qa", "page", "shortcut", "past_answer"] | None = None


@api.route(
    "GET",
    "/api/copilot/knowledge",
    auth="admin",
    query=KnowledgeQuery,
    response=KnowledgeList,
    summary="The org's knowledge items, newest first (admins)",
)
async def list_knowledge(ctx: Ctx, query: KnowledgeQuery) -> KnowledgeList:
    async with ctx.runtime.db.read() as session:
        items, total = await copilot.list_items(session, ctx.rep, query.kind)
    return KnowledgeList(items=items, total=total)


class ItemBody(Strict):
    kind: Literal["article", "qa"]
    title: Annotated[StrictStr, Field(max_length=300)] = ""
    question: Annotated[StrictStr, Field(max_length=1000)] | None = None
    body: Annotated[StrictStr, Field(min_length=1, max_length=20_000)]


class ItemPatch(Strict):
    title: Annotated[StrictStr, Field(max_length=300)] | None = None
    question: Annotated[StrictStr, Field(max_length=1000)] | None = None
    body: Annotated[StrictStr, Field(min_length=1, max_length=20_000)] | None = None


@api.route(
    "POST",
    "/api/copilot/knowledge",
    auth="admin",
    body=ItemBody,
    response=KnowledgeItemOut,
    summary="Add an article or a Q&A pair (admins)",
)
async def create_item(ctx: Ctx, body: ItemBody) -> KnowledgeItemOut:
    async with ctx.runtime.db.transaction() as session:
        item = await copilot.create_item(
            session,
            ctx.rep,
            body.kind,
            body.title,
            body.question,
            body.body,
            ctx.runtime.clock.now(),
        )
        out = copilot.item_out(item, 0, 0)
    _copilot(ctx).knowledge_changed()
    return out


@api.route(
    "PATCH",
    "/api/copilot/knowledge/{item_id}",
    auth="admin",
    body=ItemPatch,
    response=KnowledgeItemOut,
    summary="Edit an article or a Q&A pair (admins)",
)
async def update_item(ctx: Ctx, body: ItemPatch) -> KnowledgeItemOut:
    async with ctx.runtime.db.transaction() as session:
        item = await copilot.update_item(
            session,
            ctx.rep,
            ctx.path_param("item_id"),
            body.title,
            body.question,
            body.body,
            ctx.runtime.clock.now(),
        )
        out = copilot.item_out(item, 0, 0)
    _copilot(ctx).knowledge_changed()
    return out


@api.route(
    "DELETE",
    "/api/copilot/knowledge/{item_id}",
    auth="admin",
    response=Ok,
    summary="Delete an article, a Q&A pair or a past answer (admins)",
)
async def delete_item(ctx: Ctx, _: None) -> Ok:
    async with ctx.runtime.db.transaction() as session:
        await copilot.delete_item(
            session, ctx.rep, ctx.path_param("item_id"), ctx.runtime.clock.now()
        )
    return Ok()


class ImportBody(Strict):
    format: Literal["csv", "markdown"]
    text: Annotated[StrictStr, Field(min_length=1, max_length=5 << 20)]


@api.route(
    "POST",
    "/api/copilot/knowledge/import",
    auth="admin",
    body=ImportBody,
    response=ImportResult,
    summary="Import articles and Q&A pairs from CSV or Markdown, all or nothing (admins)",
)
async def import_items(ctx: Ctx, body: ImportBody) -> ImportResult:
    async with ctx.runtime.db.transaction() as session:
        result = await copilot.import_items(
            session, ctx.rep, body.format, body.text, ctx.runtime.clock.now()
        )
    _copilot(ctx).knowledge_changed()
    return result


@api.route(
    "GET",
    "/api/copilot/sources",
    auth="admin",
    response=WebSourceList,
    summary="Website sources with their status (admins)",
)
async def list_sources(ctx: Ctx, _: None) -> WebSourceList:
    async with ctx.runtime.db.read() as session:
        sources = await copilot.list_sources(session, ctx.rep.org_id)
    return WebSourceList(sources=[copilot.source_out(s) for s in sources])


class SourceBody(Strict):
    kind: Literal["sitemap", "urls"]
    urls: Annotated[
        list[Annotated[StrictStr, Field(max_length=2000)]], Field(min_length=1, max_length=200)
    ]
    refresh_hours: Annotated[int, Field(ge=1, le=720)] = 24


@api.route(
    "POST",
    "/api/copilot/sources",
    auth="admin",
    body=SourceBody,
    response=WebSourceOut,
    summary="Add a sitemap or page URLs on the org's website; fetched in the background (admins)",
)
async def create_source(ctx: Ctx, body: SourceBody) -> WebSourceOut:
    async with ctx.runtime.db.transaction() as session:
        source = await copilot.create_source(
            session,
            ctx.rep,
            kind=body.kind,
            urls=body.urls,
            refresh_hours=body.refresh_hours,
            allow_private=ctx.runtime.settings.allow_private_targets,
            now=ctx.runtime.clock.now(),
        )
        out = copilot.source_out(source)
    ctx.runtime.sweeper.poke()
    return out


@api.route(
    "POST",
    "/api/copilot/sources/{source_id}/fetch",
    auth="admin",
    response=WebSourceOut,
    summary="Fetch a website source again now (admins)",
)
async def fetch_source(ctx: Ctx, _: None) -> WebSourceOut:
    async with ctx.runtime.db.transaction() as session:
        source = await copilot.fetch_now(
            session, ctx.rep, ctx.path_param("source_id"), ctx.runtime.clock.now()
        )
        out = copilot.source_out(source)
    ctx.runtime.sweeper.poke()
    return out


@api.route(
    "DELETE",
    "/api/copilot/sources/{source_id}",
    auth="admin",
    response=Ok,
    summary="Remove a website source and its pages (admins)",
)
async def delete_source(ctx: Ctx, _: None) -> Ok:
    async with ctx.runtime.db.transaction() as session:
        await copilot.delete_source(
            session, ctx.rep, ctx.path_param("source_id"), ctx.runtime.clock.now()
        )
    return Ok()
