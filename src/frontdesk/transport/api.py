"""The rep console's HTTP API (see /openapi.json)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Annotated, Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from frontdesk.core import metrics
from frontdesk.core.errors import RateLimited
from frontdesk.core.schemas import Closed
from frontdesk.features import calls, conversations, live_stream, orgs, privacy, proactive
from frontdesk.features.calls.schemas import CallSettings, IceSettingsOut, OtherChatsTransferred
from frontdesk.features.conversations.events import ConversationSummary, MessageOut
from frontdesk.features.formatting import render_markdown
from frontdesk.features.live_stream.schemas import Account360, Visitor360
from frontdesk.features.orgs import validate_texts
from frontdesk.features.orgs.schemas import (
    ColleagueOut,
    CsatScale,
    MessengerLanguage,
    MessengerSettings,
    MessengerTextLanguage,
    RepOut,
)
from frontdesk.features.privacy import PrivacySettingsOut, PrivacySettingsPatch
from frontdesk.features.proactive.schemas import (
    DailyCounts,
    InvitationOut,
    InvitationPreview,
    ProactiveSettings,
)
from frontdesk.transport.http import (
    SESSION_COOKIE,
    Api,
    Ctx,
    Ok,
    client_ip,
    cookies_must_be_secure,
    json_response,
)

if TYPE_CHECKING:
    # The org row orgs' services hand back, named in two signatures here: a type only
    # (transport imports no ORM model at run time; pyproject.toml, [tool.importlinter]).
    from frontdesk.features.orgs.models import Org

api = Api()


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginBody(Strict):
    email: Annotated[StrictStr, Field(min_length=3, max_length=320)]
    password: Annotated[StrictStr, Field(min_length=1, max_length=256)]
    # Only when the answer was 409 choose_org: the same email and password open reps of
    # several orgs, and the person picks one of the orgs listed in the error's details.
    org_id: Annotated[StrictStr, Field(pattern=r"^[0-9a-f]{32}$")] | None = None


# The org as its reps see it: its own fields and the proactive feature's settings. An
# envelope of two features, so it is defined here, where `org_out` puts it together: in
# features/orgs it would make orgs import proactive, which imports orgs.
class OrgOut(Closed):
    id: str
    name: str
    site_key: str
    allowed_origins: list[str]
    idle_after_seconds: int
    proactive: ProactiveSettings
    messenger: MessengerSettings
    calls: CallSettings
    privacy: PrivacySettingsOut


class MeOut(Closed):
    rep: RepOut
    org: OrgOut
    csrf_token: str


def org_out(org: Org) -> OrgOut:
    return OrgOut(
        id=org.id,
        name=org.name,
        site_key=org.site_key,
        allowed_origins=list(org.allowed_origins or []),
        idle_after_seconds=org.idle_after_seconds,
        proactive=proactive.proactive_settings(org),
        messenger=(org.settings or {}).get("messenger") or {},
        calls=calls.call_settings(org),
        privacy=privacy.privacy_settings(org),
    )


@api.route(
    "POST",
    "/api/auth/login",
    auth="none",
    body=LoginBody,
    response=MeOut,
    summary="Sign in; sets the session cookie",
)
async def login(ctx: Ctx, body: LoginBody) -> web.Response:
    signed = await orgs.sign_in(
        ctx.runtime,
        body.email,
        body.password,
        ip=client_ip(ctx.request, ctx.runtime),
        org_id=body.org_id,
        user_agent=ctx.request.headers.get("User-Agent"),
    )
    async with ctx.runtime.db.read() as session:
        org = await orgs.get_org(session, signed.rep.org_id)
    assert org is not None
    response = json_response(
        MeOut(rep=orgs.rep_out(signed.rep), org=org_out(org), csrf_token=signed.csrf_token)
    )
    response.set_cookie(
        SESSION_COOKIE,
        signed.session_token,
        httponly=True,
        samesite="Lax",
        path="/",
        secure=cookies_must_be_secure(ctx.request, ctx.runtime),
        max_age=orgs.SESSION_DAYS * 86400,
    )
    return response


@api.route("POST", "/api/auth/logout", response=Ok, summary="Sign out this browser")
async def logout(ctx: Ctx, _: None) -> web.Response:
    await orgs.sign_out(ctx.runtime, ctx.rep)
    response = json_response({"ok": True})
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


@api.route(
    "POST",
    "/api/auth/logout-everywhere",
    response=Ok,
    summary="Sign out every browser of mine, this one included; their consoles close at once",
)
async def logout_everywhere(ctx: Ctx, _: None) -> web.Response:
    await orgs.sign_out_everywhere(ctx.runtime, ctx.rep)
    response = json_response({"ok": True})
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


class PasswordBody(Strict):
    current_password: Annotated[StrictStr, Field(min_length=1, max_length=256)]
    new_password: Annotated[StrictStr, Field(min_length=8, max_length=256)]


@api.route(
    "POST",
    "/api/me/password",
    body=PasswordBody,
    response=Ok,
    summary="Change my password; every other browser of mine is signed out",
)
async def change_password(ctx: Ctx, body: PasswordBody) -> Ok:
    # Someone holding a stolen session must not get to guess the current password freely.
    limit = ctx.runtime.settings.login_attempts_per_minute
    if not await ctx.runtime.rate_limiter.hit(f"password:{ctx.rep.rep.id}", limit, 60):
        raise RateLimited("too many attempts; wait a minute and try again")
    await orgs.change_password(ctx.runtime, ctx.rep, body.current_password, body.new_password)
    return Ok()


@api.route(
    "GET", "/api/me", response=MeOut, summary="The signed-in rep, their org and the CSRF token"
)
async def me(ctx: Ctx, _: None) -> MeOut:
    async with ctx.runtime.db.read() as session:
        org = await orgs.get_org(session, ctx.rep.org_id)
        rep = await orgs.get_rep(session, ctx.rep.org_id, ctx.rep.rep.id)
    assert org is not None
    return MeOut(rep=orgs.rep_out(rep), org=org_out(org), csrf_token=ctx.rep.csrf_token)


class StatusBody(Strict):
    availability: Literal["available", "away"] | None = None
    auto_pounce_enabled: StrictBool | None = None
    voice_video_enabled: StrictBool | None = None


@api.route(
    "PATCH",
    "/api/me/status",
    body=StatusBody,
    response=RepOut,
    summary="Availability and personal toggles",
)
async def my_status(ctx: Ctx, body: StatusBody) -> RepOut:
    async with ctx.runtime.uow() as work:
        rep = await orgs.set_my_status(
            work,
            ctx.rep,
            availability=body.availability,
            auto_pounce_enabled=body.auto_pounce_enabled,
            voice_video_enabled=body.voice_video_enabled,
        )
        return orgs.rep_out(rep)


class BoxQuery(Strict):
    box: Literal["incoming", "active", "recent"] = "active"
    qualified: bool | None = None
    tag: Annotated[str, Field(max_length=40)] | None = None
    q: Annotated[str, Field(max_length=200)] | None = None


class ConversationList(Closed):
    conversations: list[ConversationSummary]


@api.route(
    "GET",
    "/api/conversations",
    query=BoxQuery,
    response=ConversationList,
    summary="Inbox: incoming, active (mine) or recent",
)
async def list_conversations(ctx: Ctx, query: BoxQuery) -> ConversationList:
    async with ctx.runtime.db.read() as session:
        items = await conversations.list_for_rep(
            session, ctx.rep, query.box, qualified=query.qualified, tag=query.tag, search=query.q
        )
    return ConversationList(conversations=items)


class Transcript(Closed):
    conversation: ConversationSummary
    messages: list[MessageOut]


@api.route(
    "GET",
    "/api/conversations/{conversation_id}",
    response=Transcript,
    summary="A conversation with its full transcript",
)
async def get_conversation(ctx: Ctx, _: None) -> Transcript:
    cid = ctx.path_param("conversation_id")
    async with ctx.runtime.db.read() as session:
        conversation = await conversations.get_conversation(session, ctx.rep, cid)
        messages = await conversations.messages_after(
            session, conversation, 0, include_internal=True, limit=10_000
        )
        summary = await conversations.summary(session, conversation)
    return Transcript(conversation=summary, messages=messages)


@api.route(
    "POST",
    "/api/conversations/{conversation_id}/accept",
    response=ConversationSummary,
    summary="Accept an incoming chat (first rep wins; 409 if taken)",
)
async def accept(ctx: Ctx, _: None) -> ConversationSummary:
    return await conversations.accept(ctx.runtime, ctx.rep, ctx.path_param("conversation_id"))


@api.route(
    "POST",
    "/api/conversations/{conversation_id}/end",
    response=ConversationSummary,
    summary="End a chat",
)
async def end(ctx: Ctx, _: None) -> ConversationSummary:
    return await conversations.end(ctx.runtime, ctx.rep, ctx.path_param("conversation_id"))


class MessageBody(Strict):
    client_id: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    body: Annotated[StrictStr, Field(min_length=1, max_length=conversations.MAX_BODY)]


class PostedMessage(Closed):
    message: MessageOut
    # True when this client_id was stored before (a retry): nothing new was stored.
    duplicate: bool


@api.route(
    "POST",
    "/api/conversations/{conversation_id}/messages",
    body=MessageBody,
    response=PostedMessage,
    summary="Send a message (idempotent by client_id)",
)
async def post_message(ctx: Ctx, body: MessageBody) -> PostedMessage:
    posted = await conversations.post_rep_message(
        ctx.runtime, ctx.rep, ctx.path_param("conversation_id"), body.client_id, body.body
    )
    if not posted.duplicate:
        metrics.MESSAGES.labels("rep").inc()
    return PostedMessage(message=posted.message, duplicate=posted.duplicate)


class StartedConversation(Closed):
    message: MessageOut
    conversation_id: str
    conversation: ConversationSummary


@api.route(
    "POST",
    "/api/visitors/{visitor_id}/conversations",
    body=MessageBody,
    response=StartedConversation,
    summary="Start a conversation with a visitor",
)
async def start_conversation(ctx: Ctx, body: MessageBody) -> StartedConversation:
    posted = await proactive.pounce(
        ctx.runtime, ctx.rep, ctx.path_param("visitor_id"), body.client_id, body.body
    )
    async with ctx.runtime.db.read() as session:
        conversation = await conversations.get_conversation(
            session, ctx.rep, posted.message.conversation_id
        )
        summary = await conversations.summary(session, conversation)
    return StartedConversation(
        message=posted.message,
        conversation_id=posted.message.conversation_id,
        conversation=summary,
    )


@api.route(
    "GET",
    "/api/visitors/{visitor_id}",
    response=Visitor360,
    summary="Visitor 360: identity, visits with pages, conversations",
)
async def visitor_360(ctx: Ctx, _: None) -> Visitor360:
    return await live_stream.visitor_360(ctx.runtime, ctx.rep, ctx.path_param("visitor_id"))


class Account360Query(Strict):
    zone: Annotated[str, Field(max_length=64)] = "UTC"


@api.route(
    "GET",
    "/api/accounts/{account_id}/360",
    query=Account360Query,
    response=Account360,
    summary="Account 360: the company, its visitors (who is on the site now), pages, campaigns and ad clicks, chats",
)
async def account_360(ctx: Ctx, query: Account360Query) -> Account360:
    return await live_stream.account_360(
        ctx.runtime, ctx.rep, ctx.path_param("account_id"), query.zone
    )


class PreviewBody(Strict):
    body: Annotated[StrictStr, Field(max_length=conversations.MAX_BODY)]


class Preview(Closed):
    html: str


@api.route(
    "POST",
    "/api/markdown/preview",
    body=PreviewBody,
    response=Preview,
    summary="Render markdown exactly as a message would be",
)
async def preview(ctx: Ctx, body: PreviewBody) -> Preview:
    _ = ctx.rep
    return Preview(html=render_markdown(body.body, preview=True))


# ---- admin ---------------------------------------------------------------------------------


class NewRepBody(Strict):
    email: Annotated[StrictStr, Field(min_length=3, max_length=320)]
    name: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    role: orgs.Role = Field("rep", description="rep, lead (team lead) or admin")
    password: Annotated[StrictStr, Field(min_length=8, max_length=256)]


class RepPatch(Strict):
    role: orgs.Role | None = Field(None, description="rep, lead (team lead) or admin")
    active: StrictBool | None = None
    name: Annotated[StrictStr, Field(min_length=1, max_length=200)] | None = None


class RepList(Closed):
    # Admins get every rep in full; reps get their colleagues without emails.
    reps: list[RepOut] | list[ColleagueOut]


@api.route("GET", "/api/reps", response=RepList, summary="Reps of my org")
async def reps(ctx: Ctx, _: None) -> RepList:
    async with ctx.runtime.db.read() as session:
        items = await orgs.list_reps(session, ctx.rep.org_id)
    if not ctx.rep.is_admin:  # reps see colleagues' names and availability, not their emails
        return RepList(
            reps=[
                ColleagueOut(
                    id=r.id, name=r.name, availability=r.availability, active=r.active, role=r.role
                )
                for r in items
            ]
        )
    return RepList(reps=[orgs.rep_out(r) for r in items])


@api.route(
    "POST",
    "/api/reps",
    auth="admin",
    body=NewRepBody,
    response=RepOut,
    summary="Create a rep (admins)",
)
async def create_rep(ctx: Ctx, body: NewRepBody) -> RepOut:
    async with ctx.runtime.db.transaction() as session:
        rep = await orgs.create_rep(
            session,
            ctx.runtime,
            org_id=ctx.rep.org_id,
            email=body.email,
            name=body.name,
            role=body.role,
            password=body.password,
        )
    return orgs.rep_out(rep)


@api.route(
    "PATCH",
    "/api/reps/{rep_id}",
    auth="admin",
    body=RepPatch,
    response=RepOut,
    summary="Change a rep's role (rep, lead, admin), name, or deactivate them (admins)",
)
async def patch_rep(ctx: Ctx, body: RepPatch) -> RepOut:
    async with ctx.runtime.uow() as work:
        rep = await orgs.update_rep(
            work,
            ctx.rep,
            ctx.path_param("rep_id"),
            role=body.role,
            active=body.active,
            name=body.name,
        )
        return orgs.rep_out(rep)


class OriginsBody(Strict):
    allowed_origins: Annotated[
        list[Annotated[StrictStr, Field(max_length=300)]], Field(max_length=50)
    ]


@api.route("GET", "/api/org", response=OrgOut, summary="My org")
async def get_org(ctx: Ctx, _: None) -> OrgOut:
    async with ctx.runtime.db.read() as session:
        org = await orgs.get_org(session, ctx.rep.org_id)
    assert org is not None
    return org_out(org)


@api.route(
    "PUT",
    "/api/org",
    auth="admin",
    body=OriginsBody,
    response=OrgOut,
    summary="Set the website origins allowed to embed the widget (admins)",
)
async def put_org(ctx: Ctx, body: OriginsBody) -> OrgOut:
    async with ctx.runtime.uow() as work:
        org = await orgs.set_origins(work, ctx.rep.org_id, body.allowed_origins)
    _org_changed_here(ctx, org)
    return org_out(org)


class Snippet(Closed):
    snippet: str


@api.route(
    "GET",
    "/api/org/snippet",
    response=Snippet,
    summary="The script tag to paste on every page of the website",
)
async def snippet(ctx: Ctx, _: None) -> Snippet:
    from frontdesk.transport.http import request_origin

    async with ctx.runtime.db.read() as session:
        org = await orgs.get_org(session, ctx.rep.org_id)
    assert org is not None
    base = request_origin(ctx.request, ctx.runtime)
    return Snippet(snippet=widget_snippet(base, org.site_key))


def widget_snippet(base_url: str, site_key: str) -> str:
    return f'<script src="{base_url}/widget.js" data-site="{site_key}" async></script>'


# ---- proactive -----------------------------------------------------------------------------


class InvitationBody(Strict):
    message: Annotated[StrictStr, Field(min_length=1, max_length=conversations.MAX_BODY)]
    team_id: StrictStr | None = None


class PreviewInvitationBody(Strict):
    message: Annotated[StrictStr, Field(max_length=conversations.MAX_BODY)]


@api.route(
    "POST",
    "/api/visitors/{visitor_id}/invitations/preview",
    body=PreviewInvitationBody,
    response=InvitationPreview,
    summary="What the visitor would see: #variables# filled in, unknown or empty ones left out",
)
async def preview_invitation(ctx: Ctx, body: PreviewInvitationBody) -> InvitationPreview:
    return await proactive.preview_invitation(
        ctx.runtime, ctx.rep, ctx.path_param("visitor_id"), body.message
    )


class SentInvitation(Closed):
    invitation: InvitationOut


@api.route(
    "POST",
    "/api/visitors/{visitor_id}/invitations",
    body=InvitationBody,
    response=SentInvitation,
    summary="Invite a visitor to live chat; the chat starts when they reply",
)
async def invite(ctx: Ctx, body: InvitationBody) -> SentInvitation:
    invitation = await proactive.invite(
        ctx.runtime, ctx.rep, ctx.path_param("visitor_id"), body.message, body.team_id
    )
    return SentInvitation(invitation=proactive.rep_view(invitation))


class AutoPounceAction(Strict):
    action: Literal["spam", "no_response_needed"]


@api.route(
    "POST",
    "/api/conversations/{conversation_id}/auto-pounce",
    body=AutoPounceAction,
    response=Ok,
    summary="Resolve a reply to an auto pounce without answering: Spam or No response needed",
)
async def resolve_auto_pounce(ctx: Ctx, body: AutoPounceAction) -> Ok:
    await proactive.resolve_auto_pounce(
        ctx.runtime, ctx.rep, ctx.path_param("conversation_id"), body.action
    )
    return Ok()


class CountsQuery(Strict):
    days: Annotated[int, Field(ge=1, le=366)] = 7


class ProactiveReport(Closed):
    rows: list[DailyCounts]


@api.route(
    "GET",
    "/api/reports/proactive",
    query=CountsQuery,
    response=ProactiveReport,
    summary="Per rep and day: pounces, invitations sent/accepted/expired, auto pounces, replies, missed responses",
)
async def proactive_counts(ctx: Ctx, query: CountsQuery) -> ProactiveReport:
    from datetime import timedelta

    since = ctx.runtime.clock.now() - timedelta(days=query.days)
    async with ctx.runtime.db.read() as session:
        return ProactiveReport(rows=await proactive.daily_counts(session, ctx.rep, since))


class MessengerSettingsPatch(Strict):
    """What every visitor's messenger looks like and asks (sent in `welcome.config.messenger`)."""

    color: Annotated[StrictStr, Field(pattern=r"^#[0-9a-fA-F]{6}$")] | None = None
    greeting: Annotated[StrictStr, Field(max_length=200)] | None = None
    ask_identity: StrictBool | None = None
    # "auto": the visitor's browser languages pick one; else this one for every visitor.
    language: MessengerLanguage | None = None
    # Ask for a rating when a chat ends: "faces" (bad/neutral/good), "stars" (1-5) or "off".
    csat: CsatScale | None = None
    # Sneak peek: reps see the visitor's text before it is sent (the messenger discloses it).
    sneak_peek: StrictBool | None = None
    # The bot answers waiting visitors from the AI Copilot's knowledge when no rep is available
    # (docs/copilot.md, "The bot's answers"). Off unless set.
    bot_answers: StrictBool | None = None
    # The org's own wording of the messenger's texts, per language (replaces the whole map;
    # a blank text shows the default): {"de": {"intro": "..."}}. Keys are web/widget/i18n/en.json's.
    texts: (
        dict[
            MessengerTextLanguage,
            Annotated[
                dict[StrictStr, Annotated[StrictStr, Field(max_length=1000)]], Field(max_length=200)
            ],
        ]
        | None
    ) = None


class CallSettingsPatch(Strict):
    """Voice and video calls (docs/calls.md)."""

    # Visitors may start a call from the messenger (the rep of the chat then allows it).
    visitor_initiated: StrictBool | None = None
    # The voice call queue: "Call us" for visitors in these segments ([] switches it off).
    queue_segment_ids: (
        Annotated[list[Annotated[StrictStr, Field(max_length=32)]], Field(max_length=100)] | None
    ) = None
    # How long a queued call rings before it ends as missed (offline form or booker).
    queue_timeout_seconds: Annotated[StrictInt, Field(ge=10, le=600)] | None = None


class OrgSettingsBody(Strict):
    proactive: dict[str, Any] = Field(default_factory=dict)
    messenger: MessengerSettingsPatch | None = None
    calls: CallSettingsPatch | None = None
    idle_after_seconds: Annotated[int, Field(ge=10, le=3600)] | None = None
    # Retention, IP addresses, GPC / DNT (docs/operations.md, "Privacy settings").
    privacy: PrivacySettingsPatch | None = None


@api.route(
    "PATCH",
    "/api/org/settings",
    auth="admin",
    body=OrgSettingsBody,
    response=OrgOut,
    summary="Org settings: auto pounce switch and timings, repeat interval, idle threshold, visitor-initiated calls, the messenger (colour, greeting, language, CSAT), privacy (retention, IP addresses, GPC/DNT) (admins)",
)
async def org_settings(ctx: Ctx, body: OrgSettingsBody) -> OrgOut:
    if body.calls and body.calls.queue_segment_ids:
        await calls.check_queue_segments(ctx.runtime, ctx.rep.org_id, body.calls.queue_segment_ids)
    org = await orgs.update_settings(
        ctx.runtime,
        ctx.rep.org_id,
        proactive=proactive.validate_settings(body.proactive),
        messenger=_messenger_patch(body.messenger) if body.messenger else None,
        idle_after_seconds=body.idle_after_seconds,
        calls=body.calls.model_dump(exclude_none=True) if body.calls else None,
        privacy=functools.partial(privacy.merged_privacy, patch=body.privacy)
        if body.privacy
        else None,
    )
    _org_changed_here(ctx, org)
    return org_out(org)


@api.route(
    "GET",
    "/api/calls/ice-settings",
    auth="admin",
    response=IceSettingsOut,
    summary="The server's STUN and TURN settings for calls (set by the operator; admins)",
)
async def ice_settings(ctx: Ctx, _: None) -> IceSettingsOut:
    return calls.ice_settings(ctx.runtime.settings)


@api.route(
    "POST",
    "/api/calls/transfer-other-chats",
    response=OtherChatsTransferred,
    summary="On a call: hand each of my other active chats to an available colleague (one click)",
)
async def transfer_other_chats(ctx: Ctx, _: None) -> OtherChatsTransferred:
    return await calls.transfer_other_chats(ctx.runtime, ctx.rep)


def _messenger_patch(patch: MessengerSettingsPatch) -> dict[str, Any]:
    change = patch.model_dump(exclude_none=True)
    if patch.texts is not None:
        change["texts"] = validate_texts({str(lang): texts for lang, texts in patch.texts.items()})
    return change


def _org_changed_here(ctx: Ctx, org: Org) -> None:
    """This process applies a committed org change at once; the others hear it on the bus."""
    from frontdesk.transport.ws_visitor import REGISTRY_KEY

    registry = ctx.request.app.get(REGISTRY_KEY)
    if registry is not None:
        registry.org_changed(org.id, org.site_key)


class InvitationsQuery(Strict):
    days: Annotated[int, Field(ge=1, le=30)] = 1


class InvitationList(Closed):
    invitations: list[InvitationOut]


@api.route(
    "GET",
    "/api/invitations",
    query=InvitationsQuery,
    response=InvitationList,
    summary="My invitations of the last days (admins: everyone's), newest first",
)
async def list_invitations(ctx: Ctx, query: InvitationsQuery) -> InvitationList:
    from datetime import timedelta

    since = ctx.runtime.clock.now() - timedelta(days=query.days)
    async with ctx.runtime.db.read() as session:
        return InvitationList(invitations=await proactive.list_invitations(session, ctx.rep, since))
