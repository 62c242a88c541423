"""Phone join: ring a visitor's phone through the org's telephony provider, follow the call
through the provider's signed status callbacks, and let either side hang up.

What an answered leg is connected to is decided when the visitor answers (the provider asks
the answer URL, signed): the rep's console, when the leg belongs to a browser call that has a
rep and the org stored a Twilio API key (the console is a Twilio Voice client with a short-lived
Access Token minted here: `<Dial><Client>`); otherwise the org's own phone line
(`connect_number`, the sales line: `<Dial><Number>`). docs/telephony.md.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.core import visitor_feed
from frontdesk.core.errors import Conflict, FrontdeskError, NotFound, RateLimited, ValidationFailed
from frontdesk.core.ids import new_id
from frontdesk.core.ratelimit import parse_rules
from frontdesk.deadlines import service as deadlines
from frontdesk.deadlines.service import DueDeadline
from frontdesk.features import audience, calls, conversations
from frontdesk.features.conversations.models import Conversation
from frontdesk.features.orgs import Authenticated, announce_org_changed
from frontdesk.features.orgs.models import Org
from frontdesk.features.telephony import numbers
from frontdesk.features.telephony.events import PhoneLegChanged, PhoneLegUpdated
from frontdesk.features.telephony.models import PhoneLeg, TelephonyAccount
from frontdesk.features.telephony.provider import (
    ENDED,
    RANK,
    CallbackRefused,
    LegStatus,
    ProviderError,
    TelephonyProvider,
)
from frontdesk.features.telephony.schemas import (
    PhoneLegOut,
    PhoneSettingsOut,
    PhoneSettingsPage,
    Provider,
    RegionOut,
    VisitorPhoneLeg,
    VoiceTokenOut,
)
from frontdesk.features.telephony.twilio import (
    TwilioProvider,
    access_token,
    twiml_client,
    twiml_connect,
    twiml_dialed,
)
from frontdesk.runtime import Runtime, UnitOfWork, org_topic, visitor_topic

if TYPE_CHECKING:
    from frontdesk.settings import Settings

log = logging.getLogger("frontdesk.telephony")

# The key in `orgs.settings` that visitor sockets read (the org row is cached per process;
# the account table is not read on a hello).
ORG_SETTINGS_KEY = "telephony"
# Run when a visitor's `phone_join` names a browser call: (work, org_id, visitor_id,
# conversation_id, call_id). The calls feature registers one that raises unless the call is
# that visitor's, in that conversation. With none registered, a call id is refused.
CALL_CHECK_HOOK = "telephony.check_call"

DEFAULT_GREETING = (
    "Hello, this is {company}, calling as you asked on our website. "
    "Please hold while we connect you to a rep."
)
DEFAULT_VISITOR_LIMIT = "3/hour; 5/day"
DEFAULT_ORG_LIMIT = "60/hour; 300/day"
MAX_GREETING = 300
# Seconds a visitor's phone rings before the provider gives up (no_answer).
RING_SECONDS = 30
# An org may not allow itself more than this many calls in any one rule's window.
MAX_RULE_AMOUNT = 10_000
CALLBACK_PATH = "/api/telephony/{provider}/{org_id}/legs/{leg_id}/status"
# Where the provider asks what to do once the visitor answered (the TwiML).
ANSWER_PATH = "/api/telephony/{provider}/{org_id}/legs/{leg_id}/answer"
# Where the provider asks what to do once the answered phone's <Dial> ended (its action).
DIALED_PATH = "/api/telephony/{provider}/{org_id}/legs/{leg_id}/dialed"
# A phone leg whose browser call ended is hung up by the sweeper (outside that transaction:
# the provider's HTTP request must not run inside it), once across processes.
KIND_HANG_UP = "phone.hang_up"
# How long a rep console's Twilio Access Token lives (the console asks again before then).
VOICE_TOKEN_SECONDS = 600


class PhoneUnavailable(FrontdeskError):
    status = 409
    code = "phone_unavailable"


class NoConversation(FrontdeskError):
    status = 409
    code = "no_conversation"


# ---- settings ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SettingsChange:
    """What an admin changes; None leaves a field as it is. `auth_token=""` forgets it."""

    provider: Provider | None = None
    account_sid: str | None = None
    auth_token: str | None = None
    api_key_sid: str | None = None
    api_key_secret: str | None = None
    caller_number: str | None = None
    connect_number: str | None = None
    greeting: str | None = None
    allowed_regions: Sequence[str] | None = None
    visitor_limit: str | None = None
    org_limit: str | None = None


def phone_join_available(org: Org) -> bool:
    """What a visitor's messenger is told: whether to offer "call my phone"."""
    return bool(((org.settings or {}).get(ORG_SETTINGS_KEY) or {}).get("phone_join"))


def callback_base(settings: Settings) -> str | None:
    return settings.public_url.rstrip("/") if settings.public_url else None


def unavailable_reason(account: TelephonyAccount | None, settings: Settings) -> str | None:
    """Why visitors are not offered phone join with these settings; None when they are."""
    if account is None or account.provider == "none":
        return "No phone provider is set."
    missing = [
        label
        for label, value in (
            ("account SID", account.account_sid),
            ("auth token", account.auth_token),
            ("caller number", account.caller_number),
            ("number to connect to", account.connect_number),
        )
        if not value
    ]
    if missing:
        return "Missing: " + ", ".join(missing) + "."
    if not account.allowed_regions:
        return "No country is allowed: add the countries whose numbers may be called."
    if callback_base(settings) is None:
        return (
            "FRONTDESK_PUBLIC_URL is not set: the provider could not reach Frontdesk to report "
            "how each call goes."
        )
    return None


def _bridge_ready(account: TelephonyAccount) -> bool:
    """Whether answered phones can be dialled into a rep's console (an API key is stored)."""
    return bool(account.provider == "twilio" and account.api_key_sid and account.api_key_secret)


def _hint(token: str | None) -> str | None:
    return "…" + token[-4:] if token and len(token) >= 8 else ("set" if token else None)


def settings_out(
    account: TelephonyAccount | None, org_id: str, settings: Settings
) -> PhoneSettingsOut:
    reason = unavailable_reason(account, settings)
    base = callback_base(settings)
    provider = account.provider if account is not None else "none"
    return PhoneSettingsOut(
        provider="twilio" if provider == "twilio" else "none",
        account_sid=account.account_sid if account else None,
        auth_token_set=bool(account and account.auth_token),
        auth_token_hint=_hint(account.auth_token if account else None),
        api_key_sid=account.api_key_sid if account else None,
        api_key_secret_set=bool(account and account.api_key_secret),
        api_key_secret_hint=_hint(account.api_key_secret if account else None),
        browser_bridge=reason is None and account is not None and _bridge_ready(account),
        caller_number=account.caller_number if account else None,
        connect_number=account.connect_number if account else None,
        greeting=account.greeting if account else DEFAULT_GREETING,
        allowed_regions=list(account.allowed_regions or []) if account else [],
        visitor_limit=account.visitor_limit if account else DEFAULT_VISITOR_LIMIT,
        org_limit=account.org_limit if account else DEFAULT_ORG_LIMIT,
        ip_limit=settings.phone_calls_per_ip,
        phone_join_available=reason is None,
        unavailable_reason=reason,
        callback_url=(
            base + CALLBACK_PATH.format(provider="twilio", org_id=org_id, leg_id="{leg_id}")
            if base
            else None
        ),
    )


def _page(account: TelephonyAccount | None, org_id: str, settings: Settings) -> PhoneSettingsPage:
    return PhoneSettingsPage(
        settings=settings_out(account, org_id, settings),
        regions=[
            RegionOut(code=code, name=name, calling_code=calling_code)
            for code, name, calling_code in numbers.regions()
        ],
    )


async def get_settings(runtime: Runtime, org_id: str) -> PhoneSettingsPage:
    async with runtime.db.read() as session:
        account = await session.get(TelephonyAccount, org_id)
    return _page(account, org_id, runtime.settings)


def _check_rate(field: str, text: str, problems: list[dict[str, str]]) -> str:
    try:
        rules = parse_rules(text.strip())
    except ValueError as exc:
        problems.append({"field": field, "problem": str(exc)})
        return text
    if any(rule.amount > MAX_RULE_AMOUNT for rule in rules):
        problems.append(
            {"field": field, "problem": f"at most {MAX_RULE_AMOUNT:,} calls per window"}
        )
    return text.strip()


def _check_number(field: str, text: str, problems: list[dict[str, str]]) -> str | None:
    if not text.strip():
        return None
    try:
        return numbers.e164(text)
    except numbers.NumberRefused as exc:
        problems.append({"field": field, "problem": exc.message})
        return None


async def _credential_problems(
    runtime: Runtime, org_id: str, change: SettingsChange
) -> list[dict[str, str]]:
    """When an admin changes the account SID or auth token, ask Twilio whether the pair works
    (before the transaction: no row is held while Twilio answers). A refusal is a problem of
    the auth token field; a well-formed SID and token are checked, nothing else."""
    if change.account_sid is None and change.auth_token is None:
        return []
    async with runtime.db.read() as session:
        stored = await session.get(TelephonyAccount, org_id)
    provider = change.provider or (stored.provider if stored else "none")
    sid = (
        change.account_sid.strip()
        if change.account_sid is not None
        else (stored.account_sid if stored else None)
    )
    token = (
        change.auth_token.strip()
        if change.auth_token is not None
        else (stored.auth_token if stored else None)
    )
    if provider != "twilio" or not sid or not token:
        return []
    if not (sid.startswith("AC") and len(sid) == 34 and token.isalnum()):
        return []  # the field checks say what is wrong
    try:
        await TwilioProvider(
            sid,
            token,
            api_url=runtime.settings.twilio_api_url,
            timeout=runtime.settings.telephony_timeout,
        ).check_credentials()
    except ProviderError as exc:
        status = (exc.details or {}).get("provider_status")
        problem = (
            "Twilio refused this account SID and auth token"
            if status in (401, 403, 404)
            else "Twilio could not be reached to check the account SID and auth token; "
            "try again in a minute"
        )
        return [{"field": "auth_token", "problem": problem}]
    return []


@dataclass(frozen=True)
class SavedSettings:
    page: PhoneSettingsPage
    # The org's site key when visitors' `phone_join_available` changed (the org row did).
    org_changed: str | None


async def save_settings(runtime: Runtime, org_id: str, change: SettingsChange) -> SavedSettings:
    """Validate and store an admin's change; every problem is named at once (`details`), and
    the org's visitor sockets learn whether to offer phone join."""
    problems: list[dict[str, str]] = await _credential_problems(runtime, org_id, change)
    org_changed: str | None = None
    async with runtime.uow() as work:
        account = await work.session.get(TelephonyAccount, org_id)
        org = await work.session.get(Org, org_id)
        if org is None:
            raise NotFound("org not found")
        if account is None:
            account = TelephonyAccount(
                org_id=org_id,
                provider="none",
                greeting=DEFAULT_GREETING,
                allowed_regions=[],
                visitor_limit=DEFAULT_VISITOR_LIMIT,
                org_limit=DEFAULT_ORG_LIMIT,
                updated_at=runtime.clock.now(),
            )
            work.session.add(account)
        if change.provider is not None:
            account.provider = change.provider
        if change.account_sid is not None:
            sid = change.account_sid.strip()
            if sid and not (sid.startswith("AC") and len(sid) == 34 and sid[2:].isalnum()):
                problems.append(
                    {
                        "field": "account_sid",
                        "problem": "a Twilio account SID is AC followed by 32 letters and digits",
                    }
                )
            account.account_sid = sid or None
        if change.auth_token is not None:
            token = change.auth_token.strip()
            if token and not (16 <= len(token) <= 128 and token.isalnum()):
                problems.append(
                    {"field": "auth_token", "problem": "an auth token is 16-128 letters and digits"}
                )
            account.auth_token = token or None
        if change.api_key_sid is not None:
            key_sid = change.api_key_sid.strip()
            if key_sid and not (
                key_sid.startswith("SK") and len(key_sid) == 34 and key_sid[2:].isalnum()
            ):
                problems.append(
                    {
                        "field": "api_key_sid",
                        "problem": "a Twilio API key SID is SK followed by 32 letters and digits",
                    }
                )
            account.api_key_sid = key_sid or None
        if change.api_key_secret is not None:
            key_secret = change.api_key_secret.strip()
            if key_secret and not (16 <= len(key_secret) <= 128 and key_secret.isalnum()):
                problems.append(
                    {
                        "field": "api_key_secret",
                        "problem": "an API key secret is 16-128 letters and digits",
                    }
                )
            account.api_key_secret = key_secret or None
        if change.caller_number is not None:
            account.caller_number = _check_number("caller_number", change.caller_number, problems)
        if change.connect_number is not None:
            account.connect_number = _check_number(
                "connect_number", change.connect_number, problems
            )
        if change.greeting is not None:
            greeting = change.greeting.strip()
            if not greeting or len(greeting) > MAX_GREETING:
                problems.append(
                    {"field": "greeting", "problem": f"write 1-{MAX_GREETING} characters"}
                )
            account.greeting = greeting
        if change.allowed_regions is not None:
            regions = sorted({region.strip().upper() for region in change.allowed_regions})
            unknown = [region for region in regions if not numbers.known_region(region)]
            if unknown:
                problems.append(
                    {
                        "field": "allowed_regions",
                        "problem": "unknown region code(s): " + ", ".join(unknown),
                    }
                )
            account.allowed_regions = regions
        if change.visitor_limit is not None:
            account.visitor_limit = _check_rate("visitor_limit", change.visitor_limit, problems)
        if change.org_limit is not None:
            account.org_limit = _check_rate("org_limit", change.org_limit, problems)
        if (
            account.provider != "none"
            and account.caller_number
            and account.caller_number == account.connect_number
        ):
            problems.append(
                {
                    "field": "connect_number",
                    "problem": "the number to connect to must not be the caller number itself",
                }
            )
        if problems:
            raise ValidationFailed(
                "; ".join(f"{p['field']}: {p['problem']}" for p in problems), details=problems
            )
        account.updated_at = runtime.clock.now()
        available = unavailable_reason(account, runtime.settings) is None
        if phone_join_available(org) != available:
            org.settings = {**(org.settings or {}), ORG_SETTINGS_KEY: {"phone_join": available}}
            announce_org_changed(work, org)
            org_changed = org.site_key
        page = _page(account, org_id, runtime.settings)
    return SavedSettings(page, org_changed)


# ---- legs ----------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def leg_out(leg: PhoneLeg) -> PhoneLegOut:
    return PhoneLegOut(
        id=leg.id,
        conversation_id=leg.conversation_id,
        visitor_id=leg.visitor_id,
        call_id=leg.call_id,
        number=leg.number,
        status=leg.status,
        end_reason=leg.end_reason,
        duration_seconds=leg.duration_seconds,
        created_at=leg.created_at.isoformat(),
        ringing_at=_iso(leg.ringing_at),
        answered_at=_iso(leg.answered_at),
        ended_at=_iso(leg.ended_at),
    )


def visitor_leg(leg: PhoneLeg) -> VisitorPhoneLeg:
    return VisitorPhoneLeg(
        id=leg.id,
        conversation_id=leg.conversation_id,
        call_id=leg.call_id,
        number=leg.number,
        status=leg.status,
        end_reason=leg.end_reason,
    )


async def _announce(work: UnitOfWork, leg: PhoneLeg, client_id: str | None = None) -> None:
    """The leg's new state to the visitor's tabs and to the consoles that see its chat."""
    conversation = await work.session.get(Conversation, leg.conversation_id)
    if conversation is None:
        return
    work.emit(
        [visitor_topic(leg.visitor_id)],
        visitor_feed.pack(PhoneLegChanged(client_id=client_id, leg=visitor_leg(leg))),
    )
    work.emit(
        [org_topic(leg.org_id)],
        PhoneLegUpdated(leg=leg_out(leg), visibility=audience.of_conversation(conversation)),
    )


def _advance(
    leg: PhoneLeg,
    status: LegStatus,
    now: datetime,
    *,
    reason: str | None = None,
    duration: int | None = None,
) -> bool:
    """Move the leg forward to `status`; False when that changes nothing (a repeated or late
    callback: providers retry and may deliver out of order)."""
    if leg.status in ENDED:
        if duration is not None and leg.duration_seconds is None:
            leg.duration_seconds = duration  # the provider's figure for a leg we ended
            return True
        return False
    if RANK[status] <= RANK[leg.status] and status not in ENDED:
        return False
    leg.status = status
    if status == "ringing":
        leg.ringing_at = now
    elif status == "in_progress":
        leg.ringing_at = leg.ringing_at or now
        leg.answered_at = now
    elif status in ENDED:
        leg.ended_at = now
        leg.end_reason = reason or leg.end_reason
        if duration is not None:
            leg.duration_seconds = duration
    return True


def provider_for(account: TelephonyAccount, settings: Settings) -> TelephonyProvider:
    if account.provider == "twilio" and account.account_sid and account.auth_token:
        return TwilioProvider(
            account.account_sid,
            account.auth_token,
            api_url=settings.twilio_api_url,
            timeout=settings.telephony_timeout,
        )
    raise PhoneUnavailable("Calls to your phone are not available on this website.")


def _wait_text(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    if minutes < 90:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = math.ceil(minutes / 60)
    return f"{hours} hours"


async def _spend_attempt(
    runtime: Runtime, account: TelephonyAccount, visitor_id: str, ip: str | None
) -> None:
    """Count one call against the address, the visitor and the org (memory in one process,
    Redis across several); RateLimited, saying when to try again, if any is used up."""
    limits = [
        (parse_rules(account.org_limit), f"phone:org:{account.org_id}", "org"),
        (parse_rules(account.visitor_limit), f"phone:visitor:{visitor_id}", "visitor"),
    ]
    if ip:
        limits.append(
            (
                parse_rules(runtime.settings.phone_calls_per_ip),
                f"phone:ip:{account.org_id}:{ip}",
                "ip",
            )
        )
    limiter = runtime.rate_limiter
    for rules, key, who in limits:
        wait = await limiter.seconds_until_allowed(rules, key)
        if wait > 0:
            if who == "org":
                raise RateLimited(
                    "We can't place more calls right now; "
                    f"try again in {_wait_text(wait)}, or keep chatting.",
                    details={"retry_after_seconds": math.ceil(wait), "limit": who},
                )
            raise RateLimited(
                f"Too many call attempts; try again in {_wait_text(wait)}.",
                details={"retry_after_seconds": math.ceil(wait), "limit": who},
            )
    for rules, key, _who in limits:
        await limiter.hit_all(rules, key)


async def ring_phone(
    runtime: Runtime,
    org_id: str,
    *,
    conversation_id: str,
    visitor_id: str,
    number: str,
    call_id: str | None = None,
    ip: str | None = None,
    client_id: str | None = None,
) -> PhoneLegOut:
    """Ring `number` for this visitor's conversation (and browser call, if any): the seam the
    calls feature uses for "join by phone".

    Checks the number (region, type) and the limits, writes the leg, asks the provider to
    dial, and returns the leg; its later states arrive through status callbacks and are
    published as `phone_leg` (visitor) and `phone_leg.updated` (consoles). It takes the
    runtime, not a session: the provider's HTTP request must not run inside the caller's
    transaction (a slow provider would hold a connection and row locks, and a rollback
    afterwards could not un-ring a phone). The caller checks that `call_id` is the visitor's.
    """
    settings = runtime.settings
    async with runtime.db.read() as session:
        account = await session.get(TelephonyAccount, org_id)
    if account is None or unavailable_reason(account, settings) is not None:
        raise PhoneUnavailable("Calls to your phone are not available on this website.")
    provider = provider_for(account, settings)
    checked = numbers.check(number, account.allowed_regions)
    if checked.e164 in (account.caller_number, account.connect_number):
        raise numbers.NumberRefused("That number can't be called.")

    async with runtime.uow() as work:
        # Locked: two `phone_join`s for one chat at once must not both find it free.
        conversation = (
            await work.session.execute(
                select(Conversation).where(Conversation.id == conversation_id).with_for_update()
            )
        ).scalar_one_or_none()
        if (
            conversation is None
            or conversation.org_id != org_id
            or conversation.visitor_id != visitor_id
        ):
            raise NotFound("conversation not found")
        if conversation.status not in conversations.OPEN_STATUSES:
            raise NoConversation("This chat has ended; start a new one to be called.")
        busy = (
            await work.session.execute(
                select(PhoneLeg.id).where(
                    PhoneLeg.conversation_id == conversation_id,
                    PhoneLeg.status.in_(("requested", "queued", "ringing", "in_progress")),
                )
            )
        ).first()
        if busy is not None:
            raise Conflict("We are already calling a phone for this chat.")
        # Counted last, when the call is about to be placed: a refusal above costs nothing.
        await _spend_attempt(runtime, account, visitor_id, ip)
        leg = PhoneLeg(
            id=new_id(),
            org_id=org_id,
            conversation_id=conversation_id,
            visitor_id=visitor_id,
            call_id=call_id,
            number=checked.e164,
            provider=provider.name,
            status="requested",
            created_at=runtime.clock.now(),
        )
        work.session.add(leg)
    base = callback_base(settings)
    assert base is not None  # unavailable_reason checked it
    try:
        started = await provider.start_call(
            to=checked.e164,
            from_=account.caller_number or "",
            answer_url=base
            + ANSWER_PATH.format(provider=provider.name, org_id=org_id, leg_id=leg.id),
            status_callback=base
            + CALLBACK_PATH.format(provider=provider.name, org_id=org_id, leg_id=leg.id),
            timeout_seconds=RING_SECONDS,
        )
    except ProviderError as exc:
        async with runtime.uow() as work:
            stored = await work.session.get(PhoneLeg, leg.id)
            if stored is not None and _advance(
                stored, "failed", runtime.clock.now(), reason=exc.message
            ):
                await _announce(work, stored, client_id)
        raise
    async with runtime.uow() as work:
        stored = await _locked_leg(work.session, org_id, leg.id)
        if stored is None:
            raise NotFound("phone leg not found")
        # A callback may have come first and already noted the provider's id.
        stored.provider_call_id = started.provider_call_id
        _advance(stored, started.status, runtime.clock.now())
        await _announce(work, stored, client_id)
        return leg_out(stored)


async def _locked_leg(session: AsyncSession, org_id: str, leg_id: str) -> PhoneLeg | None:
    return (
        await session.execute(
            select(PhoneLeg)
            .where(PhoneLeg.id == leg_id, PhoneLeg.org_id == org_id)
            .with_for_update()
        )
    ).scalar_one_or_none()


async def visitor_phone_join(
    runtime: Runtime,
    org_id: str,
    visitor_id: str,
    number: str,
    *,
    call_id: str | None,
    ip: str | None,
    client_id: str | None,
) -> PhoneLegOut:
    """A visitor's `phone_join`: ring their phone for their open chat (and browser call)."""
    async with runtime.uow() as work:
        conversation = await conversations.open_conversation_for_visitor(work.session, visitor_id)
        if conversation is None or conversation.org_id != org_id:
            raise NoConversation("Start a chat first; then we can call your phone.")
        conversation_id = conversation.id
        if call_id is not None:
            checks = runtime.hooks[CALL_CHECK_HOOK]
            if not checks:
                raise ValidationFailed(
                    "browser calls are not built on this server: leave call_id out"
                )
            await work.run_hooks(CALL_CHECK_HOOK, org_id, visitor_id, conversation_id, call_id)
    return await ring_phone(
        runtime,
        org_id,
        conversation_id=conversation_id,
        visitor_id=visitor_id,
        number=number,
        call_id=call_id,
        ip=ip,
        client_id=client_id,
    )


async def on_status_callback(
    runtime: Runtime,
    provider_name: str,
    org_id: str,
    leg_id: str,
    *,
    url: str,
    params: Sequence[tuple[str, str]],
    headers: Mapping[str, str],
) -> bool:
    """A provider's status callback for one leg: verified with the org's credentials (403
    otherwise), then applied once; a repeated or late callback changes nothing (False)."""
    async with runtime.db.read() as session:
        account = await session.get(TelephonyAccount, org_id)
    if account is None or account.provider != provider_name or not account.auth_token:
        raise CallbackRefused("no such phone account")
    update = provider_for(account, runtime.settings).read_callback(url, params, headers)
    async with runtime.uow() as work:
        leg = await _locked_leg(work.session, org_id, leg_id)
        if leg is None or (
            leg.provider_call_id is not None and leg.provider_call_id != update.provider_call_id
        ):
            raise NotFound("phone leg not found")
        leg.provider_call_id = update.provider_call_id
        changed = _advance(
            leg,
            update.status,
            runtime.clock.now(),
            reason=update.reason,
            duration=update.duration_seconds,
        )
        if changed:
            await _announce(work, leg)
    return changed


def rep_identity(settings: Settings, org_id: str, rep_id: str) -> str:
    """The Twilio Voice client identity of a rep's console: opaque (an HMAC of the org and the
    rep with the server's secret key), the same in the rep's Access Token and in the TwiML that
    rings them, and saying nothing about the rep to Twilio."""
    mac = hmac.new(
        settings.secret_key.encode(), f"twilio-client:{org_id}:{rep_id}".encode(), hashlib.sha256
    )
    return "rep_" + mac.hexdigest()[:32]


async def answer_twiml(
    runtime: Runtime,
    provider_name: str,
    org_id: str,
    leg_id: str,
    *,
    url: str,
    params: Sequence[tuple[str, str]],
    headers: Mapping[str, str],
) -> str:
    """The provider asks what to do now that the visitor answered (signed like a callback;
    403 otherwise): ring the console of the rep on the leg's browser call when there is one and
    an API key is stored, else the org's phone line. The leg moves to in_progress."""
    async with runtime.db.read() as session:
        account = await session.get(TelephonyAccount, org_id)
        if account is None or account.provider != provider_name or not account.auth_token:
            raise CallbackRefused("no such phone account")
        update = provider_for(account, runtime.settings).read_callback(url, params, headers)
        leg = await session.get(PhoneLeg, leg_id)
        if (
            leg is None
            or leg.org_id != org_id
            or (
                leg.provider_call_id is not None and leg.provider_call_id != update.provider_call_id
            )
        ):
            raise NotFound("phone leg not found")
        rep_id = (
            await calls.rep_on_live_call(session, org_id, leg.call_id)
            if leg.call_id is not None and _bridge_ready(account)
            else None
        )
        org = await session.get(Org, org_id)
    greeting = account.greeting.replace("{company}", org.name if org is not None else "")
    base = callback_base(runtime.settings)
    dialed = (
        base + DIALED_PATH.format(provider=provider_name, org_id=org_id, leg_id=leg_id)
        if base
        else None
    )
    async with runtime.uow() as work:
        stored = await _locked_leg(work.session, org_id, leg_id)
        if stored is not None:
            stored.provider_call_id = update.provider_call_id
            if _advance(stored, "in_progress", runtime.clock.now()):
                await _announce(work, stored)
    if rep_id is not None:
        return twiml_client(
            greeting,
            account.caller_number or "",
            rep_identity(runtime.settings, org_id, rep_id),
            leg_id,
            dialed,
        )
    return twiml_connect(
        greeting, account.caller_number or "", account.connect_number or "", dialed
    )


async def dialed_twiml(
    runtime: Runtime,
    provider_name: str,
    org_id: str,
    leg_id: str,
    *,
    url: str,
    params: Sequence[tuple[str, str]],
    headers: Mapping[str, str],
) -> str:
    """The provider asks what to do now that the answered phone's <Dial> ended (signed; 403
    otherwise): apologise if the rep's console or the org's line never answered, else hang
    up."""
    async with runtime.db.read() as session:
        account = await session.get(TelephonyAccount, org_id)
        if account is None or account.provider != provider_name or not account.auth_token:
            raise CallbackRefused("no such phone account")
        update = provider_for(account, runtime.settings).read_callback(url, params, headers)
        leg = await session.get(PhoneLeg, leg_id)
        if leg is None or leg.org_id != org_id or leg.provider_call_id != update.provider_call_id:
            raise NotFound("phone leg not found")
    return twiml_dialed(dict(params).get("DialCallStatus", ""))


async def voice_token(runtime: Runtime, actor: Authenticated, leg_id: str) -> VoiceTokenOut:
    """A short-lived Twilio Access Token for the console of the rep on this leg's browser call,
    so the answered phone can ring there. Anyone else (another org, another rep, a leg without
    a browser call) is told the leg was not found."""
    async with runtime.db.read() as session:
        leg = await session.get(PhoneLeg, leg_id)
        if leg is None or leg.org_id != actor.org_id or leg.call_id is None:
            raise NotFound("phone leg not found")
        rep_id = await calls.rep_on_live_call(session, actor.org_id, leg.call_id)
        if rep_id != actor.rep.id:
            raise NotFound("phone leg not found")
        account = await session.get(TelephonyAccount, actor.org_id)
    if leg.status in ENDED:
        raise Conflict("this call to the visitor's phone has ended")
    if (
        account is None
        or not _bridge_ready(account)
        or not account.account_sid
        or not account.api_key_sid
        or not account.api_key_secret
    ):
        raise PhoneUnavailable(
            "answered phones ring the org's phone line: no Twilio API key is set in Admin -> Phone"
        )
    now = runtime.clock.now()
    identity = rep_identity(runtime.settings, actor.org_id, actor.rep.id)
    issued = int(now.timestamp())
    return VoiceTokenOut(
        leg_id=leg.id,
        call_id=leg.call_id,
        identity=identity,
        token=access_token(
            account.account_sid,
            account.api_key_sid,
            account.api_key_secret,
            identity,
            now=issued,
            ttl_seconds=VOICE_TOKEN_SECONDS,
        ),
        expires_at=datetime.fromtimestamp(issued + VOICE_TOKEN_SECONDS, now.tzinfo).isoformat(),
    )


async def on_call_ended(work: UnitOfWork, org_id: str, call_id: str) -> None:
    """Hook (calls.CALL_ENDED_HOOK): a browser call ended, so the visitor's phone that joined
    it is hung up too, right after the commit, by the sweeper."""
    live = (
        await work.session.execute(
            select(PhoneLeg.id).where(
                PhoneLeg.org_id == org_id,
                PhoneLeg.call_id == call_id,
                PhoneLeg.status.in_(("requested", "queued", "ringing", "in_progress")),
            )
        )
    ).scalars()
    now = work.now_clock.now()
    scheduled = False
    for leg_id in live:
        await deadlines.schedule(
            work.session, kind=KIND_HANG_UP, subject_id=leg_id, due_at=now, now=now, org_id=org_id
        )
        scheduled = True
    if scheduled:
        work.after_commit.append(work.runtime.sweeper.poke)


async def on_hang_up_due(runtime: Runtime, deadline: DueDeadline) -> None:
    """The sweeper hangs up a leg whose browser call ended."""
    if deadline.org_id is not None:
        await hang_up(runtime, deadline.org_id, deadline.subject_id)


async def hang_up(
    runtime: Runtime,
    org_id: str,
    leg_id: str,
    *,
    rep: Authenticated | None = None,
    visitor_id: str | None = None,
) -> PhoneLegOut:
    """End a leg: by a rep who sees its chat, or by the visitor it calls (or by the calls
    feature, with neither, when it ends the browser call the leg belongs to)."""
    async with runtime.db.read() as session:
        leg = await session.get(PhoneLeg, leg_id)
        if leg is None or leg.org_id != org_id:
            raise NotFound("phone leg not found")
        if rep is not None:
            await conversations.get_conversation(session, rep, leg.conversation_id)
        if visitor_id is not None and leg.visitor_id != visitor_id:
            raise NotFound("phone leg not found")
        account = await session.get(TelephonyAccount, org_id)
        provider_call_id, status = leg.provider_call_id, leg.status
    if status in ENDED:
        return leg_out(leg)
    if provider_call_id is not None and account is not None:
        await provider_for(account, runtime.settings).hang_up(
            provider_call_id, answered=status == "in_progress"
        )
    reason = (
        "hung up by the rep"
        if rep is not None
        else "hung up by the visitor"
        if visitor_id is not None
        else "the browser call ended"
    )
    async with runtime.uow() as work:
        stored = await _locked_leg(work.session, org_id, leg_id)
        if stored is None:
            raise NotFound("phone leg not found")
        final: LegStatus = "completed" if stored.status == "in_progress" else "canceled"
        if _advance(stored, final, runtime.clock.now(), reason=reason):
            await _announce(work, stored)
        return leg_out(stored)


async def legs_of_conversation(
    session: AsyncSession, actor: Authenticated, conversation_id: str
) -> list[PhoneLegOut]:
    """A chat's phone legs, newest first, for a rep who sees the chat."""
    await conversations.get_conversation(session, actor, conversation_id)
    rows = await session.execute(
        select(PhoneLeg)
        .where(PhoneLeg.conversation_id == conversation_id, PhoneLeg.org_id == actor.org_id)
        .order_by(PhoneLeg.created_at.desc())
    )
    return [leg_out(leg) for leg in rows.scalars()]
