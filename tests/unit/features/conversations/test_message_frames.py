"""A stored message's frames are the RepMessage and VisitorMessage events, byte for byte, though
the message is serialised once for both."""

from __future__ import annotations

from datetime import UTC, datetime

from frontdesk.core import visitor_feed
from frontdesk.features import audience
from frontdesk.features.conversations.events import MessageOut, RepMessage, VisitorMessage
from frontdesk.features.conversations.group_writer import OpenChat
from frontdesk.features.conversations.messages import message_out
from frontdesk.features.conversations.publish import message_frames
from frontdesk.runtime import org_topic, visitor_topic

CHAT = OpenChat("c1", "o1", "v1", "r1", ["r1", "r2"])


def _message(
    author_kind: str = "visitor",
    client_id: str | None = "k1",
    internal: bool = False,
    meta: dict[str, object] | None = None,
) -> MessageOut:
    return message_out(
        message_id="m1",
        conversation_id="c1",
        seq=7,
        author_kind=author_kind,
        author_name="Ada",
        author_rep_id=None if author_kind == "visitor" else "r1",
        body="We use **Okta**",
        html="<p>We use <strong>Okta</strong></p>",
        created_at=datetime(2026, 12, 6, 1, 2, 3, 456789, tzinfo=UTC),
        client_id=client_id,
        internal=internal,
        meta=meta,
    )


def _expected(out: MessageOut) -> list[tuple[str, bytes]]:
    visibility = audience.of_conversation(CHAT)
    frames = [(org_topic("o1"), RepMessage(message=out, visibility=visibility).to_bytes())]
    if not out.internal:
        echo = out.client_id if out.author_kind == "visitor" else None
        visitor_frame = VisitorMessage(message=out.for_visitor())
        frames.append((visitor_topic("v1"), visitor_feed.pack(visitor_frame, echo_of=echo)))
    return frames


def test_a_visitor_message_goes_to_the_consoles_and_the_visitor_tabs_as_its_events() -> None:
    out = _message()
    assert message_frames(CHAT, out) == _expected(out)


def test_a_rep_message_with_annotations_shows_the_visitor_only_theirs() -> None:
    out = _message("rep", client_id=None, meta={"auto_pounce": True, "meeting_offer": "mt1"})
    frames = message_frames(CHAT, out)
    assert frames == _expected(out)
    assert b"auto_pounce" in frames[0][1] and b"auto_pounce" not in frames[1][1]


def test_an_internal_note_goes_to_the_consoles_only() -> None:
    out = _message("rep", internal=True)
    assert message_frames(CHAT, out) == _expected(out)
    assert len(message_frames(CHAT, out)) == 1
