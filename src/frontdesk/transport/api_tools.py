"""HTTP API for chat tools: shortcuts, transfer, block and report, classification, webhooks."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

from frontdesk.core.schemas import Closed
from frontdesk.features import blocking, classification, conversations, shortcuts, webhooks
from frontdesk.features.blocking.schemas import BlockResult, BlocksOverview, IpBlockOut
from frontdesk.features.conversations.events import Classification, ConversationSummary
from frontdesk.features.shortcuts.schemas import FilledShortcut, ShortcutOut
from frontdesk.features.webhooks.schemas import DeliveryOut, NewWebhookEndpoint, WebhookEndpointOut
from frontdesk.transport.api import api
from frontdesk.transport.http import Ctx, Ok


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---- shortcuts -----------------------------------------------------------------------------


class ShortcutBody(Strict):
    name: Annotated[StrictStr, Field(min_length=1, max_length=40)]
    body: Annotated[StrictStr, Field(min_length=1, max_length=10_000)]
    scope: Literal["mine", "org"] = "mine"


class ShortcutPatch(Strict):
    name: Annotated[StrictStr, Field(min_length=1, max_length=40)] | None = None
    body: Annotated[StrictStr, Field(min_length=1, max_length=10_000)] | None = None


class UseShortcutBody(Strict):
    conversation_id: StrictStr | None = None
    # before a conversation exists (the Pounce dialog): fill for this visitor
    visitor_id: StrictStr | None = None
    # false: fill the variables for a preview without counting a use
    count: StrictBool = True


class ShortcutList(Closed):
    shortcuts: list[ShortcutOut]
    # The {variables} a shortcut's text may hold.
    variables: list[str]


@api.route(
    "GET",
    "/api/shortcuts",
    response=ShortcutList,
    summary="My Shortcuts and Org Shortcuts, most used first",
)
async def list_shortcuts(ctx: Ctx, _: None) -> ShortcutList:
    async with ctx.runtime.db.read() as session:
        rows = await shortcuts.list_shortcuts(session, ctx.rep)
    return ShortcutList(
        shortcuts=[shortcuts.shortcut_out(s) for s in rows], variables=list(shortcuts.VARIABLES)
    )


@api.route(
    "POST",
    "/api/shortcuts",
    body=ShortcutBody,
    response=ShortcutOut,
    summary="Create a shortcut (Org Shortcuts: admins only)",
)
async def create_shortcut(ctx: Ctx, body: ShortcutBody) -> ShortcutOut:
    async with ctx.runtime.db.transaction() as session:
        shortcut = await shortcuts.create_shortcut(
            session, ctx.rep, body.scope, body.name, body.body, ctx.runtime.clock.now()
        )
        return shortcuts.shortcut_out(shortcut)


@api.route(
    "PATCH",
    "/api/shortcuts/{shortcut_id}",
    body=ShortcutPatch,
    response=ShortcutOut,
    summary="Edit a shortcut (Org Shortcuts: admins only)",
)
async def update_shortcut(ctx: Ctx, body: ShortcutPatch) -> ShortcutOut:
    async with ctx.runtime.db.transaction() as session:
        shortcut = await shortcuts.update_shortcut(
            session,
            ctx.rep,
            ctx.path_param("shortcut_id"),
            body.name,
            body.body,
            ctx.runtime.clock.now(),
        )
        return shortcuts.shortcut_out(shortcut)


@api.route(
    "DELETE",
    "/api/shortcuts/{shortcut_id}",
    response=Ok,
    summary="Delete a shortcut (Org Shortcuts: admins only)",
)
async def delete_shortcut(ctx: Ctx, _: None) -> Ok:
    async with ctx.runtime.db.transaction() as session:
        await shortcuts.delete_shortcut(session, ctx.rep, ctx.path_param("shortcut_id"))
    return Ok()


@api.route(
    "POST",
    "/api/shortcuts/{shortcut_id}/use",
    body=UseShortcutBody,
    response=FilledShortcut,
    summary="Fill a shortcut's variables for a conversation (or a visitor) and count the use",
)
async def use_shortcut(ctx: Ctx, body: UseShortcutBody) -> FilledShortcut:
    async with ctx.runtime.db.transaction() as session:
        return await shortcuts.use_shortcut(
            session,
            ctx.runtime.live,
            ctx.rep,
            ctx.path_param("shortcut_id"),
            body.conversation_id,
            visitor_id=body.visitor_id,
            count=body.count,
        )


# ---- transfer ------------------------------------------------------------------------------


class TransferBody(Strict):
    to_rep_id: Annotated[StrictStr, Field(min_length=32, max_length=32)]
    note: Annotated[StrictStr, Field(max_length=2000)] | None = None


@api.route(
    "POST",
    "/api/conversations/{conversation_id}/transfer",
    body=TransferBody,
    response=ConversationSummary,
    summary="Transfer a chat to an available rep",
)
async def transfer(ctx: Ctx, body: TransferBody) -> ConversationSummary:
    return await conversations.transfer(
        ctx.runtime, ctx.rep, ctx.path_param("conversation_id"), body.to_rep_id, body.note
    )


# ---- block and report ----------------------------------------------------------------------


class BlockBody(Strict):
    report: StrictBool = False
    reason: Annotated[StrictStr, Field(max_length=2000)] | None = None


class IpBlockBody(Strict):
    cidr: Annotated[StrictStr, Field(min_length=2, max_length=64)]
    expires_at: datetime | None = None
    reason: Annotated[StrictStr, Field(max_length=2000)] | None = None


@api.route(
    "POST",
    "/api/visitors/{visitor_id}/block",
    body=BlockBody,
    response=BlockResult,
    summary="Block a visitor (and optionally report them to admins)",
    audit=True,
)
async def block_visitor(ctx: Ctx, body: BlockBody) -> BlockResult:
    return await blocking.block_visitor(
        ctx.runtime, ctx.rep, ctx.path_param("visitor_id"), report=body.report, reason=body.reason
    )


@api.route(
    "POST",
    "/api/visitors/{visitor_id}/unblock",
    auth="admin",
    response=Ok,
    summary="Unblock a visitor (admins)",
)
async def unblock_visitor(ctx: Ctx, _: None) -> Ok:
    async with ctx.runtime.db.transaction() as session:
        await blocking.unblock_visitor(session, ctx.rep, ctx.path_param("visitor_id"))
    return Ok()


@api.route(
    "GET",
    "/api/blocks",
    auth="admin",
    response=BlocksOverview,
    summary="Blocked & Reported: blocked visitors, IP blocks, reports (admins)",
)
async def blocks(ctx: Ctx, _: None) -> BlocksOverview:
    async with ctx.runtime.db.read() as session:
        return await blocking.overview(session, ctx.rep, ctx.runtime.clock.now())


@api.route(
    "POST",
    "/api/ip-blocks",
    auth="admin",
    body=IpBlockBody,
    response=IpBlockOut,
    summary="Block an IP address or CIDR range for the org, optionally until a time (admins)",
)
async def add_ip_block(ctx: Ctx, body: IpBlockBody) -> IpBlockOut:
    from datetime import UTC

    expires = (
        body.expires_at.astimezone(UTC)
        if body.expires_at and body.expires_at.tzinfo
        else (body.expires_at.replace(tzinfo=UTC) if body.expires_at else None)
    )
    async with ctx.runtime.uow() as work:
        block = await blocking.add_ip_block(work, ctx.rep, body.cidr, expires, body.reason)
        return IpBlockOut(
            id=block.id,
            cidr=block.cidr,
            expires_at=block.expires_at.isoformat() if block.expires_at else None,
        )


@api.route(
    "DELETE",
    "/api/ip-blocks/{block_id}",
    auth="admin",
    response=Ok,
    summary="Lift an IP block (admins)",
)
async def remove_ip_block(ctx: Ctx, _: None) -> Ok:
    async with ctx.runtime.uow() as work:
        await blocking.remove_ip_block(work, ctx.rep, ctx.path_param("block_id"))
    return Ok()


@api.route(
    "POST",
    "/api/reports/{report_id}/reviewed",
    auth="admin",
    response=Ok,
    summary="Mark a visitor report reviewed (admins)",
)
async def report_reviewed(ctx: Ctx, _: None) -> Ok:
    async with ctx.runtime.db.transaction() as session:
        await blocking.mark_report_reviewed(session, ctx.rep, ctx.path_param("report_id"))
    return Ok()


# ---- classification ------------------------------------------------------------------------


class ClassificationBody(Strict):
    qualified: StrictBool | None = None
    tags: list[Annotated[StrictStr, Field(max_length=40)]] | None = Field(
        default=None, max_length=20
    )
    deal_value: Annotated[float, Field(ge=0, le=1e12)] | None = None
    notes: Annotated[StrictStr, Field(max_length=10_000)] | None = None


@api.route(
    "PATCH",
    "/api/conversations/{conversation_id}/classification",
    body=ClassificationBody,
    response=Classification,
    summary="Classify a chat: qualified, tags, deal value, notes",
)
async def classify(ctx: Ctx, body: ClassificationBody) -> Classification:
    return await classification.classify(
        ctx.runtime, ctx.rep, ctx.path_param("conversation_id"), body.model_dump(exclude_unset=True)
    )


# ---- webhooks ------------------------------------------------------------------------------


class WebhookBody(Strict):
    url: Annotated[StrictStr, Field(min_length=8, max_length=2000)]
    description: Annotated[StrictStr, Field(max_length=200)] | None = None


class WebhookPatch(Strict):
    enabled: StrictBool | None = None
    url: Annotated[StrictStr, Field(min_length=8, max_length=2000)] | None = None
    description: Annotated[StrictStr, Field(max_length=200)] | None = None


class WebhookList(Closed):
    webhooks: list[WebhookEndpointOut]


@api.route(
    "GET",
    "/api/webhooks",
    auth="admin",
    response=WebhookList,
    summary="Chat-end webhook endpoints (admins)",
)
async def list_webhooks(ctx: Ctx, _: None) -> WebhookList:
    async with ctx.runtime.db.read() as session:
        return WebhookList(webhooks=await webhooks.list_endpoints(session, ctx.rep.org_id))


@api.route(
    "POST",
    "/api/webhooks",
    auth="admin",
    body=WebhookBody,
    response=NewWebhookEndpoint,
    summary="Add a chat-end webhook endpoint; the answer holds its signing secret (admins)",
)
async def create_webhook(ctx: Ctx, body: WebhookBody) -> NewWebhookEndpoint:
    url = await webhooks.validate_target(body.url, ctx.runtime.settings.allow_private_targets)
    async with ctx.runtime.db.transaction() as session:
        return await webhooks.create_endpoint(
            session, ctx.rep.org_id, url, body.description, ctx.runtime.clock.now()
        )


@api.route(
    "PATCH",
    "/api/webhooks/{endpoint_id}",
    auth="admin",
    body=WebhookPatch,
    response=WebhookEndpointOut,
    summary="Enable, disable or change an endpoint (admins)",
)
async def update_webhook(ctx: Ctx, body: WebhookPatch) -> WebhookEndpointOut:
    url = (
        await webhooks.validate_target(body.url, ctx.runtime.settings.allow_private_targets)
        if body.url
        else None
    )
    async with ctx.runtime.db.transaction() as session:
        return await webhooks.update_endpoint(
            session,
            ctx.rep,
            ctx.path_param("endpoint_id"),
            url=url,
            description=body.description,
            enabled=body.enabled,
        )


@api.route(
    "DELETE",
    "/api/webhooks/{endpoint_id}",
    auth="admin",
    response=Ok,
    summary="Remove an endpoint (admins)",
)
async def delete_webhook(ctx: Ctx, _: None) -> Ok:
    async with ctx.runtime.db.transaction() as session:
        await webhooks.delete_endpoint(session, ctx.rep, ctx.path_param("endpoint_id"))
    return Ok()


class DeliveryList(Closed):
    deliveries: list[DeliveryOut]


@api.route(
    "GET",
    "/api/webhooks/{endpoint_id}/deliveries",
    auth="admin",
    response=DeliveryList,
    summary="Recent deliveries to an endpoint (admins)",
)
async def deliveries(ctx: Ctx, _: None) -> DeliveryList:
    async with ctx.runtime.db.read() as session:
        return DeliveryList(
            deliveries=await webhooks.recent_deliveries(
                session, ctx.rep, ctx.path_param("endpoint_id")
            )
        )
