"""Call frames: what each side sends (validated on arrival) and what the server sends back.

Signalling travels over the visitor's and the rep's existing sockets. The server relays an
offer, answer, ICE candidate or media state only between the two sides of that call, in that
org: to the rep's own topic (runtime.rep_topic, every console tab of that rep) and to the
visitor's topic (their tabs); each client ignores frames of a call its tab does not hold.
The rep always makes the offer (also when the visitor re-joins after a page load); the
visitor answers. docs/protocol.md lists them all.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from frontdesk.core.events import Event
from frontdesk.features.calls.schemas import CallOut, IceServer, Media

# SDP is ASCII; a Chromium offer with audio and video is 4-7 KB, and 12,000 characters leaves
# room for more codecs without letting a frame carry much else.
MAX_SDP_CHARS = 12_000
MAX_CANDIDATE_CHARS = 1_000

CallId = Annotated[StrictStr, Field(min_length=1, max_length=32)]
LegId = Annotated[StrictStr, Field(min_length=1, max_length=64)]
ConversationId = Annotated[StrictStr, Field(min_length=1, max_length=32)]
Sdp = Annotated[StrictStr, Field(min_length=1, max_length=MAX_SDP_CHARS)]


class _ClientFrame(BaseModel):
    # As protocol.common.Frame (a feature imports nothing of protocol/): closed, frozen.
    model_config = ConfigDict(extra="forbid", frozen=True)


class IceCandidate(_ClientFrame):
    """RTCIceCandidateInit, as the browser gives it."""

    candidate: Annotated[StrictStr, Field(max_length=MAX_CANDIDATE_CHARS)]
    sdpMid: Annotated[StrictStr, Field(max_length=64)] | None = None
    sdpMLineIndex: Annotated[StrictInt, Field(ge=0, le=64)] | None = None
    usernameFragment: Annotated[StrictStr, Field(max_length=256)] | None = None


# ---- visitor -> server -----------------------------------------------------------------------


class CallRequestFrame(_ClientFrame):
    """The visitor asks the rep of their chat for a call (when the org allows it): the rep
    then allows audio and video, or audio only, or declines."""

    type: Literal["call_request"]
    media: Media
    tab_id: LegId


class CallQueueFrame(_ClientFrame):
    """The messenger's "Call us" (the voice call queue, when the admin offers it to the
    visitor's segment): a voice call that rings the reps routed to the visitor until one
    answers (`call_pickup`) or the queue times out."""

    type: Literal["call_queue"]
    tab_id: LegId


class CallRingingFrame(_ClientFrame):
    """The messenger shows the incoming call."""

    type: Literal["call_ringing"]
    call_id: CallId


class VisitorCallAccept(_ClientFrame):
    """The visitor joins the rep's call with audio or video (nothing is sent before this)."""

    type: Literal["call_accept"]
    call_id: CallId
    media: Media
    tab_id: LegId


class CallDeclineFrame(_ClientFrame):
    """The callee says no (the call ends as `declined`)."""

    type: Literal["call_decline"]
    call_id: CallId


class CallRejoinFrame(_ClientFrame):
    """After a page load the messenger joins its call again with a new peer connection; the rep's
    console then makes a new offer by itself."""

    type: Literal["call_rejoin"]
    call_id: CallId
    tab_id: LegId


class CallAnswerFrame(_ClientFrame):
    """The visitor's SDP answer to the rep's offer."""

    type: Literal["call_answer"]
    call_id: CallId
    sdp: Sdp


# ---- both sides -> server --------------------------------------------------------------------


class CallCandidateFrame(_ClientFrame):
    """One trickled ICE candidate for the other side."""

    type: Literal["call_candidate"]
    call_id: CallId
    candidate: IceCandidate


class CallMediaFrame(_ClientFrame):
    """What this side sends now: the other side shows it (muted, camera off, screen)."""

    type: Literal["call_media"]
    call_id: CallId
    mic: StrictBool
    camera: StrictBool
    screen: StrictBool = False


class CallConnectedFrame(_ClientFrame):
    """Media flows on this side's peer connection: the call is active."""

    type: Literal["call_connected"]
    call_id: CallId


class CallKeepaliveFrame(_ClientFrame):
    """Sent every 5 s while a side holds a call: a side not heard of for the grace period
    (FRONTDESK_CALL_GRACE_SECONDS) has gone, and the call ends as `failed`. `media_connected`:
    media from the other side flows on this side's peer connection right now, so the other
    side is alive too, even while its own socket is away (its server process died and it is
    reconnecting: media never goes through the server)."""

    type: Literal["call_keepalive"]
    call_id: CallId
    media_connected: StrictBool = False


class CallHangupFrame(_ClientFrame):
    """End the call (or cancel it while it rings). `failed`: this side could not connect the
    media, and says why (shown to the other side)."""

    type: Literal["call_hangup"]
    call_id: CallId
    failed: Annotated[StrictStr, Field(max_length=300)] | None = None


# ---- rep -> server ---------------------------------------------------------------------------


class CallStartFrame(_ClientFrame):
    """The rep calls the visitor of their chat; `leg` names this console tab."""

    type: Literal["call_start"]
    conversation_id: ConversationId
    media: Media
    leg: LegId


class RepCallAccept(_ClientFrame):
    """The rep allows the visitor's call: audio and video, or audio only."""

    type: Literal["call_accept"]
    call_id: CallId
    allow: Media
    leg: LegId


class CallPickupFrame(_ClientFrame):
    """The rep answers a queued call from this console tab (`leg`); the first answer wins,
    any later one is refused ("already answered")."""

    type: Literal["call_pickup"]
    call_id: CallId
    leg: LegId


class RepCallRejoin(_ClientFrame):
    """After a page load the console joins its call again from this tab (`leg`: the same tab's
    leg, kept in the tab's session storage), then makes a new offer. `move`: the rep chose
    "Move the call here" in another tab; without it a tab that does not hold the call is
    refused, so a second tab never takes a call by itself."""

    type: Literal["call_rejoin"]
    call_id: CallId
    leg: LegId
    move: StrictBool = False


class CallOfferFrame(_ClientFrame):
    """The rep's SDP offer (a new one after the visitor re-joins)."""

    type: Literal["call_offer"]
    call_id: CallId
    sdp: Sdp


# ---- server -> clients -----------------------------------------------------------------------


class CallChanged(Event):
    """The call's state changed (to both sides; a keepalive for an ended call gets it too)."""

    type: Literal["call"] = "call"
    call: CallOut


class CallIce(Event):
    """To the socket that started, joined or re-joined a call only: the ICE servers for it,
    TURN credentials minted for this call and valid until `expires_at`."""

    type: Literal["call_ice"] = "call_ice"
    call_id: str
    ice_servers: list[IceServer]
    ice_transport_policy: Literal["all", "relay"]
    expires_at: str | None


class CallOfferRelayed(Event):
    """The rep's offer, to the visitor."""

    type: Literal["call_offer"] = "call_offer"
    call_id: str
    sdp: str


class CallAnswerRelayed(Event):
    """The visitor's answer, to the rep."""

    type: Literal["call_answer"] = "call_answer"
    call_id: str
    sdp: str


class CallCandidateRelayed(Event):
    """The other side's ICE candidate."""

    type: Literal["call_candidate"] = "call_candidate"
    call_id: str
    candidate: IceCandidate


class CallMediaRelayed(Event):
    """The other side's microphone, camera and screen."""

    type: Literal["call_media"] = "call_media"
    call_id: str
    mic: bool
    camera: bool
    screen: bool


class CallRejoined(Event):
    """To the rep: the visitor's messenger joined again (a page load): make a new offer."""

    type: Literal["call_rejoined"] = "call_rejoined"
    call_id: str


VISITOR_CALL_FRAMES = (
    CallRequestFrame,
    CallQueueFrame,
    CallRingingFrame,
    VisitorCallAccept,
    CallDeclineFrame,
    CallRejoinFrame,
    CallAnswerFrame,
    CallCandidateFrame,
    CallMediaFrame,
    CallConnectedFrame,
    CallKeepaliveFrame,
    CallHangupFrame,
)
