"""Admin HTTP API: accounts, IP ranges, segments, routing, teams, inbound experiences and the
identity-verification secret."""

from __future__ import annotations

from typing import Annotated, Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr
from sqlalchemy import func, select

from frontdesk.core.errors import NotFound, ValidationFailed
from frontdesk.core.ids import new_id
from frontdesk.core.schemas import Closed
from frontdesk.features import accounts, experiences, orgs, routing, segments
from frontdesk.features.accounts.models import Account, IpRange
from frontdesk.features.accounts.schemas import AccountOut, IpRangeOut
from frontdesk.features.experiences import email_status
from frontdesk.features.experiences.models import Experience, OfflineMessage
from frontdesk.features.experiences.schemas import ExperienceOut, OfflineMessageOut
from frontdesk.features.orgs.models import Org
from frontdesk.features.routing.models import Team
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
    statement = (
        select(Account)
        .where(Account.org_id == ctx.rep.org_id)
        .order_by(Account.name)
        .offset(query.offset)
        .limit(query.limit)
    )
    if query.q:
        like = f"%{query.q.lower()}%"
        statement = statement.where(func.lower(Account.name).like(like) | Account.domain.like(like))
    if query.target is not None:
        statement = statement.where(Account.target_account.is_(query.target))
    async with ctx.runtime.db.read() as session:
        rows = list((await session.execute(statement)).scalars())
        total = (
            await session.execute(
                select(func.count()).select_from(Account).where(Account.org_id == ctx.rep.org_id)
            )
        ).scalar_one()
    return AccountList(accounts=[accounts.account_out(a) for a in rows], total=total)


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
        account = await accounts.get_account(session, ctx.rep.org_id, ctx.path_param("account_id"))
        await session.delete(account)
    await resegment_org(ctx.runtime, ctx.rep.org_id)
    return Ok()


class IpRangeBody(Strict):
    cidr: Annotated[StrictStr, Field(min_length=2, max_length=64)]
    company: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    account_id: StrictStr | None = None


class IpRangeList(Closed):
    ip_ranges: list[IpRangeOut]


def _ip_range_out(item: IpRange) -> IpRangeOut:
    return IpRangeOut(id=item.id, cidr=item.cidr, company=item.company, account_id=item.account_id)


@api.route(
    "GET",
    "/api/ip-ranges",
    auth="admin",
    response=IpRangeList,
    summary="The IP range -> company table (admins)",
)
async def list_ip_ranges(ctx: Ctx, _: None) -> IpRangeList:
    async with ctx.runtime.db.read() as session:
        rows = (
            await session.execute(
                select(IpRange).where(IpRange.org_id == ctx.rep.org_id).order_by(IpRange.cidr)
            )
        ).scalars()
        return IpRangeList(ip_ranges=[_ip_range_out(r) for r in rows])


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
        if body.account_id:
            await accounts.get_account(session, ctx.rep.org_id, body.account_id)
        item = IpRange(
            id=new_id(),
            org_id=ctx.rep.org_id,
            cidr=accounts.normalise_cidr(body.cidr),
            company=body.company.strip(),
            account_id=body.account_id,
            created_at=ctx.runtime.clock.now(),
        )
        session.add(item)
    await resegment_org(ctx.runtime, ctx.rep.org_id)
    return _ip_range_out(item)


@api.route(
    "DELETE",
    "/api/ip-ranges/{range_id}",
    auth="admin",
    response=Ok,
    summary="Remove an IP range entry (admins)",
)
async def delete_ip_range(ctx: Ctx, _: None) -> Ok:
    async with ctx.runtime.db.transaction() as session:
        item = await session.get(IpRange, ctx.path_param("range_id"))
        if item is None or item.org_id != ctx.rep.org_id:
            raise NotFound("IP range not found")
        await session.delete(item)
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
    from frontdesk.features.visitors.models import Visit

    async with ctx.runtime.db.transaction() as session:
        rows = segments.display_order(
            await segments.list_segments(session, ctx.rep.org_id, ctx.runtime.clock.now())
        )
        counts: dict[str, int] = {}
        visit_ids = [live.visit_id for live in lives]
        for start in range(0, len(visit_ids), 500):
            chunk = visit_ids[start : start + 500]
            for segment_id, count in (
                await session.execute(
                    select(Visit.segment_id, func.count())
                    .where(Visit.id.in_(chunk))
                    .group_by(Visit.segment_id)
                )
            ).all():
                counts[segment_id] = counts.get(segment_id, 0) + int(count)
    return SegmentsPayload(
        segments=[segments.live_segment_out(s, counts.get(s.id, 0)) for s in rows],
        fields=_fields(),
    )


def _fields() -> list[RuleFieldOut]:
    from frontdesk.features.segments import FIELDS, OPS

    return [
        RuleFieldOut(
            field=name,
            type=kind,
            description=text,
            ops=",".join(op for op, types in OPS.items() if kind in types),
        )
        for name, (kind, text) in FIELDS.items()
    ]


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
        team = await session.get(Team, ctx.path_param("team_id"))
        if team is None or team.org_id != ctx.rep.org_id:
            raise NotFound("team not found")
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
        await experiences.default_experience(session, ctx.rep.org_id, ctx.runtime.clock.now())
        rows = (
            await session.execute(
                select(Experience)
                .where(Experience.org_id == ctx.rep.org_id)
                .order_by(Experience.is_default.desc(), Experience.name)
            )
        ).scalars()
        return ExperienceList(experiences=[experiences.experience_out(e) for e in rows])


@api.route(
    "POST",
    "/api/experiences",
    auth="admin",
    body=ExperienceBody,
    response=ExperienceOut,
    summary="Create an experience (admins)",
)
async def create_experience(ctx: Ctx, body: ExperienceBody) -> ExperienceOut:
    values = experiences.validate_experience(body.model_dump(exclude_none=True))
    if "name" not in values:
        raise ValidationFailed("an experience needs a name")
    async with ctx.runtime.db.transaction() as session:
        experience = Experience(
            id=new_id(),
            org_id=ctx.rep.org_id,
            is_default=False,
            created_at=ctx.runtime.clock.now(),
            **{**experiences.DEFAULTS, **values},
        )
        session.add(experience)
        await session.flush()
        return experiences.experience_out(experience)


@api.route(
    "PATCH",
    "/api/experiences/{experience_id}",
    auth="admin",
    body=ExperienceBody,
    response=ExperienceOut,
    summary="Change an experience (admins)",
)
async def update_experience(ctx: Ctx, body: ExperienceBody) -> ExperienceOut:
    values = experiences.validate_experience(body.model_dump(exclude_none=True))
    async with ctx.runtime.db.transaction() as session:
        experience = await experiences.get_experience(
            session, ctx.rep.org_id, ctx.path_param("experience_id")
        )
        merged = {**experiences.experience_out(experience).model_dump(), **values}
        if merged["timeout_seconds"] <= merged["rep_window_seconds"]:
            raise ValidationFailed("timeout_seconds must be longer than rep_window_seconds")
        for key, value in values.items():
            setattr(experience, key, value)
        return experiences.experience_out(experience)


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
        rows = (
            await session.execute(
                select(OfflineMessage)
                .where(OfflineMessage.org_id == ctx.rep.org_id)
                .order_by(OfflineMessage.created_at.desc())
                .limit(200)
            )
        ).scalars()
        return OfflineMessageList(
            offline_messages=[
                OfflineMessageOut(
                    id=m.id,
                    visitor_id=m.visitor_id,
                    conversation_id=m.conversation_id,
                    name=m.name,
                    email=m.email,
                    body=m.body,
                    created_at=m.created_at.isoformat(),
                    emailed_at=m.emailed_at.isoformat() if m.emailed_at else None,
                    email_error=m.email_error,
                    **email_status(
                        m.emailed_at is not None, m.email_error, for_admin=ctx.rep.is_admin
                    ).model_dump(),
                )
                for m in rows
            ]
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
        team = await session.get(Team, ctx.path_param("team_id"))
        if team is None or team.org_id != ctx.rep.org_id:
            raise NotFound("team not found")
        clash = (
            await session.execute(
                select(Team).where(
                    Team.org_id == ctx.rep.org_id,
                    Team.name == body.name.strip(),
                    Team.id != team.id,
                )
            )
        ).first()
        if clash:
            raise ValidationFailed(f"a team named {body.name.strip()!r} already exists")
        team.name = body.name.strip()
        return TeamName(id=team.id, name=team.name)


@api.route(
    "DELETE",
    "/api/teams/{team_id}",
    auth="admin",
    response=Ok,
    summary="Delete a team; routing steps that named it are skipped (admins)",
)
async def delete_team(ctx: Ctx, _: None) -> Ok:
    async with ctx.runtime.db.transaction() as session:
        team = await session.get(Team, ctx.path_param("team_id"))
        if team is None or team.org_id != ctx.rep.org_id:
            raise NotFound("team not found")
        affected = await segments.segments_routing_to_team(session, ctx.rep.org_id, team.id)
        await session.delete(team)
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
        experience = await experiences.get_experience(
            session, ctx.rep.org_id, ctx.path_param("experience_id")
        )
        if experience.is_default:
            raise ValidationFailed("the default experience cannot be deleted")
        await session.delete(experience)
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
        org = await session.get(Org, ctx.rep.org_id)
        if org is None:
            raise NotFound("org not found")
        return _secret_response(org.identity_secret)


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
