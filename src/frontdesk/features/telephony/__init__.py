"""Telephony: join by phone. Rings a visitor's phone through the org's provider (Twilio),
follows the call through signed status callbacks, guards against toll fraud."""

from frontdesk.features.telephony.numbers import (
    CountryRefused,
    NumberInvalid,
    NumberRefused,
    NumberTypeRefused,
)
from frontdesk.features.telephony.provider import (
    CallbackRefused,
    LegStatus,
    ProviderError,
    StartedCall,
    StatusUpdate,
    TelephonyProvider,
)
from frontdesk.features.telephony.service import (
    CALL_CHECK_HOOK,
    NoConversation,
    PhoneUnavailable,
    SettingsChange,
    answer_twiml,
    dialed_twiml,
    get_settings,
    hang_up,
    legs_of_conversation,
    on_status_callback,
    phone_join_available,
    ring_phone,
    save_settings,
    visitor_phone_join,
    voice_token,
)
from frontdesk.features.telephony.twilio import TwilioProvider

__all__ = [
    "CALL_CHECK_HOOK",
    "CallbackRefused",
    "CountryRefused",
    "LegStatus",
    "NoConversation",
    "NumberInvalid",
    "NumberRefused",
    "NumberTypeRefused",
    "PhoneUnavailable",
    "ProviderError",
    "SettingsChange",
    "StartedCall",
    "StatusUpdate",
    "TelephonyProvider",
    "TwilioProvider",
    "answer_twiml",
    "dialed_twiml",
    "get_settings",
    "hang_up",
    "legs_of_conversation",
    "on_status_callback",
    "phone_join_available",
    "ring_phone",
    "save_settings",
    "visitor_phone_join",
    "voice_token",
]
