"""The rep socket (/ws/rep): every frame the console sends and receives."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictInt, StrictStr, TypeAdapter

from frontdesk.core.events import Event
from frontdesk.features.calls.events import (
    CallAnswerRelayed,
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
    CallOfferFrame,
    CallPickupFrame,
    CallRejoined,
    CallStartFrame,
    RepCallAccept,
    RepCallRejoin,
)
from frontdesk.features.conversations.events import (
    ConversationUpdated,
    RepMessage,
)
from frontdesk.features.copilot.events import CopilotChanged
from frontdesk.features.live_stream.events import (
    RepPresence,
    Snapshot,
    SnapshotRep,
    VisitorJoined,
    VisitorLeft,
    VisitorTyping,
    VisitorUpdated,
)
from frontdesk.features.orgs import RepChanged
from frontdesk.features.proactive.events import InvitationUpdated
from frontdesk.features.telephony.events import PhoneLegUpdated
from frontdesk.protocol.common import Ack, ErrorFrame, Frame, Messages, Ping, Pong

# ---- console -> server (validated on arrival: transport/frames.py) -----------------------------

ClientId = Annotated[StrictStr, Field(min_length=1, max_length=64)]
Body = Annotated[StrictStr, Field(min_length=1)]  # length above MAX_BODY gets its own error code
ConversationId = Annotated[StrictStr, Field(min_length=1, max_length=32)]


class RepHello(Frame):
    """The first frame: the last seq the console holds of each conversation it shows."""

    type: Literal["hello"]
    last_seqs: dict[Annotated[str, Field(max_length=32)], Annotated[StrictInt, Field(ge=0)]] = (
        Field(default_factory=dict, max_length=500)
    )


class RepMessageFrame(Frame):
    """A chat message; `client_id` is unique per message and reused on retry."""

    type: Literal["message"]
    conversation_id: ConversationId
    client_id: ClientId
    body: Body


class RepTyping(Frame):
    """The rep started or stopped typing in a conversation."""

    type: Literal["typing"]
    conversation_id: ConversationId
    is_typing: StrictBool


class RepResume(Frame):
    """Send the conversation's messages after `after_seq` (answered with `messages`)."""

    type: Literal["resume"]
    conversation_id: ConversationId
    after_seq: Annotated[StrictInt, Field(ge=0)]


RepFrame = Annotated[
    Ping
    | RepMessageFrame
    | RepTyping
    | RepResume
    | RepHello
    | CallStartFrame
    | RepCallAccept
    | CallPickupFrame
    | CallDeclineFrame
    | RepCallRejoin
    | CallOfferFrame
    | CallCandidateFrame
    | CallMediaFrame
    | CallConnectedFrame
    | CallKeepaliveFrame
    | CallHangupFrame,
    Field(discriminator="type"),
]

# ---- server -> console ------------------------------------------------------------------------


BatchEvent = Annotated[
    VisitorJoined
    | VisitorUpdated
    | VisitorLeft
    | ConversationUpdated
    | RepChanged
    | InvitationUpdated
    | PhoneLegUpdated
    | CopilotChanged,
    Field(discriminator="type"),
]


class Batch(Event):
    """Live-stream events, coalesced: at most one batch per socket every 200 ms
    (`FRONTDESK_REP_BATCH_INTERVAL`), and at most one event per visitor in it (the newest
    state; an update after a join is merged into it)."""

    type: Literal["batch"] = "batch"
    events: list[BatchEvent]


RepServerFrame = Annotated[
    Snapshot
    | Batch
    | Ack
    | RepMessage
    | Messages
    | VisitorTyping
    | CallChanged
    | CallIce
    | CallAnswerRelayed
    | CallCandidateRelayed
    | CallMediaRelayed
    | CallRejoined
    | ErrorFrame
    | Pong,
    Field(discriminator="type"),
]
rep_server_frames: TypeAdapter[RepServerFrame] = TypeAdapter(RepServerFrame)
RepClientFrame = RepFrame

__all__ = [
    "Batch",
    "BatchEvent",
    "RepClientFrame",
    "RepFrame",
    "RepHello",
    "RepMessageFrame",
    "RepPresence",
    "RepResume",
    "RepServerFrame",
    "RepTyping",
    "Snapshot",
    "SnapshotRep",
    "rep_server_frames",
]
