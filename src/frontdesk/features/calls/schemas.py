"""What the calls feature answers and sends: a call as clients see it, ICE servers, settings."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict
from typing_extensions import TypedDict

from frontdesk.core.schemas import Closed, IsoTime
from frontdesk.features.conversations.events import RepBrief

CallState = Literal["requested", "ringing", "connecting", "active", "ended"]
EndReason = Literal["ended_by_rep", "ended_by_visitor", "declined", "blocked", "missed", "failed"]
Media = Literal["audio", "video"]
Channel = Literal["browser"]


class CallOut(Closed):
    """One call, as both of its sides (and the transcript, Visitor 360, webhooks) see it."""

    id: str
    conversation_id: str
    visitor_id: str
    # The rep on the call (null only if their account was deleted).
    rep: RepBrief | None
    initiated_by: Literal["rep", "visitor"]
    # What the caller asked for; the rep may also share a screen over the video.
    media: Media
    # What the visitor sends: what they joined with, or what the rep allowed (null: not yet).
    visitor_media: Media | None
    state: CallState
    end_reason: EndReason | None
    # Why, in words, when the reason alone does not say it.
    end_detail: str | None
    # How the visitor takes part: the browser (WebRTC in the messenger). A phone that joins
    # the call is its own record (telephony's phone legs, with this call's id).
    channel: Channel
    # A call from the messenger's "Call us", still waiting in the queue for a rep (`rep` is
    # null until one answers).
    queued: bool = False
    # The console tab and the messenger tab holding the call (null until that side joined).
    rep_leg: str | None
    visitor_leg: str | None
    created_at: IsoTime
    answered_at: IsoTime | None
    connected_at: IsoTime | None
    ended_at: IsoTime | None
    # connected_at to ended_at, in whole seconds (null: never connected, or still going).
    duration_seconds: int | None


class IceServer(Closed):
    """One entry of RTCConfiguration.iceServers. TURN entries carry a credential minted for
    this call that expires (coturn's use-auth-secret scheme); STUN entries carry none."""

    urls: list[str]
    username: str | None = None
    credential: str | None = None


class CallSettings(TypedDict, total=False):
    """An org's call settings; only what an admin set (defaults: docs/calls.md)."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]

    # Visitors may start a call from the messenger (the rep then allows it).
    visitor_initiated: bool
    # The voice call queue: visitors placed in these segments see "Call us" in the messenger.
    queue_segment_ids: list[str]
    # How long a queued call rings the reps before it ends as missed (the visitor then gets the
    # offline form or the meeting booker). Default QUEUE_TIMEOUT_DEFAULT.
    queue_timeout_seconds: int


class IceSettingsOut(Closed):
    """The server's ICE settings as admins see them (set by the operator: FRONTDESK_STUN_URLS,
    FRONTDESK_TURN_URLS, FRONTDESK_TURN_SECRET; never the secret itself)."""

    stun_urls: list[str]
    turn_urls: list[str]
    turn_secret_set: bool
    turn_credential_ttl: int
    ice_transport_policy: Literal["all", "relay"]


class ChatHandedOver(Closed):
    conversation_id: str
    to_rep: RepBrief


class ChatKept(Closed):
    conversation_id: str
    # Why it stayed (nobody else available, or the transfer was refused).
    reason: str


class OtherChatsTransferred(Closed):
    """The answer to "Transfer my other chats" during a call: where each chat went, and the
    ones that stayed with the rep."""

    transferred: list[ChatHandedOver]
    kept: list[ChatKept]
