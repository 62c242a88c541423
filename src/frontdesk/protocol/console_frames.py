"""The rep socket (/ws/rep): every frame the console sends and receives."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictInt, StrictStr, TypeAdapter

from frontdesk.core.events import Event
from frontdesk.core.schemas import Closed, IsoTime
from frontdesk.features.conversations.events import (
    ConversationSummary,
    ConversationUpdated,
    RepMessage,
)
from frontdesk.features.live_stream.events import (
    VisitorCard,
    VisitorJoined,
    VisitorLeft,
    VisitorTyping,
    VisitorUpdated,
)
from frontdesk.features.orgs import RepChanged
from frontdesk.features.orgs.schemas import Availability, Role
from frontdesk.features.proactive.events import InvitationUpdated
from frontdesk.features.segments.schemas import LiveSegmentOut
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
    Ping | RepMessageFrame | RepTyping | RepResume | RepHello, Field(discriminator="type")
]

# ---- server -> console ------------------------------------------------------------------------


class SnapshotRep(Closed):
    """The signed-in rep."""

    id: str
    name: str
    role: Role
    availability: Availability
    auto_pounce_enabled: bool
    auto_pounce_off_reason: str | None
    voice_video_enabled: bool


class RepPresence(Closed):
    """A colleague, for names and availability."""

    id: str
    name: str
    availability: Availability
    active: bool


class Snapshot(Event):
    """Everything the console shows, after `hello` and whenever it must resynchronise (segments
    changed, or events may have been lost on the bus): it replaces all the console held."""

    type: Literal["snapshot"] = "snapshot"
    rep: SnapshotRep
    reps: list[RepPresence]
    # The live visitors this rep may see.
    visitors: list[VisitorCard]
    # Open conversations and the most recent ones this rep may see.
    conversations: list[ConversationSummary]
    segments: list[LiveSegmentOut]
    server_time: IsoTime


BatchEvent = Annotated[
    VisitorJoined
    | VisitorUpdated
    | VisitorLeft
    | ConversationUpdated
    | RepChanged
    | InvitationUpdated,
    Field(discriminator="type"),
]


class Batch(Event):
    """Live-stream events, coalesced: at most one batch per socket every 250 ms, and at most one
    event per visitor in it (the newest state; an update after a join is merged into it)."""

    type: Literal["batch"] = "batch"
    events: list[BatchEvent]


RepServerFrame = Annotated[
    Snapshot | Batch | Ack | RepMessage | Messages | VisitorTyping | ErrorFrame | Pong,
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
