"""The visitor socket (/ws/visitor): every frame the widget sends and receives."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictInt, StrictStr, TypeAdapter

from frontdesk.core.events import Event
from frontdesk.core.schemas import Closed, IsoTime
from frontdesk.features.blocking.events import VisitorBlocked
from frontdesk.features.calls.events import (
    CallAnswerFrame,
    CallCandidateFrame,
    CallCandidateRelayed,
    CallChanged,
    CallConnectedFrame,
    CallDeclineFrame,
    CallHangupFrame,
    CallIce,
    CallKeepaliveFrame,
    CallMediaFrame,
    CallMediaRelayed,
    CallOfferRelayed,
    CallQueueFrame,
    CallRejoinFrame,
    CallRequestFrame,
    CallRingingFrame,
    VisitorCallAccept,
)
from frontdesk.features.calls.schemas import CallOut
from frontdesk.features.conversations.events import (
    MessageOut,
    Typing,
    VisitorConversation,
    VisitorConversationChanged,
    VisitorMessage,
)
from frontdesk.features.csat import MAX_COMMENT
from frontdesk.features.files.schemas import VisitorFileRules
from frontdesk.features.live_stream.events import IdentityStatus
from frontdesk.features.orgs.schemas import MAX_LANGUAGE_TAG, MessengerSettings
from frontdesk.features.proactive.events import InvitationExpired, InvitationSent
from frontdesk.features.proactive.schemas import VisitorInvitation
from frontdesk.features.telephony.events import PhoneLegChanged
from frontdesk.protocol.common import Ack, ErrorFrame, Frame, Messages, Ping, Pong

# ---- widget -> server (validated on arrival: transport/frames.py) ------------------------------

ClientId = Annotated[StrictStr, Field(min_length=1, max_length=64)]
Body = Annotated[StrictStr, Field(min_length=1)]  # length above MAX_BODY gets its own error code
Url = Annotated[StrictStr, Field(max_length=4096)]
Language = Annotated[
    StrictStr,
    Field(max_length=MAX_LANGUAGE_TAG, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$"),
]


class Page(Frame):
    url: Url
    title: Annotated[StrictStr, Field(max_length=1000)] = ""
    referrer: Url | None = None
    og_image: Url | None = None


class VisitorHello(Frame):
    """The first frame: who the visitor is (a token from an earlier welcome) and the page."""

    type: Literal["hello"]
    token: StrictStr | None = None
    page: Page
    resumed: StrictBool = False
    last_seq: Annotated[StrictInt, Field(ge=0)] = 0
    tab_id: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    # The visitor's language, a short BCP-47 tag ("de", "pt-BR"): what the server writes into
    # their chat is in it (with the org's choice first). Left out: the browser's Accept-Language.
    language: Language | None = None


class PageViewFrame(Frame):
    """The visitor moved to another page (single-page-app navigation too)."""

    type: Literal["page_view"]
    page: Page


class ActivityFrame(Frame):
    """The tab became active, went to the background, or idle."""

    type: Literal["activity"]
    state: Literal["active", "another_tab", "idle"]


class VisitorMessageFrame(Frame):
    """A chat message; `client_id` is unique per message and reused on retry."""

    type: Literal["message"]
    client_id: ClientId
    body: Body


class VisitorTyping(Frame):
    """The visitor started or stopped typing."""

    type: Literal["typing"]
    is_typing: StrictBool


class VisitorResume(Frame):
    """Send what this tab missed after `after_seq` (answered with `messages`, or with the frames it missed when `conversation_id` is given)."""

    type: Literal["resume"]
    after_seq: Annotated[StrictInt, Field(ge=0)]
    # The conversation `after_seq` counts in (null: the client knows none). Sent when catching
    # up after a `resync`; the answer then also carries the conversation's current state.
    conversation_id: Annotated[StrictStr, Field(max_length=64)] | None = None


class IdentifyFrame(Frame):
    """identify(): the visitor's email (and name), with the site's HMAC to verify it."""

    type: Literal["identify"]
    email: Annotated[StrictStr, Field(min_length=3, max_length=320)]
    name: Annotated[StrictStr, Field(max_length=200)] | None = None
    hash: Annotated[StrictStr, Field(max_length=128)] | None = None


class OpenFrame(Frame):
    """The visitor opened the messenger."""

    type: Literal["open"]


class InvitationShown(Frame):
    """The widget put an invitation on screen: its 2-minute expiry starts now."""

    type: Literal["invitation_shown"]
    invitation_id: Annotated[StrictStr, Field(min_length=32, max_length=32)]


class OfflineMessageFrame(Frame):
    """The offline form: left when nobody was available; emailed to the routed reps."""

    type: Literal["offline_message"]
    client_id: ClientId | None = None  # echoed in offline_received, and as `ref` in errors
    name: Annotated[StrictStr, Field(max_length=200)] | None = None
    # Optional when the visitor already gave one (identify(), the identity card): then the
    # stored address is used and the form does not ask for it again.
    email: Annotated[StrictStr, Field(min_length=3, max_length=320)] | None = None
    body: Body


class PhoneJoinFrame(Frame):
    """Join by phone: ring this number (international form, "+44 20 7946 0958") for the
    visitor's open chat, instead of using the microphone. Offered only when
    `welcome.config.phone_join_available`; answered with `phone_leg` (same client_id) or an
    `error` saying why not (docs/telephony.md)."""

    type: Literal["phone_join"]
    client_id: ClientId
    number: Annotated[StrictStr, Field(min_length=1, max_length=32)]
    # The browser call the phone joins (the calls feature's id); null: a call from the chat.
    call_id: Annotated[StrictStr, Field(min_length=1, max_length=64)] | None = None


class PhoneHangUpFrame(Frame):
    """End the call to the visitor's phone (answered with `phone_leg`, status ended)."""

    type: Literal["phone_hang_up"]
    leg_id: Annotated[StrictStr, Field(min_length=32, max_length=32)]


class RateFrame(Frame):
    """The visitor rates their chat after it ended (when `welcome.config.messenger.csat` is
    "faces": 1 bad, 2 neutral, 3 good; "stars": 1-5), with an optional comment. One rating per
    chat, final; answered with `conversation` (its `rating` set) on every tab of the visitor,
    or an `error` (ref: client_id) saying why not (docs/widget.md, "Rating a chat")."""

    type: Literal["rate"]
    client_id: ClientId | None = None  # echoed as `ref` in errors
    conversation_id: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    score: Annotated[StrictInt, Field(ge=1, le=5)]
    comment: Annotated[StrictStr, Field(max_length=MAX_COMMENT)] | None = None


# Sneak peek sends at most the draft's last 1,000 characters.
MAX_DRAFT = 1000


class DraftFrame(Frame):
    """Sneak peek (only when `welcome.config.messenger.sneak_peek`): what the visitor has typed
    so far in their open chat, not sent yet ("" once cleared or sent). Relayed to the consoles
    that may see the chat as `typing` with `draft`, never stored; at most one a second."""

    type: Literal["draft"]
    text: Annotated[StrictStr, Field(max_length=MAX_DRAFT)]


# Every frame after the hello (one list: the socket's parser and the documented union below
# both read it).
AfterHello = (
    Ping
    | PageViewFrame
    | ActivityFrame
    | VisitorMessageFrame
    | VisitorTyping
    | VisitorResume
    | IdentifyFrame
    | OpenFrame
    | OfflineMessageFrame
    | RateFrame
    | DraftFrame
    | InvitationShown
    | PhoneJoinFrame
    | PhoneHangUpFrame
    | CallRequestFrame
    | CallQueueFrame
    | CallRingingFrame
    | VisitorCallAccept
    | CallDeclineFrame
    | CallRejoinFrame
    | CallAnswerFrame
    | CallCandidateFrame
    | CallMediaFrame
    | CallConnectedFrame
    | CallKeepaliveFrame
    | CallHangupFrame
)
VisitorFrame = Annotated[AfterHello, Field(discriminator="type")]
# Everything the widget sends, the hello included (documentation and generated types).
VisitorClientFrame = Annotated[VisitorHello | AfterHello, Field(discriminator="type")]

# ---- server -> widget -------------------------------------------------------------------------


class WelcomeConfig(Closed):
    org_name: str
    idle_after_seconds: int
    heartbeat_seconds: int
    messenger: MessengerSettings
    # Offer "call my phone instead": the org has a telephony provider set up (Admin -> Phone).
    phone_join_available: bool
    # The messenger offers a call button (the rep of the chat then allows it).
    visitor_calls: bool = False
    # The messenger offers to attach files (features/files); null: visitors may not send any.
    visitor_files: VisitorFileRules | None = None
    # The voice call queue: the messenger offers "Call us" (this visit's segment is one the
    # admin picked); on hold it says "Thanks for calling {org_name}, ...".
    call_queue: bool = False


class Welcome(Event):
    """The answer to `hello`: who the visitor is, their open conversation and what to show."""

    type: Literal["welcome"] = "welcome"
    # Keep it (first-party cookie or local storage) and send it in the next hello.
    token: str
    visitor_id: str
    visit_id: str
    conversation: VisitorConversation | None
    # The conversation's messages after the hello's last_seq.
    messages: list[MessageOut]
    identity_status: IdentityStatus
    invitations: list[VisitorInvitation]
    # The visitor's call that is not over (a page load re-joins it); null: none.
    call: CallOut | None = None
    config: WelcomeConfig
    server_time: IsoTime


class Identified(Event):
    """The answer to `identify`."""

    type: Literal["identified"] = "identified"
    identity_status: IdentityStatus


class OfflineReceived(Event):
    """The offline form is stored (and will be emailed to the routed reps)."""

    type: Literal["offline_received"] = "offline_received"
    client_id: str | None


class Resync(Event):
    """Frames for this socket may have been lost on the bus: send `resume` with `after_seq` and
    `conversation_id` to catch up (bus.base.RESYNC is these bytes)."""

    type: Literal["resync"] = "resync"


VisitorServerFrame = Annotated[
    Welcome
    | Ack
    | VisitorMessage
    | Messages
    | VisitorConversationChanged
    | Typing
    | Identified
    | InvitationSent
    | InvitationExpired
    | OfflineReceived
    | PhoneLegChanged
    | VisitorBlocked
    | Resync
    | CallChanged
    | CallIce
    | CallOfferRelayed
    | CallCandidateRelayed
    | CallMediaRelayed
    | Pong
    | ErrorFrame,
    Field(discriminator="type"),
]
visitor_server_frames: TypeAdapter[VisitorServerFrame] = TypeAdapter(VisitorServerFrame)

__all__ = [
    "MAX_DRAFT",
    "ActivityFrame",
    "DraftFrame",
    "Identified",
    "IdentifyFrame",
    "InvitationShown",
    "OfflineMessageFrame",
    "OfflineReceived",
    "OpenFrame",
    "Page",
    "PageViewFrame",
    "PhoneHangUpFrame",
    "PhoneJoinFrame",
    "Ping",
    "RateFrame",
    "Resync",
    "VisitorClientFrame",
    "VisitorFrame",
    "VisitorHello",
    "VisitorMessageFrame",
    "VisitorResume",
    "VisitorServerFrame",
    "VisitorTyping",
    "Welcome",
    "WelcomeConfig",
    "visitor_server_frames",
]
