"""Phone join over HTTP: the org's phone settings (admins), a chat's phone legs and hanging
one up (reps), and the provider's status callbacks (signed, no session)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from frontdesk.core.errors import NotFound, RateLimited, UnsupportedMediaType, ValidationFailed
from frontdesk.core.schemas import Closed
from frontdesk.features import telephony
from frontdesk.features.telephony.schemas import (
    PhoneLegOut,
    PhoneSettingsPage,
    Provider,
    VoiceTokenOut,
)
from frontdesk.transport.api import api
from frontdesk.transport.http import Ctx, Ok, json_response, read_body, request_origin

# A status callback is a few hundred bytes of form fields.
MAX_CALLBACK_BYTES = 16 * 1024
PROVIDERS = ("twilio",)
# A rep's console asks for a Twilio Access Token once per phone leg and again before it
# expires (10 minutes): a few a minute is plenty.
VOICE_TOKENS_PER_MINUTE = 10
# The provider asks for an answered leg's TwiML once (and may retry): per leg.
ANSWERS_PER_MINUTE = 10


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


Rate = Annotated[StrictStr, Field(min_length=1, max_length=100)]
Number = Annotated[StrictStr, Field(max_length=32)]


class PhoneSettingsBody(Strict):
    """Fields left out stay as they are. `auth_token`: a new token, or "" to forget it; the
    stored one is never sent back."""

    provider: Provider | None = None
    account_sid: Annotated[StrictStr, Field(max_length=64)] | None = None
    auth_token: Annotated[StrictStr, Field(max_length=128)] | None = None
    # A Twilio API key for the rep's console (answered phones ring there); "" forgets the
    # secret. Write-only like the auth token.
    api_key_sid: Annotated[StrictStr, Field(max_length=64)] | None = None
    api_key_secret: Annotated[StrictStr, Field(max_length=128)] | None = None
    caller_number: Number | None = None
    connect_number: Number | None = None
    greeting: Annotated[StrictStr, Field(max_length=1000)] | None = None
    allowed_regions: (
        Annotated[list[Annotated[StrictStr, Field(max_length=3)]], Field(max_length=300)] | None
    ) = None
    visitor_limit: Rate | None = None
    org_limit: Rate | None = None


def _no_store(page: PhoneSettingsPage) -> web.Response:
    response = json_response(page)
    response.headers["Cache-Control"] = "no-store"
    return response


@api.route(
    "GET",
    "/api/telephony/settings",
    auth="admin",
    response=PhoneSettingsPage,
    summary="Phone join settings (admins; the auth token is never returned)",
)
async def get_phone_settings(ctx: Ctx, _: None) -> web.Response:
    return _no_store(await telephony.get_settings(ctx.runtime, ctx.rep.org_id))


@api.route(
    "PUT",
    "/api/telephony/settings",
    auth="admin",
    body=PhoneSettingsBody,
    response=PhoneSettingsPage,
    summary="Change phone join settings: provider, credentials, numbers, countries, limits "
    "(admins)",
)
async def put_phone_settings(ctx: Ctx, body: PhoneSettingsBody) -> web.Response:
    saved = await telephony.save_settings(
        ctx.runtime, ctx.rep.org_id, telephony.SettingsChange(**body.model_dump(exclude_unset=True))
    )
    if saved.org_changed is not None:
        # This process's visitor sockets learn at once; the others hear it on the bus.
        from frontdesk.transport.ws_visitor import REGISTRY_KEY

        registry = ctx.request.app.get(REGISTRY_KEY)
        if registry is not None:
            registry.org_changed(ctx.rep.org_id, saved.org_changed)
    return _no_store(saved.page)


class PhoneLegList(Closed):
    phone_legs: list[PhoneLegOut]


@api.route(
    "GET",
    "/api/conversations/{conversation_id}/phone-legs",
    response=PhoneLegList,
    summary="Calls to the visitor's phone placed for this chat, newest first",
)
async def phone_legs(ctx: Ctx, _: None) -> PhoneLegList:
    async with ctx.runtime.db.read() as session:
        return PhoneLegList(
            phone_legs=await telephony.legs_of_conversation(
                session, ctx.rep, ctx.path_param("conversation_id")
            )
        )


@api.route(
    "POST",
    "/api/phone-legs/{leg_id}/hang-up",
    response=PhoneLegOut,
    summary="Hang up a call to a visitor's phone (a rep who sees its chat)",
)
async def hang_up(ctx: Ctx, _: None) -> PhoneLegOut:
    return await telephony.hang_up(
        ctx.runtime, ctx.rep.org_id, ctx.path_param("leg_id"), rep=ctx.rep
    )


async def _signed_form(ctx: Ctx) -> tuple[str, str, str, list[tuple[str, str]], str]:
    """A provider's signed, form-encoded request: (provider, org id, leg id, its parameters,
    the URL it was signed for). Size- and type-checked; the signature is checked by the
    service with the org's credentials."""
    provider = ctx.request.match_info["provider"]
    if provider not in PROVIDERS:
        raise NotFound("unknown telephony provider")
    org_id, leg_id = ctx.path_param("org_id"), ctx.path_param("leg_id")
    if ctx.request.content_type != "application/x-www-form-urlencoded":
        raise UnsupportedMediaType("a status callback is form-encoded")
    if (ctx.request.content_length or 0) > MAX_CALLBACK_BYTES:
        raise ValidationFailed("the callback is too large")
    raw = await read_body(ctx.request)
    if len(raw) > MAX_CALLBACK_BYTES:
        raise ValidationFailed("the callback is too large")
    try:
        params = parse_qsl(raw.decode(), keep_blank_values=True, strict_parsing=bool(raw))
    except (UnicodeDecodeError, ValueError):
        raise ValidationFailed("the callback body is not form-encoded") from None
    # The URL the provider requested, as it signed it: the public URL, path and query.
    url = request_origin(ctx.request, ctx.runtime) + ctx.request.raw_path
    return provider, org_id, leg_id, params, url


@api.route(
    "POST",
    "/api/telephony/{provider}/{org_id}/legs/{leg_id}/status",
    auth="none",
    response=Ok,
    summary="The telephony provider's status callback (form-encoded, signed with the org's "
    "auth token: X-Twilio-Signature); 403 when the signature is missing or wrong",
)
async def status_callback(ctx: Ctx, _: None) -> Ok:
    provider, org_id, leg_id, params, url = await _signed_form(ctx)
    await telephony.on_status_callback(
        ctx.runtime,
        provider,
        org_id,
        leg_id,
        url=url,
        params=params,
        headers=ctx.request.headers,
    )
    return Ok()


class TwimlDocument(Closed):
    """TwiML (XML): what the provider does with the answered phone."""

    twiml: str


@api.route(
    "POST",
    "/api/telephony/{provider}/{org_id}/legs/{leg_id}/answer",
    auth="none",
    response=TwimlDocument,
    media_type="text/xml",
    summary="The telephony provider asks what to do with the answered phone (form-encoded, "
    "signed: X-Twilio-Signature; 403 otherwise). Answers TwiML: <Dial><Client> to the console "
    "of the rep on the leg's browser call (a Twilio API key stored), else <Dial><Number> to the "
    "org's line",
)
async def answer(ctx: Ctx, _: None) -> web.Response:
    provider, org_id, leg_id, params, url = await _signed_form(ctx)
    if not await ctx.runtime.rate_limiter.hit(
        f"phone_answer:{org_id}:{leg_id}", ANSWERS_PER_MINUTE, 60
    ):
        raise RateLimited("too many requests for this call")
    twiml = await telephony.answer_twiml(
        ctx.runtime,
        provider,
        org_id,
        leg_id,
        url=url,
        params=params,
        headers=ctx.request.headers,
    )
    response = web.Response(text=twiml, content_type="text/xml")
    response.headers["Cache-Control"] = "no-store"
    return response


@api.route(
    "POST",
    "/api/telephony/{provider}/{org_id}/legs/{leg_id}/dialed",
    auth="none",
    response=TwimlDocument,
    media_type="text/xml",
    summary="The telephony provider asks what to do once the answered phone's <Dial> ended "
    "(form-encoded, signed; 403 otherwise): an apology when nobody answered, else hang up",
)
async def dialed(ctx: Ctx, _: None) -> web.Response:
    provider, org_id, leg_id, params, url = await _signed_form(ctx)
    if not await ctx.runtime.rate_limiter.hit(
        f"phone_dialed:{org_id}:{leg_id}", ANSWERS_PER_MINUTE, 60
    ):
        raise RateLimited("too many requests for this call")
    twiml = await telephony.dialed_twiml(
        ctx.runtime,
        provider,
        org_id,
        leg_id,
        url=url,
        params=params,
        headers=ctx.request.headers,
    )
    response = web.Response(text=twiml, content_type="text/xml")
    response.headers["Cache-Control"] = "no-store"
    return response


@api.route(
    "POST",
    "/api/phone-legs/{leg_id}/voice-token",
    response=VoiceTokenOut,
    summary="A short-lived Twilio Access Token for the console of the rep on this phone leg's "
    "browser call (the answered phone rings there); 404 for anyone else",
)
async def voice_token(ctx: Ctx, _: None) -> web.Response:
    if not await ctx.runtime.rate_limiter.hit(
        f"voice_token:{ctx.rep.rep.id}", VOICE_TOKENS_PER_MINUTE, 60
    ):
        raise RateLimited("too many token requests; wait a minute and try again")
    out = await telephony.voice_token(ctx.runtime, ctx.rep, ctx.path_param("leg_id"))
    response = json_response(out)
    response.headers["Cache-Control"] = "no-store"
    return response
