"""Client frames validated on arrival (the models: frontdesk/protocol/; docs/protocol.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import TypeAdapter, ValidationError

from frontdesk.features.calls.events import MAX_CANDIDATE_CHARS, MAX_SDP_CHARS
from frontdesk.features.conversations import MAX_BODY
from frontdesk.features.csat import MAX_COMMENT
from frontdesk.protocol.common import Ping
from frontdesk.protocol.console_frames import (
    RepFrame,
    RepHello,
    RepMessageFrame,
    RepResume,
    RepTyping,
)
from frontdesk.protocol.visitor_frames import (
    MAX_DRAFT,
    ActivityFrame,
    DraftFrame,
    IdentifyFrame,
    InvitationShown,
    OfflineMessageFrame,
    OpenFrame,
    Page,
    PageViewFrame,
    PhoneHangUpFrame,
    PhoneJoinFrame,
    RateFrame,
    VisitorFrame,
    VisitorHello,
    VisitorMessageFrame,
    VisitorResume,
    VisitorTyping,
)
from frontdesk.transport.errors import describe_validation_error
from frontdesk.transport.sockets import error_frame

visitor_frames: TypeAdapter[VisitorFrame] = TypeAdapter(VisitorFrame)
visitor_hello: TypeAdapter[VisitorHello] = TypeAdapter(VisitorHello)


# The largest frame of each type a visitor may send, in bytes of UTF-8: every field at its
# longest, in characters of up to 4 bytes, plus 1 KiB for names, quotes and small fields. No
# valid frame is refused, and no frame carries much more than its fields (padding in unknown
# fields is refused before it is validated). Any frame over 64 KiB closes the socket (1009,
# aiohttp's max_msg_size in ws_visitor).
def _cap(longest_fields_in_chars: int) -> int:
    return 4 * longest_fields_in_chars + 1024


_PAGE_CHARS = 3 * 4096 + 1000  # url, referrer, og_image, title
VISITOR_FRAME_MAX_BYTES: dict[str, int] = {
    "hello": _cap(_PAGE_CHARS + 64 + 256 + 35),  # the page, the tab id, the token, the language
    "ping": _cap(0),
    "activity": _cap(0),
    "typing": _cap(0),
    "resume": _cap(0),
    "open": _cap(0),
    "invitation_shown": _cap(32),
    "page_view": _cap(_PAGE_CHARS),
    "identify": _cap(320 + 200 + 128),
    "message": _cap(MAX_BODY + 64),
    "offline_message": _cap(MAX_BODY + 64 + 200 + 320),
    "rate": _cap(64 + 64 + MAX_COMMENT),  # client id, conversation id, comment
    "draft": _cap(MAX_DRAFT),
    "phone_join": _cap(64 + 32 + 64),  # client id, number, call id
    "phone_hang_up": _cap(32),
    # Calls: SDP and candidates are ASCII (refused otherwise by their size), so their limits
    # are in bytes as written, not in 4-byte characters.
    "call_request": _cap(64),
    "call_queue": _cap(64),  # tab id
    "call_ringing": _cap(32),
    "call_accept": _cap(32 + 64),
    "call_decline": _cap(32),
    "call_rejoin": _cap(32 + 64),
    "call_answer": MAX_SDP_CHARS + 1024,
    "call_candidate": MAX_CANDIDATE_CHARS + 64 + 256 + 1024,
    "call_media": _cap(32),
    "call_connected": _cap(32),
    "call_keepalive": _cap(32 + 8),
    "call_hangup": _cap(32 + 300),
}


rep_frames: TypeAdapter[RepFrame] = TypeAdapter(RepFrame)


@dataclass(frozen=True)
class Decoded:
    """A client frame, or the error frame that says why it was refused (never both)."""

    frame: Any
    error: dict[str, Any] | None
    ref: str | None


def utf8_size(text: str, at_most: int) -> int:
    """The UTF-8 length of text, measured only when it might exceed at_most (a character is at
    most 4 bytes: most frames are checked without encoding them)."""
    if len(text) * 4 <= at_most:
        return len(text)
    return len(text.encode("utf-8", "surrogatepass"))


def decode_frame(
    text: str | bytes, adapter: TypeAdapter[Any], max_bytes: dict[str, int] | None = None
) -> Decoded:
    """Parse and validate one client frame; every refusal gets a clear error frame.

    With max_bytes (frame type -> bytes), a frame of a listed type larger than its limit is
    refused as too_large."""
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:
        return Decoded(None, error_frame("invalid_json", "the frame is not valid JSON"), None)
    ref = (
        data.get("client_id")
        if isinstance(data, dict) and isinstance(data.get("client_id"), str)
        else None
    )
    if max_bytes is not None and isinstance(data, dict):
        frame_type = data.get("type")
        limit = max_bytes.get(frame_type) if isinstance(frame_type, str) else None
        if limit is not None:
            size = utf8_size(text, limit) if isinstance(text, str) else len(text)
            if size > limit:
                return Decoded(
                    None,
                    error_frame(
                        "too_large", f"a {frame_type} frame may have at most {limit:,} bytes", ref
                    ),
                    ref,
                )
    body = data.get("body") if isinstance(data, dict) else None
    if isinstance(body, str) and len(body) > MAX_BODY:
        return Decoded(
            None,
            error_frame("too_long", f"a message may have at most {MAX_BODY:,} characters", ref),
            ref,
        )
    try:
        return Decoded(adapter.validate_python(data), None, ref)
    except ValidationError as exc:
        return Decoded(
            None,
            error_frame("invalid_frame", describe_validation_error(exc, tagged=True), ref),
            ref,
        )


__all__ = [
    "MAX_BODY",
    "VISITOR_FRAME_MAX_BYTES",
    "ActivityFrame",
    "Decoded",
    "DraftFrame",
    "IdentifyFrame",
    "InvitationShown",
    "OfflineMessageFrame",
    "OpenFrame",
    "Page",
    "PageViewFrame",
    "PhoneHangUpFrame",
    "PhoneJoinFrame",
    "Ping",
    "RateFrame",
    "RepFrame",
    "RepHello",
    "RepMessageFrame",
    "RepResume",
    "RepTyping",
    "VisitorFrame",
    "VisitorHello",
    "VisitorMessageFrame",
    "VisitorResume",
    "VisitorTyping",
    "decode_frame",
    "utf8_size",
]
