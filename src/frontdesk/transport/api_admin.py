"""Admin HTTP API: accounts, IP ranges, segments, routing, teams, inbound experiences and the
identity-verification secret."""

from __future__ import annotations

from typing import Annotated, Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

from frontdesk.core.errors import ValidationFailed
from frontdesk.core.schemas import Closed
from frontdesk.features import accounts, experiences, orgs, routing, segments
from frontdesk.features.accounts.schemas import AccountOut, IpRangeOut
from frontdesk.features.experiences.schemas import ExperienceOut, OfflineMessageOut
from frontdesk.features.routing.schemas import TeamName, TeamOut
from frontdesk.features.segments import resegment_org
from frontdesk.features.segments.schemas import LiveSegmentOut, RuleFieldOut, SegmentOut
from frontdesk.transport.api import api
from frontdesk.transport.http import Ctx, Ok, json_response, read_body

MAX_CSV_BYTES = 5 << 20


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---- accounts ------------------------------------------------------------------------------


class AccountBody(Strict):
    name: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    domain: Annotated[StrictStr, Field(min_length=3, max_length=253)]
    target_account: StrictBool = False
    open_pipeline: Annotated[float, Field(ge=0, le=1e15)] = 0.0
    owner_rep_id: StrictStr | None = None
    employees: Annotated[int, Field(ge=0, le=100_000_000)] | None = None
    industry: Annotated[StrictStr, Field(max_length=200)] | None = None
    custom: dict[str, Any] = Field(default_factory=dict)


class AccountsQuery(Strict):
    q: Annotated[str, Field(max_length=200)] = ""
    target: bool | None = None
    offset: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    limit: Annotated[int, Field(ge=1, le=500)] = 100


class AccountList(Closed):
    accounts: list[AccountOut]
    # How many accounts the org has (not only this page).
    total: int


@api.route(
    "GET",
    "/api/accounts",
    query=AccountsQuery,
    response=AccountList,
    summary="Accounts of my org (search by name or domain)",
)
async def list_accounts(ctx: Ctx, query: AccountsQuery) -> AccountList:
    async with ctx.runtime.db.read() as session:
        page, total = await accounts.list_accounts(
            session,
            ctx.rep.org_id,
            search=query.q,
            target=query.target,
            offset=query.offset,
            limit=query.limit,
        )
    return AccountList(accounts=page, total=total)


class SavedAccount(Closed):
    account: AccountOut
    created: bool


@api.route(
    "POST",
    "/api/accounts",
    auth="admin",
    body=AccountBody,
    response=SavedAccount,
    summary="Create or update the account for a domain (admins)",
)
async def upsert_account(ctx: Ctx, body: AccountBody) -> SavedAccount:
    async with ctx.runtime.db.transaction() as session:
        account, created = await accounts.upsert_account(
            session, ctx.runtime.clock, ctx.rep.org_id, accounts.AccountFields(**body.model_dump())
        )
        result = SavedAccount(account=accounts.account_out(account), created=created)
    await resegment_org(ctx.runtime, ctx.rep.org_id)
    return result


class AccountImport(Closed):
    created: int
    updated: int
    # One line per row that was not saved, saying why.
    errors: list[str]


@api.route(
    "POST",
    "/api/accounts/import",
    auth="admin",
    response=AccountImport,
    summary="Import accounts from CSV (text/csv body; admins)",
)
async def import_accounts(ctx: Ctx, _: None) -> AccountImport:
    if ctx.request.content_length is not None and ctx.request.content_length > MAX_CSV_BYTES:
        raise ValidationFailed("the CSV is larger than 5 MB; split it")
    raw = await read_body(ctx.request)
    if len(raw) > MAX_CSV_BYTES:
        raise ValidationFailed("the CSV is larger than 5 MB; split it")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationFailed("the CSV must be UTF-8 text") from None
    async with ctx.runtime.db.transaction() as session:
        result = await accounts.import_csv(session, ctx.runtime.clock, ctx.rep.org_id, text)
    await resegment_org(ctx.runtime, ctx.rep.org_id)
    return AccountImport(created=result.created, updated=result.updated, errors=result.errors)


@api.route(
    "DELETE",
    "/api/accounts/{account_id}",
    auth="admin",
    response=Ok,
    summary="Delete an account (admins)",
)
async def delete_account(ctx: Ctx, _: None) -> Ok:
    async with ctx.runtime.db.transaction() as session:
        await accounts.delete_account(session, ctx.rep.org_id, ctx.path_param("account_id"))
    await resegment_org(ctx.runtime, ctx.rep.org_id)
    return Ok()


class IpRangeBody(Strict):
    cidr: Annotated[StrictStr, Field(min_length=2, max_length=64)]
    company: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    account_id: StrictStr | None = None


class IpRangeList(Closed):
    ip_ranges: list[IpRangeOut]


@api.route(
    "GET",
    "/api/ip-ranges",
    auth="admin",
    response=IpRangeList,
    summary="The IP range -> company table (admins)",
)
async def list_ip_ranges(ctx: Ctx, _: None) -> IpRangeList:
    async with ctx.runtime.db.read() as session:
        return IpRangeList(ip_ranges=await accounts.list_ip_ranges(session, ctx.rep.org_id))


@api.route(
    "POST",
    "/api/ip-ranges",
    auth="admin",
    body=IpRangeBody,
    response=IpRangeOut,
    summary="Add an IP range -> company entry (admins)",
)
async def add_ip_range(ctx: Ctx, body: IpRangeBody) -> IpRangeOut:
    async with ctx.runtime.db.transaction() as session:
        item = await accounts.add_ip_range(
            session,
            ctx.rep.org_id,
            cidr=body.cidr,
            company=body.company,
            account_id=body.account_id,
            now=ctx.runtime.clock.now(),
        )
    await resegment_org(ctx.runtime, ctx.rep.org_id)
    return item


@api.route(
    "DELETE",
    "/api/ip-ranges/{range_id}",
    auth="admin",
    response=Ok,
    summary="Remove an IP range entry (admins)",
)
async def delete_ip_range(ctx: Ctx, _: None) -> Ok:
    async with ctx.runtime.db.transaction() as session:
        await accounts.delete_ip_range(session, ctx.rep.org_id, ctx.path_param("range_id"))
    await resegment_org(ctx.runtime, ctx.rep.org_id)
    return Ok()


# ---- segments ------------------------------------------------------------------------------


class SegmentBody(Strict):
    name: Annotated[StrictStr, Field(min_length=1, max_length=100)] | None = None
    color: StrictStr | None = None
    cold: StrictBool | None = None
    rules: dict[str, Any] | None = None
    routing: dict[str, Any] | None = None
    experience_id: StrictStr | None = None


class OrderBody(Strict):
    segment_ids: list[StrictStr] = Field(max_length=200)


class SegmentsPayload(Closed):
    # In column order, each with how many live visitors it holds now.
    segments: list[LiveSegmentOut]
    # What rules can test.
    fields: list[RuleFieldOut]


class SavedSegmentPayload(SegmentsPayload):
    segment: SegmentOut


async def _segments_payload(ctx: Ctx) -> SegmentsPayload:
    lives = await ctx.runtime.live.list_org(ctx.rep.org_id)
    async with ctx.runtime.db.transaction() as session:
        rows = await segments.live_segments(
            session,
            ctx.rep.org_id,
            [live.visit_id for live in lives],
            ctx.runtime.clock.now(),
        )
    return SegmentsPayload(segments=rows, fields=segments.rule_fields())


@api.route(
    "GET",
    "/api/segments",
    response=SegmentsPayload,
    summary="Segments in column order, with how many live visitors each holds now",
)
async def list_segments(ctx: Ctx, _: None) -> SegmentsPayload:
    return await _segments_payload(ctx)


async def _saved_segment_payload(ctx: Ctx, saved: SegmentOut) -> SavedSegmentPayload:
    payload = await _segments_payload(ctx)
    return SavedSegmentPayload(segment=saved, segments=payload.segments, fields=payload.fields)


@api.route(
    "POST",
    "/api/segments",
    auth="admin",
    body=SegmentBody,
    response=SavedSegmentPayload,
    summary="Create a segment (admins); re-segments live visitors at once",
)
async def create_segment(ctx: Ctx, body: SegmentBody) -> SavedSegmentPayload:
    async with ctx.runtime.db.transaction() as session:
        saved = await segments.save_segment(
            session,
            ctx.rep.org_id,
            None,
            body.model_dump(exclude_none=True),
            ctx.runtime.clock.now(),
        )
        result = segments.segment_out(saved.segment)
    # Visitors who land in the new segment are routed by its rule; nobody else moves.
    await resegment_org(ctx.runtime, ctx.rep.org_id)
    return await _saved_segment_payload(ctx, result)


@api.route(
    "PATCH",
    "/api/segments/{segment_id}",
    auth="admin",
    body=SegmentBody,
    response=SavedSegmentPayload,
    summary="Change a segment's name, colour, rules or routing (admins)",
)
async def update_segment(ctx: Ctx, body: SegmentBody) -> SavedSegmentPayload:
    values = body.model_dump(exclude_unset=True)
    async with ctx.runtime.db.transaction() as session:
        saved = await segments.save_segment(
            session, ctx.rep.org_id, ctx.path_param("segment_id"), values, ctx.runtime.clock.now()
        )
        result = segments.segment_out(saved.segment)
    await resegment_org(
        ctx.runtime,
        ctx.rep.org_id,
        reroute_segment_ids={saved.segment.id} if saved.routing_changed else (),
    )
    return await _saved_segment_payload(ctx, result)


@api.route(
    "PUT",
    "/api/segments/order",
    auth="admin",
    body=OrderBody,
    response=SegmentsPayload,
    summary="Set the priority order (left to right) of segments (admins)",
)
async def order_segments(ctx: Ctx, body: OrderBody) -> SegmentsPayload:
    async with ctx.runtime.db.transaction() as session:
        await segments.reorder(session, ctx.rep.org_id, body.segment_ids, ctx.runtime.clock.now())
    await resegment_org(ctx.runtime, ctx.rep.org_id)
    return await _segments_payload(ctx)


@api.route(
    "DELETE",
    "/api/segments/{segment_id}",
    auth="admin",
    response=SegmentsPayload,
    summary="Delete a segment (admins)",
)
async def delete_segment(ctx: Ctx, _: None) -> SegmentsPayload:
    async with ctx.runtime.db.transaction() as session:
        await segments.delete_segment(session, ctx.rep.org_id, ctx.path_param("segment_id"))
    # Its visitors land in other segments and are routed there; nobody else moves.
    await resegment_org(ctx.runtime, ctx.rep.org_id)
    return await _segments_payload(ctx)


# ---- teams ---------------------------------------------------------------------------------


class TeamBody(Strict):
    name: Annotated[StrictStr, Field(min_length=1, max_length=100)]
    rep_ids: list[StrictStr] = Field(default_factory=list, max_length=500)


class TeamPatch(Strict):
    rep_ids: list[StrictStr] = Field(max_length=500)


class TeamList(Closed):
    teams: list[TeamOut]


@api.route("GET", "/api/teams", response=TeamList, summary="Teams and their members")
async def list_teams(ctx: Ctx, _: None) -> TeamList:
    async with ctx.runtime.db.read() as session:
        return TeamList(teams=await routing.list_teams(session, ctx.rep.org_id))


@api.route(
    "POST",
    "/api/teams",
    auth="admin",
    body=TeamBody,
    response=TeamOut,
    summary="Create a team (admins)",
)
async def create_team(ctx: Ctx, body: TeamBody) -> TeamOut:
    async with ctx.runtime.db.transaction() as session:
        team = await routing.create_team(
            session, ctx.rep.org_id, body.name, body.rep_ids, ctx.runtime.clock.now()
        )
        return TeamOut(id=team.id, name=team.name, rep_ids=sorted(body.rep_ids))


@api.route(
    "PUT",
    "/api/teams/{team_id}/members",
    auth="admin",
    body=TeamPatch,
    response=TeamOut,
    summary="Set a team's members (admins)",
)
async def set_members(ctx: Ctx, body: TeamPatch) -> TeamOut:
    async with ctx.runtime.db.transaction() as session:
        team = await routing.get_team(session, ctx.rep.org_id, ctx.path_param("team_id"))
        await routing.set_team_members(session, ctx.rep.org_id, team, body.rep_ids)
        affected = await segments.segments_routing_to_team(session, ctx.rep.org_id, team.id)
    await resegment_org(ctx.runtime, ctx.rep.org_id, reroute_segment_ids=affected)
    return TeamOut(id=team.id, name=team.name, rep_ids=sorted(body.rep_ids))


# ---- experiences ---------------------------------------------------------------------------


class ExperienceBody(Strict):
    name: Annotated[StrictStr, Field(min_length=1, max_length=100)] | None = None
    rep_window_seconds: Annotated[int, Field(ge=1, le=3600)] | None = None
    bot_greeting: StrictStr | None = None
    ask_identity: StrictBool | None = None
    identity_prompt: StrictStr | None = None
    handoff_message: StrictStr | None = None
    timeout_seconds: Annotated[int, Field(ge=1, le=3600)] | None = None
    timeout_message: StrictStr | None = None
    offline_message: StrictStr | None = None
    # A meeting type's id: the bot offers its booker when no rep joins in time; "" for none.
    booker_meeting_type_id: Annotated[StrictStr, Field(pattern=r"^([0-9a-f]{32})?$")] | None = None


class ExperienceList(Closed):
    experiences: list[ExperienceOut]


@api.route(
    "GET",
    "/api/experiences",
    response=ExperienceList,
    summary="Inbound-chat experiences (the default first)",
)
async def list_experiences(ctx: Ctx, _: None) -> ExperienceList:
    async with ctx.runtime.db.transaction() as session:
        return ExperienceList(
            experiences=await experiences.list_experiences(
                session, ctx.rep.org_id, ctx.runtime.clock.now()
            )
        )


@api.route(
    "POST",
    "/api/experiences",
    auth="admin",
    body=ExperienceBody,
    response=ExperienceOut,
    summary="Create an experience (admins)",
)
async def create_experience(ctx: Ctx, body: ExperienceBody) -> ExperienceOut:
    async with ctx.runtime.db.transaction() as session:
        created = await experiences.create_experience(
            session, ctx.rep.org_id, body.model_dump(exclude_none=True), ctx.runtime.clock.now()
        )
    await experiences.experiences_changed(ctx.runtime, ctx.rep.org_id)
    return created


@api.route(
    "PATCH",
    "/api/experiences/{experience_id}",
    auth="admin",
    body=ExperienceBody,
    response=ExperienceOut,
    summary="Change an experience (admins)",
)
async def update_experience(ctx: Ctx, body: ExperienceBody) -> ExperienceOut:
    async with ctx.runtime.db.transaction() as session:
        updated = await experiences.update_experience(
            session,
            ctx.rep.org_id,
            ctx.path_param("experience_id"),
            body.model_dump(exclude_none=True),
        )
    await experiences.experiences_changed(ctx.runtime, ctx.rep.org_id)
    return updated


class OfflineMessageList(Closed):
    offline_messages: list[OfflineMessageOut]


@api.route(
    "GET",
    "/api/offline-messages",
    response=OfflineMessageList,
    summary="Messages visitors left while nobody was available",
)
async def offline_messages(ctx: Ctx, _: None) -> OfflineMessageList:
    async with ctx.runtime.db.read() as session:
        return OfflineMessageList(
            offline_messages=await experiences.list_offline_messages(
                session, ctx.rep.org_id, for_admin=ctx.rep.is_admin
            )
        )


__all__ = ["web"]


class TeamRename(Strict):
    name: Annotated[StrictStr, Field(min_length=1, max_length=100)]


@api.route(
    "PATCH",
    "/api/teams/{team_id}",
    auth="admin",
    body=TeamRename,
    response=TeamName,
    summary="Rename a team (admins)",
)
async def rename_team(ctx: Ctx, body: TeamRename) -> TeamName:
    async with ctx.runtime.db.transaction() as session:
        return await routing.rename_team(
            session, ctx.rep.org_id, ctx.path_param("team_id"), body.name
        )


@api.route(
    "DELETE",
    "/api/teams/{team_id}",
    auth="admin",
    response=Ok,
    summary="Delete a team; routing steps that named it are skipped (admins)",
)
async def delete_team(ctx: Ctx, _: None) -> Ok:
    async with ctx.runtime.db.transaction() as session:
        team = await routing.get_team(session, ctx.rep.org_id, ctx.path_param("team_id"))
        affected = await segments.segments_routing_to_team(session, ctx.rep.org_id, team.id)
        await routing.delete_team(session, team)
    await resegment_org(ctx.runtime, ctx.rep.org_id, reroute_segment_ids=affected)
    return Ok()


@api.route(
    "DELETE",
    "/api/experiences/{experience_id}",
    auth="admin",
    response=Ok,
    summary="Delete an experience; its segments fall back to the default (admins)",
)
async def delete_experience(ctx: Ctx, _: None) -> Ok:
    async with ctx.runtime.db.transaction() as session:
        await experiences.delete_experience(
            session, ctx.rep.org_id, ctx.path_param("experience_id")
        )
    await experiences.experiences_changed(ctx.runtime, ctx.rep.org_id)
    return Ok()


# ---- identity verification secret ----------------------------------------------------------


class IdentitySecretOut(Closed):
    identity_secret: str


def _secret_response(secret: str) -> web.Response:
    response = json_response(IdentitySecretOut(identity_secret=secret))
    # A secret: never kept by the browser or a proxy.
    response.headers["Cache-Control"] = "no-store"
    return response


@api.route(
    "GET",
    "/api/org/identity-secret",
    auth="admin",
    response=IdentitySecretOut,
    summary="The secret your server signs identify() calls with (admins; docs/widget.md)",
)
async def get_identity_secret(ctx: Ctx, _: None) -> web.Response:
    async with ctx.runtime.db.read() as session:
        return _secret_response(await orgs.identity_secret(session, ctx.rep.org_id))


@api.route(
    "POST",
    "/api/org/identity-secret/rotate",
    auth="admin",
    response=IdentitySecretOut,
    summary="Replace the identity secret; hashes made with the old one are refused at once "
    "(admins)",
)
async def rotate_identity_secret(ctx: Ctx, _: None) -> web.Response:
    async with ctx.runtime.db.transaction() as session:
        org = await orgs.rotate_identity_secret(session, ctx.rep.org_id)
        secret = org.identity_secret
    return _secret_response(secret)
