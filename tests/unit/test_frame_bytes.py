"""Frames that used to be hand-built bytes or dicts are the same bytes as models (some code
still sends them as bytes: the registry's BLOCKED_FRAME, blocking's BLOCKED_FEED, the bus's
RESYNC; the rep hub writes its batches from the events as they came off the bus)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from frontdesk.bus.base import RESYNC
from frontdesk.features import audience
from frontdesk.features.blocking.events import BLOCKED_FEED, IpBlocked, VisitorBlocked
from frontdesk.features.conversations.events import (
    MessageOut,
    RepBrief,
    VisitorConversation,
    VisitorMessage,
)
from frontdesk.features.live_stream.events import RepPresence, Snapshot, SnapshotRep, VisitorLeft
from frontdesk.features.proactive.schemas import InvitingRep, VisitorInvitation
from frontdesk.features.segments.events import PlacementsChanged, StreamResync
from frontdesk.protocol.common import Ack, ErrorFrame, Messages, Pong
from frontdesk.protocol.console_frames import Batch
from frontdesk.protocol.visitor_frames import (
    Identified,
    OfflineReceived,
    Resync,
    Welcome,
    WelcomeConfig,
    visitor_server_frames,
)
from frontdesk.transport.sockets import error_frame
from frontdesk.transport.visitor_registry import BLOCKED_FRAME


def test_control_frames_are_the_bytes_they_were() -> None:
    assert VisitorBlocked().to_bytes() == b'{"type":"blocked"}' == BLOCKED_FRAME
    assert Resync().to_bytes() == RESYNC
    assert StreamResync().to_bytes() == b'{"type":"stream.resync"}'
    assert PlacementsChanged().to_bytes() == b'{"type":"placements.changed"}'
    assert IpBlocked(cidr="198.51.100.0/24").to_bytes() == (
        b'{"type":"ip.blocked","cidr":"198.51.100.0/24"}'
    )
    # A blocked visitor leaves every console: the audience of everyone (features/audience).
    assert VisitorLeft(visitor_id="v1", visibility=audience.EVERYONE).to_bytes() == (
        b'{"type":"visitor.left","visitor_id":"v1",'
        b'"visibility":{"routed_rep_ids":[],"owner_rep_id":null}}'
    )
    # What a visitor's topic carries for a block: a header, then the same frame.
    assert BLOCKED_FEED.endswith(VisitorBlocked().to_bytes())


def test_an_error_frame_names_its_ref_only_when_there_is_one() -> None:
    assert error_frame("invalid_json", "the frame is not valid JSON") == {
        "type": "error",
        "code": "invalid_json",
        "message": "the frame is not valid JSON",
    }
    assert error_frame("too_long", "too long", "c1")["ref"] == "c1"
    frame = orjson.loads(ErrorFrame(code="x", message="y").to_bytes())
    assert isinstance(visitor_server_frames.validate_python(frame), ErrorFrame)


# ---- frames that were hand-built dicts: the model writes the bytes the dict did --------------

NOW = "2024-05-01T12:00:00+00:00"


def _message(**changes: Any) -> MessageOut:
    fields: dict[str, Any] = {
        "id": "m" * 32,
        "conversation_id": "c" * 32,
        "seq": 3,
        "author_kind": "visitor",
        "author_name": "Visitor",
        "author_rep_id": None,
        "body": "hello",
        "html": "<p>hello</p>",
        "client_id": "c-1",
        "created_at": datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
        "internal": False,
    }
    return MessageOut(**{**fields, **changes})


def test_socket_answers_are_the_bytes_the_dicts_were() -> None:
    message = _message()
    dumped = message.model_dump(mode="json")
    assert Pong(server_time=NOW).to_bytes() == orjson.dumps({"type": "pong", "server_time": NOW})
    assert Ack(client_id="c-1", message=message).to_bytes() == orjson.dumps(
        {"type": "ack", "client_id": "c-1", "message": dumped}
    )
    assert Messages(conversation_id="c" * 32, messages=[message]).to_bytes() == orjson.dumps(
        {"type": "messages", "conversation_id": "c" * 32, "messages": [dumped]}
    )
    # A visitor without a conversation: the id is sent as null, not left out.
    assert Messages(conversation_id=None, messages=[]).to_bytes() == (
        b'{"type":"messages","conversation_id":null,"messages":[]}'
    )
    assert VisitorMessage(message=message).to_bytes() == orjson.dumps(
        {"type": "message", "message": dumped}
    )
    assert Identified(identity_status="verified").to_bytes() == (
        b'{"type":"identified","identity_status":"verified"}'
    )
    assert OfflineReceived(client_id=None).to_bytes() == (
        b'{"type":"offline_received","client_id":null}'
    )


def test_the_welcome_is_the_bytes_the_dict_was() -> None:
    message = _message()
    conversation = VisitorConversation(
        id="c" * 32, status="active", origin="inbound", rep=RepBrief(id="r1", name="Ann")
    )
    invitation = VisitorInvitation(
        id="i" * 32,
        message="Hi",
        html="<p>Hi</p>",
        rep=InvitingRep(id="r1", name="Ann"),
        status="pending",
        expires_at=None,
        server_time=NOW,
    )
    # Messenger settings in the order the model lists them (a TypedDict is written in that
    # order, whatever order the org's settings were stored in).
    messenger: dict[str, Any] = {"color": "#112233", "greeting": "Hello!", "ask_identity": True}
    welcome = Welcome(
        token="t",
        visitor_id="v1",
        visit_id="w1",
        conversation=conversation,
        messages=[message],
        identity_status="anonymous",
        invitations=[invitation],
        config=WelcomeConfig(
            org_name="Acme",
            idle_after_seconds=120,
            heartbeat_seconds=25,
            messenger=messenger,
            phone_join_available=False,
        ),
        server_time=NOW,
    )
    assert welcome.to_bytes() == orjson.dumps(
        {
            "type": "welcome",
            "token": "t",
            "visitor_id": "v1",
            "visit_id": "w1",
            "conversation": conversation.model_dump(mode="json"),
            "messages": [message.model_dump(mode="json")],
            "identity_status": "anonymous",
            "invitations": [invitation.model_dump(mode="json")],
            # (issue 15: the visitor's call in progress, none here)
            "call": None,
            "config": {
                "org_name": "Acme",
                "idle_after_seconds": 120,
                "heartbeat_seconds": 25,
                "messenger": messenger,
                "phone_join_available": False,
                "visitor_calls": False,
                # (files in chat: what visitors may attach; none here)
                "visitor_files": None,
                # (the voice call queue: "Call us" not offered here)
                "call_queue": False,
            },
            "server_time": NOW,
        }
    )


def test_the_snapshot_is_the_bytes_the_dict_was() -> None:
    rep = SnapshotRep(
        id="r1",
        name="Ann",
        role="admin",
        availability="available",
        auto_pounce_enabled=True,
        auto_pounce_off_reason=None,
        voice_video_enabled=False,
    )
    presence = RepPresence(id="r1", name="Ann", availability="available", active=True)
    snapshot = Snapshot(
        rep=rep, reps=[presence], visitors=[], conversations=[], segments=[], server_time=NOW
    )
    assert snapshot.to_bytes() == orjson.dumps(
        {
            "type": "snapshot",
            "rep": {
                "id": "r1",
                "name": "Ann",
                "role": "admin",
                "availability": "available",
                "auto_pounce_enabled": True,
                "auto_pounce_off_reason": None,
                "voice_video_enabled": False,
            },
            "reps": [{"id": "r1", "name": "Ann", "availability": "available", "active": True}],
            "visitors": [],
            "conversations": [],
            "segments": [],
            "server_time": NOW,
        }
    )
    # The rep hub writes its batches itself (the events as they came off the bus).
    assert Batch.name == "batch"
