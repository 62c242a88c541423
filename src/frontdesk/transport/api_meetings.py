"""HTTP for the meeting booker: meeting types (admins), reps' hours and calendars, offering the
booker in a chat; the visitor's booking card (CORS: the org's websites only); and the pages
behind the signed cancel / reschedule links in the invitation email."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

from frontdesk.core.errors import Forbidden, FrontdeskError, NotFound, RateLimited
from frontdesk.core.schemas import Closed
from frontdesk.features import meetings
from frontdesk.features.meetings.schemas import (
    AvailabilityOut,
    BookingCard,
    CalendarOut,
    MeetingOut,
    MeetingTypeOut,
    MemberStatus,
    NextOwner,
    OfferOut,
)
from frontdesk.features.orgs import org_by_site_key
from frontdesk.transport.api import api
from frontdesk.transport.frame_limits import Rate
from frontdesk.transport.http import (
    Ctx,
    Ok,
    client_ip,
    error_response,
    json_response,
    parse_model,
    read_body,
    read_json,
    request_origin,
    runtime_of,
)
from frontdesk.transport.ws_visitor import origin_allowed


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---- meeting types -------------------------------------------------------------------------


class MeetingTypeList(Closed):
    meeting_types: list[MeetingTypeOut]


@api.route("GET", "/api/meeting-types", response=MeetingTypeList, summary="The org's meeting types")
async def list_meeting_types(ctx: Ctx, _: None) -> MeetingTypeList:
    async with ctx.runtime.db.read() as session:
        rows = await meetings.list_meeting_types(session, ctx.rep)
    return MeetingTypeList(meeting_types=[meetings.meeting_type_out(r) for r in rows])


@api.route(
    "POST",
    "/api/meeting-types",
    auth="admin",
    body=meetings.MeetingTypeBody,
    response=MeetingTypeOut,
    summary="Create a meeting type",
)
async def create_meeting_type(ctx: Ctx, body: meetings.MeetingTypeBody) -> MeetingTypeOut:
    async with ctx.runtime.db.transaction() as session:
        row = await meetings.create_meeting_type(session, ctx.rep, body, ctx.runtime.clock.now())
        return meetings.meeting_type_out(row)


@api.route(
    "PUT",
    "/api/meeting-types/{type_id}",
    auth="admin",
    body=meetings.MeetingTypeBody,
    response=MeetingTypeOut,
    summary="Replace a meeting type's settings",
)
async def update_meeting_type(ctx: Ctx, body: meetings.MeetingTypeBody) -> MeetingTypeOut:
    async with ctx.runtime.db.transaction() as session:
        row = await meetings.update_meeting_type(
            session, ctx.rep, ctx.path_param("type_id"), body, ctx.runtime.clock.now()
        )
        return meetings.meeting_type_out(row)


@api.route(
    "DELETE",
    "/api/meeting-types/{type_id}",
    auth="admin",
    response=Ok,
    summary="Delete a meeting type (booked meetings stay)",
)
async def delete_meeting_type(ctx: Ctx, _: None) -> Ok:
    async with ctx.runtime.db.transaction() as session:
        await meetings.delete_meeting_type(session, ctx.rep, ctx.path_param("type_id"))
    return Ok()


class MemberStatusList(Closed):
    members: list[MemberStatus]


@api.route(
    "GET",
    "/api/meeting-types/{type_id}/members",
    response=MemberStatusList,
    summary="Whether each member can be booked now, and why not",
)
async def member_statuses(ctx: Ctx, _: None) -> MemberStatusList:
    async with ctx.runtime.db.read() as session:
        members = await meetings.member_statuses(
            session, ctx.rep, ctx.path_param("type_id"), ctx.runtime.clock.now()
        )
    return MemberStatusList(members=members)


class NextOwnerQuery(Strict):
    visitor_id: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")] | None = None


@api.route(
    "GET",
    "/api/meeting-types/{type_id}/next-owner",
    query=NextOwnerQuery,
    response=NextOwner,
    summary="Who the meeting type's routing picks now (the round robin's next in line)",
)
async def next_owner(ctx: Ctx, query: NextOwnerQuery) -> NextOwner:
    async with ctx.runtime.db.read() as session:
        return await meetings.next_owner(
            session,
            ctx.rep,
            ctx.path_param("type_id"),
            query.visitor_id,
            ctx.runtime.clock.now(),
        )


# ---- a rep's hours and calendar ------------------------------------------------------------


@api.route(
    "GET",
    "/api/reps/{rep_id}/availability",
    response=AvailabilityOut,
    summary="A rep's working hours and days off (their own; admins: anyone's)",
)
async def get_availability(ctx: Ctx, _: None) -> AvailabilityOut:
    async with ctx.runtime.db.read() as session:
        return await meetings.get_availability(session, ctx.rep, ctx.path_param("rep_id"))


@api.route(
    "PUT",
    "/api/reps/{rep_id}/availability",
    body=meetings.AvailabilityBody,
    response=AvailabilityOut,
    summary="Set a rep's working hours (per weekday, in their time zone) and days off",
)
async def set_availability(ctx: Ctx, body: meetings.AvailabilityBody) -> AvailabilityOut:
    async with ctx.runtime.db.transaction() as session:
        return await meetings.set_availability(
            session, ctx.rep, ctx.path_param("rep_id"), body, ctx.runtime.clock.now()
        )


class CalendarState(Closed):
    calendar: CalendarOut | None


@api.route(
    "GET",
    "/api/reps/{rep_id}/calendar",
    response=CalendarState,
    summary="A rep's connected calendar and how its last read went",
)
async def get_calendar(ctx: Ctx, _: None) -> CalendarState:
    async with ctx.runtime.db.read() as session:
        row = await meetings.get_calendar(session, ctx.rep, ctx.path_param("rep_id"))
        return CalendarState(calendar=meetings.calendar_out(row) if row else None)


@api.route(
    "PUT",
    "/api/reps/{rep_id}/calendar",
    body=meetings.CalendarBody,
    response=CalendarOut,
    summary="Connect a CalDAV calendar or a private iCal feed (read once now: refused with "
    "the reason if it cannot be read)",
)
async def connect_calendar(ctx: Ctx, body: meetings.CalendarBody) -> CalendarOut:
    return await meetings.connect_calendar(ctx.runtime, ctx.rep, ctx.path_param("rep_id"), body)


@api.route(
    "POST",
    "/api/reps/{rep_id}/calendar/refresh",
    response=CalendarState,
    summary="Read a rep's calendar again now",
)
async def refresh_calendar(ctx: Ctx, _: None) -> CalendarState:
    rep_id = ctx.path_param("rep_id")
    async with ctx.runtime.db.read() as session:
        await meetings.get_calendar(session, ctx.rep, rep_id)  # access check
    row = await meetings.refresh_calendar(ctx.runtime, rep_id)
    return CalendarState(calendar=meetings.calendar_out(row) if row else None)


@api.route(
    "DELETE",
    "/api/reps/{rep_id}/calendar",
    response=Ok,
    summary="Disconnect a rep's calendar (the stored password is deleted)",
)
async def disconnect_calendar(ctx: Ctx, _: None) -> Ok:
    await meetings.disconnect_calendar(ctx.runtime, ctx.rep, ctx.path_param("rep_id"))
    return Ok()


# ---- offering the booker, and the rep's meetings -----------------------------------------


class OfferBody(Strict):
    meeting_type_id: Annotated[StrictStr, Field(pattern=r"^[0-9a-f]{32}$")]
    conversation_id: Annotated[StrictStr, Field(pattern=r"^[0-9a-f]{32}$")]
    # "type_routing": the meeting type's routing; "choose": owner_rep_id, with everyone or not.
    choice: Literal["type_routing", "choose"] = "type_routing"
    owner_rep_id: Annotated[StrictStr, Field(pattern=r"^[0-9a-f]{32}$")] | None = None
    with_everyone: StrictBool = False
    title: Annotated[StrictStr, Field(max_length=200)] | None = None


@api.route(
    "POST",
    "/api/meetings/offers",
    body=OfferBody,
    response=OfferOut,
    summary="Send the meeting booker in a chat",
)
async def create_offer(ctx: Ctx, body: OfferBody) -> OfferOut:
    async with ctx.runtime.uow() as work:
        offer = await meetings.create_offer(
            work,
            ctx.rep,
            meeting_type_id=body.meeting_type_id,
            conversation_id=body.conversation_id,
            choice=body.choice,
            owner_rep_id=body.owner_rep_id,
            with_everyone=body.with_everyone,
            title=body.title,
        )
        return meetings.offer_out(offer)


class MeetingList(Closed):
    meetings: list[MeetingOut]


@api.route(
    "GET",
    "/api/meetings/upcoming",
    response=MeetingList,
    summary="My booked meetings from now on, soonest first",
)
async def upcoming(ctx: Ctx, _: None) -> MeetingList:
    async with ctx.runtime.db.read() as session:
        rows = await meetings.upcoming_for_rep(session, ctx.rep, ctx.runtime.clock.now())
    return MeetingList(meetings=rows)


# ---- the visitor's booking card (called by the messenger on the customer's site) ------------


class CardQuery(BaseModel):
    site: str
    tz: str


class BookBody(Strict):
    start: Annotated[StrictStr, Field(min_length=10, max_length=40)]
    name: Annotated[StrictStr, Field(max_length=200)]
    email: Annotated[StrictStr, Field(max_length=320)]
    time_zone: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    # One answer per question of the meeting type (at most 20), each key a question's id.
    answers: dict[
        Annotated[StrictStr, Field(max_length=64)], Annotated[StrictStr, Field(max_length=2000)]
    ] = Field(default_factory=dict, max_length=20)


api.describe(
    "GET",
    "/widget/meetings/{offer_id}",
    query=CardQuery,
    response=BookingCard,
    summary="A booking card: the offer's free times in the visitor's time zone (CORS: the "
    "org's websites only)",
)
api.describe(
    "POST",
    "/widget/meetings/{offer_id}/book",
    query=CardQuery,
    response=MeetingOut,
    summary="Book one of the card's times (409 slot_taken: ask for the card again); body: BookBody",
)


async def _site_origin(request: web.Request) -> tuple[str, str]:
    """The site key's org and the calling website's origin, if it is one of that org's
    websites."""
    runtime = runtime_of(request)
    origin = request.headers.get("Origin")
    async with runtime.db.read() as session:
        org = await org_by_site_key(session, request.query.get("site", ""))
    if org is None:
        raise NotFound("unknown site key")
    if not origin_allowed(org, origin):
        raise Forbidden("this website origin is not allowed for this site key")
    return org.id, str(origin)


# One booking card may be booked (then cancelled and booked again) this often, whatever the
# address: a card is sent to one visitor, who books it once or twice.
BOOKINGS_PER_OFFER = Rate(5, 3600, "5/hour")


async def _check_widget_rate(request: web.Request, org_id: str, offer_id: str, book: bool) -> None:
    """Public, unauthenticated endpoints: counted across processes per client address and site,
    so a script cannot make the server compute slots or send emails without end."""
    runtime = runtime_of(request)
    ip = client_ip(request, runtime) or "unknown"
    limiter = runtime.rate_limiter
    if book:
        rate = Rate.parse(runtime.settings.meeting_bookings_per_ip)
        if not await limiter.hit(f"meeting-book-ip:{org_id}:{ip}", rate.amount, rate.seconds):
            raise RateLimited(f"too many bookings from your network (at most {rate.text})")
        per_offer = BOOKINGS_PER_OFFER
        if not await limiter.hit(
            f"meeting-book-offer:{offer_id}", per_offer.amount, per_offer.seconds
        ):
            raise RateLimited(f"this card was booked too often (at most {per_offer.text})")
    else:
        rate = Rate.parse(runtime.settings.meeting_card_views_per_ip)
        if not await limiter.hit(f"meeting-card-ip:{org_id}:{ip}", rate.amount, rate.seconds):
            raise RateLimited(
                f"too many booking cards loaded from your network (at most {rate.text}); "
                "try again in a few minutes"
            )


def _with_cors(response: web.StreamResponse, origin: str | None) -> web.StreamResponse:
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Vary"] = "Origin"
    return response


async def _widget_call(request: web.Request, book: bool) -> web.StreamResponse:
    origin: str | None = None
    try:
        org_id, origin = await _site_origin(request)
        runtime = runtime_of(request)
        offer_id = request.match_info["offer_id"]
        await _check_widget_rate(request, org_id, offer_id, book)
        if book:
            body = parse_model(BookBody, await read_json(request))
            answer: BaseModel = await meetings.book(
                runtime,
                offer_id,
                start=body.start,
                name=body.name,
                email=body.email,
                time_zone=body.time_zone,
                answers=body.answers,
                links_base=request_origin(request, runtime),
            )
        else:
            query = parse_model(CardQuery, dict(request.query))
            answer = await meetings.booking_card(runtime, offer_id, query.tz)
        return _with_cors(json_response(answer), origin)
    except FrontdeskError as error:
        return _with_cors(error_response(error), origin)


async def widget_card(request: web.Request) -> web.StreamResponse:
    return await _widget_call(request, book=False)


async def widget_book(request: web.Request) -> web.StreamResponse:
    return await _widget_call(request, book=True)


async def widget_preflight(request: web.Request) -> web.StreamResponse:
    try:
        _, origin = await _site_origin(request)
    except FrontdeskError as error:
        return error_response(error)
    response = web.Response(status=204)
    response.headers["Access-Control-Allow-Methods"] = "GET, POST"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    response.headers["Access-Control-Max-Age"] = "600"
    return _with_cors(response, origin)


# ---- the pages behind the email's signed links -------------------------------------------

PAGE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
)
PAGE_STYLE = (
    "body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;"
    "color:#1f2937}button{font:inherit;padding:.5rem .9rem;margin:.2rem;border:1px solid #2563eb;"
    "border-radius:6px;background:#fff;color:#1d4ed8;cursor:pointer}button.primary{background:"
    "#2563eb;color:#fff}h1{font-size:1.4rem}form.inline{display:inline}"
)


def _page(title: str, body: str, status: int = 200) -> web.Response:
    text = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{PAGE_STYLE}</style></head>"
        f"<body><main><h1>{html.escape(title)}</h1>{body}</main></body></html>"
    )
    response = web.Response(text=text, content_type="text/html", status=status)
    response.headers["Content-Security-Policy"] = PAGE_CSP
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


async def _form(request: web.Request) -> dict[str, Any]:
    raw = await read_body(request)
    return {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}


def _when(meeting: MeetingOut) -> str:
    zone = ZoneInfo(meeting.visitor_time_zone)
    start = datetime.fromisoformat(meeting.start).astimezone(zone)
    return f"{start:%A %d %B %Y, %H:%M} ({meeting.visitor_time_zone})"


async def cancel_page(request: web.Request) -> web.StreamResponse:
    """GET only asks (mail scanners open links); the button POSTs."""
    runtime = runtime_of(request)
    meeting_id = request.match_info["meeting_id"]
    signature = request.query.get("s", "")
    try:
        meeting = await meetings.signed_meeting(runtime, meeting_id, "cancel", signature)
    except FrontdeskError as error:
        return _page("Link not valid", f"<p>{html.escape(error.message)}</p>", error.status)
    if meeting.status == "cancelled":
        return _page("Meeting cancelled", f"<p>{html.escape(meeting.title)} is cancelled.</p>")
    return _page(
        "Cancel this meeting?",
        f"<p><strong>{html.escape(meeting.title)}</strong><br>{html.escape(_when(meeting))}</p>"
        f'<form method="post"><input type="hidden" name="s" value="{html.escape(signature)}">'
        '<button class="primary" type="submit">Cancel the meeting</button></form>',
    )


async def cancel_submit(request: web.Request) -> web.StreamResponse:
    runtime = runtime_of(request)
    form = await _form(request)
    try:
        meeting = await meetings.cancel_meeting(
            runtime,
            request.match_info["meeting_id"],
            str(form.get("s", "")),
            request_origin(request, runtime),
        )
    except FrontdeskError as error:
        return _page("Not cancelled", f"<p>{html.escape(error.message)}</p>", error.status)
    return _page(
        "Meeting cancelled",
        f"<p>{html.escape(meeting.title)} on {html.escape(_when(meeting))} is cancelled. "
        "Everyone invited has been told.</p>",
    )


async def reschedule_page(request: web.Request) -> web.StreamResponse:
    runtime = runtime_of(request)
    meeting_id = request.match_info["meeting_id"]
    signature = request.query.get("s", "")
    try:
        meeting = await meetings.signed_meeting(runtime, meeting_id, "reschedule", signature)
        card = await meetings.reschedule_card(runtime, meeting_id, signature)
    except FrontdeskError as error:
        return _page("Link not valid", f"<p>{html.escape(error.message)}</p>", error.status)
    if meeting.status != "booked":
        return _page("Meeting cancelled", "<p>This meeting was cancelled.</p>")
    days = []
    for day in card.days[:14]:
        buttons = "".join(
            f'<form class="inline" method="post"><input type="hidden" name="s" '
            f'value="{html.escape(signature)}"><input type="hidden" name="start" '
            f'value="{html.escape(slot.start)}"><button type="submit">{slot.label}</button></form>'
            for slot in day.slots
        )
        days.append(f"<h2>{html.escape(day.label)}</h2><div>{buttons}</div>")
    listing = "".join(days) or f"<p>{html.escape(card.problem or 'No other times are free.')}</p>"
    return _page(
        "Pick a new time",
        f"<p><strong>{html.escape(meeting.title)}</strong>, now {html.escape(_when(meeting))}."
        f"<br>Times in {html.escape(card.time_zone)}.</p>{listing}",
    )


async def reschedule_submit(request: web.Request) -> web.StreamResponse:
    runtime = runtime_of(request)
    form = await _form(request)
    try:
        meeting = await meetings.reschedule_meeting(
            runtime,
            request.match_info["meeting_id"],
            str(form.get("s", "")),
            str(form.get("start", "")),
            request_origin(request, runtime),
        )
    except FrontdeskError as error:
        return _page("Not moved", f"<p>{html.escape(error.message)}</p>", error.status)
    return _page(
        "Meeting moved",
        f"<p>{html.escape(meeting.title)} is now on {html.escape(_when(meeting))}. "
        "An updated invitation is on its way.</p>",
    )


def mount_meeting_pages(app: web.Application) -> None:
    app.router.add_get("/widget/meetings/{offer_id}", widget_card)
    app.router.add_post("/widget/meetings/{offer_id}/book", widget_book)
    app.router.add_route("OPTIONS", "/widget/meetings/{offer_id}/book", widget_preflight)
    app.router.add_get("/meetings/{meeting_id}/cancel", cancel_page)
    app.router.add_post("/meetings/{meeting_id}/cancel", cancel_submit)
    app.router.add_get("/meetings/{meeting_id}/reschedule", reschedule_page)
    app.router.add_post("/meetings/{meeting_id}/reschedule", reschedule_submit)
