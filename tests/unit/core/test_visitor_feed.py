"""What a visitor's tabs get from their bus topic: a typed header in front of the exact frame."""

from __future__ import annotations

import orjson
import pytest

from frontdesk.bus.base import RESYNC
from frontdesk.core import visitor_feed
from frontdesk.features.blocking.events import BLOCKED_FEED
from frontdesk.features.conversations.events import Typing, VisitorConversationChanged


def test_a_frame_passes_through_byte_for_byte_behind_a_header_naming_its_type() -> None:
    typing = Typing(conversation_id="c1", is_typing=True, rep_name="Dana")
    header, frame = visitor_feed.unpack(visitor_feed.pack(typing))
    assert header == visitor_feed.Header(type="typing")
    assert frame == typing.to_bytes()


def test_a_visitors_message_names_the_client_id_its_sending_tab_skips() -> None:
    header, _ = visitor_feed.unpack(
        visitor_feed.pack_bytes("message", b'{"type":"message"}', echo_of="c-17")
    )
    assert header.type == "message" and header.echo_of == "c-17"


def test_a_chat_change_says_whether_the_chat_is_open_and_who_has_it() -> None:
    changed = VisitorConversationChanged.model_validate(
        {"conversation": {"id": "c1", "status": "active", "origin": "inbound", "rep": None}}
    )
    header, frame = visitor_feed.unpack(
        visitor_feed.pack(changed, chat_open=True, chat_owner_rep_id="rep-dana")
    )
    assert (header.type, header.chat_open, header.chat_owner_rep_id) == (
        "conversation",
        True,
        "rep-dana",
    )
    assert orjson.loads(frame)["conversation"]["status"] == "active"


def test_only_the_header_is_read_however_large_the_frame() -> None:
    # Not JSON at all: unpacking must not parse the frame (a 10,000-character message is
    # passed to every tab of the visitor without being parsed once per tab).
    body = b"x" * 200_000
    header, frame = visitor_feed.unpack(visitor_feed.pack_bytes("message", body, echo_of="c1"))
    assert header.echo_of == "c1" and frame == body


def test_the_bus_resync_without_a_header_is_a_plain_frame_to_pass_on() -> None:
    header, frame = visitor_feed.unpack(RESYNC)
    assert header is visitor_feed.PLAIN and frame == RESYNC


def test_a_blocked_visitor_is_told_with_the_frame_the_widget_knows() -> None:
    header, frame = visitor_feed.unpack(BLOCKED_FEED)
    assert header.type == "blocked" and orjson.loads(frame) == {"type": "blocked"}


def test_a_misspelt_header_field_fails_in_the_publisher() -> None:
    with pytest.raises(TypeError):
        visitor_feed.pack_bytes("message", b"{}", echo="c1")
