"""What the telephony API and frames carry."""

from __future__ import annotations

from typing import Literal

from frontdesk.core.schemas import Closed, IsoTime
from frontdesk.features.telephony.provider import LegStatus

Provider = Literal["none", "twilio"]


class PhoneSettingsOut(Closed):
    """An org's phone settings as admins see them: the auth token never leaves the server."""

    provider: Provider
    account_sid: str | None
    # Whether an auth token is stored, and its last four characters to tell tokens apart.
    auth_token_set: bool
    auth_token_hint: str | None
    # A Twilio API key (SK...) for the rep's console; its secret is never returned either.
    api_key_sid: str | None
    api_key_secret_set: bool
    api_key_secret_hint: str | None
    # Answered phones of a browser call ring the rep's console (Twilio Voice client); false:
    # they ring the number to connect to.
    browser_bridge: bool
    caller_number: str | None
    connect_number: str | None
    greeting: str
    # ISO 3166 region codes ("US", "GB") whose numbers visitors may be called on.
    allowed_regions: list[str]
    visitor_limit: str
    org_limit: str
    # The server-wide limit per IP address (FRONTDESK_PHONE_CALLS_PER_IP); not per org.
    ip_limit: str
    # What visitors' messengers are told (welcome.config.phone_join_available), and if not,
    # why not.
    phone_join_available: bool
    unavailable_reason: str | None
    # Where the provider sends status callbacks (a leg id is added per call).
    callback_url: str | None


class RegionOut(Closed):
    code: str  # "GB"
    name: str  # "United Kingdom"
    calling_code: int  # 44


class PhoneSettingsPage(Closed):
    settings: PhoneSettingsOut
    # Every region libphonenumber knows, by name, for the allowed-regions picker.
    regions: list[RegionOut]


class PhoneLegOut(Closed):
    """A call to a visitor's phone, as reps see it."""

    id: str
    conversation_id: str
    visitor_id: str
    # The browser call this leg joins, when there is one (the calls feature's id).
    call_id: str | None
    number: str  # E.164
    status: LegStatus
    end_reason: str | None
    duration_seconds: int | None
    created_at: IsoTime
    ringing_at: IsoTime | None
    answered_at: IsoTime | None
    ended_at: IsoTime | None


class VisitorPhoneLeg(Closed):
    """The same leg as the visitor's messenger sees it."""

    id: str
    conversation_id: str
    call_id: str | None
    number: str
    status: LegStatus
    end_reason: str | None


class VoiceTokenOut(Closed):
    """A Twilio Access Token for the console of the rep on this leg's browser call: a voice
    grant that lets `identity` receive calls, nothing else; short-lived."""

    leg_id: str
    call_id: str
    identity: str
    token: str
    expires_at: IsoTime
