"""Operations APIs: org API tokens, the admin audit log, visitors' privacy requests."""

from __future__ import annotations

from frontdesk.core.errors import Forbidden
from frontdesk.features import api_tokens, audit, privacy
from frontdesk.features.api_tokens.schemas import (
    ApiTokenBody,
    ApiTokenList,
    ApiTokenOut,
    NewApiToken,
)
from frontdesk.features.audit.schemas import AuditPage, AuditQuery
from frontdesk.features.privacy.schemas import VisitorErasure, VisitorExport
from frontdesk.transport.api import api
from frontdesk.transport.http import Ctx


def _signed_in(ctx: Ctx) -> None:
    """Tokens are managed from a console session only (transport refuses tokens here too)."""
    if ctx.rep.session_id.startswith("token:"):
        raise Forbidden("API tokens cannot manage API tokens; sign in to the console")


@api.route(
    "GET",
    "/api/api-tokens",
    auth="admin",
    response=ApiTokenList,
    summary="The org's API tokens, revoked ones included (admins)",
)
async def list_api_tokens(ctx: Ctx, _: None) -> ApiTokenList:
    _signed_in(ctx)
    async with ctx.runtime.db.read() as session:
        return ApiTokenList(tokens=await api_tokens.list_tokens(session, ctx.rep.org_id))


@api.route(
    "POST",
    "/api/api-tokens",
    auth="admin",
    body=ApiTokenBody,
    response=NewApiToken,
    summary="Make an API token; the answer is the only time the token is shown (admins)",
)
async def create_api_token(ctx: Ctx, body: ApiTokenBody) -> NewApiToken:
    _signed_in(ctx)
    async with ctx.runtime.db.transaction() as session:
        return await api_tokens.create_token(session, ctx.runtime, ctx.rep, body.name, body.scopes)


@api.route(
    "POST",
    "/api/api-tokens/{token_id}/revoke",
    auth="admin",
    response=ApiTokenOut,
    summary="Revoke an API token: refused from the next request on, by every process (admins)",
)
async def revoke_api_token(ctx: Ctx, _: None) -> ApiTokenOut:
    _signed_in(ctx)
    async with ctx.runtime.db.transaction() as session:
        return await api_tokens.revoke_token(
            session, ctx.runtime, ctx.rep.org_id, ctx.path_param("token_id")
        )


@api.route(
    "GET",
    "/api/audit",
    auth="admin",
    query=AuditQuery,
    response=AuditPage,
    summary="The admin audit log, newest first, a page at a time (admins)",
)
async def audit_log(ctx: Ctx, query: AuditQuery) -> AuditPage:
    async with ctx.runtime.db.read() as session:
        return await audit.list_entries(
            session, ctx.rep.org_id, before=query.before, limit=query.limit
        )


@api.route(
    "GET",
    "/api/visitors/{visitor_id}/export",
    auth="admin",
    response=VisitorExport,
    audit=True,
    summary="Everything stored about a visitor, as JSON (a data-subject access request; admins)",
)
async def export_visitor(ctx: Ctx, _: None) -> VisitorExport:
    return await privacy.export_visitor(ctx.runtime, ctx.rep.org_id, ctx.path_param("visitor_id"))


@api.route(
    "POST",
    "/api/visitors/{visitor_id}/erase",
    auth="admin",
    response=VisitorErasure,
    summary="Erase a visitor: every row about them, their live state; open tabs start over "
    "as a new visitor (an erasure request; admins)",
)
async def erase_visitor(ctx: Ctx, _: None) -> VisitorErasure:
    return await privacy.erase_visitor(ctx.runtime, ctx.rep.org_id, ctx.path_param("visitor_id"))
