"""Frames that used to be hand-built bytes are the same bytes as models (some code still
sends them as bytes: the registry's BLOCKED_FRAME, visitor_feed.BLOCKED)."""

from __future__ import annotations

import orjson

from frontdesk.bus.base import RESYNC
from frontdesk.core import visitor_feed
from frontdesk.features import audience
from frontdesk.features.blocking.events import IpBlocked, VisitorBlocked
from frontdesk.features.live_stream.events import VisitorLeft
from frontdesk.features.segments.events import PlacementsChanged, StreamResync
from frontdesk.protocol.common import ErrorFrame
from frontdesk.protocol.visitor_frames import Resync, visitor_server_frames
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
    assert visitor_feed.BLOCKED.endswith(VisitorBlocked().to_bytes())


def test_an_error_frame_names_its_ref_only_when_there_is_one() -> None:
    assert error_frame("invalid_json", "the frame is not valid JSON") == {
        "type": "error",
        "code": "invalid_json",
        "message": "the frame is not valid JSON",
    }
    assert error_frame("too_long", "too long", "c1")["ref"] == "c1"
    frame = orjson.loads(ErrorFrame(code="x", message="y").to_bytes())
    assert isinstance(visitor_server_frames.validate_python(frame), ErrorFrame)
