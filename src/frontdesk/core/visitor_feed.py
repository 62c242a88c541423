"""What is published on a visitor's bus topic (runtime.visitor_topic) for all their open tabs.

A payload is a small typed header, a newline, then the frame exactly as the widget gets it:

    {"type":"message","echo_of":"c-17"}
    {"type":"message","message":{...}}

A visitor socket (transport/ws_visitor.py, `VisitorConnection._on_bus`) parses only the header,
a few dozen bytes whatever the size of the frame, to learn what it must do besides passing the
frame on: skip the echo of a message it sent itself, close for a block, note its chat's new
state. The frame is serialised once by the publisher and never parsed on the way through.
orjson writes no raw newline (newlines inside strings are escaped), so the first newline ends
the header.

A payload without a header is a plain frame to pass on: the bus's own resync event
(bus/base.py, RESYNC), which it publishes on any topic whose events may have been lost. Every
frame a feature publishes for a visitor goes through `pack`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from frontdesk.core.events import Event

SEPARATOR = b"\n"


@dataclass(frozen=True, slots=True)
class Header:
    # The frame's type ("message", "conversation", "blocked", ...); "" for a plain frame.
    type: str
    # A message the visitor wrote: the client id it was sent with. The tab that sent it has
    # the message in its ack, and skips this copy; the visitor's other tabs show it.
    echo_of: str | None = None
    # A `conversation` frame: whether the chat is open (incoming or active), and its owner.
    chat_open: bool = False
    chat_owner_rep_id: str | None = None


PLAIN = Header(type="")


def pack(frame: Event, **header: Any) -> bytes:
    """The payload for a visitor's topic: `frame` behind a header naming its type, with any
    of Header's other fields given."""
    return pack_bytes(frame.name, frame.to_bytes(), **header)


def pack_bytes(type_: str, frame: bytes, **header: Any) -> bytes:
    """The same for a frame serialised already (its type given, so nothing parses it)."""
    fields = {"type": type_, **{k: v for k, v in header.items() if v is not None}}
    Header(**fields)  # a misspelt field fails here, in the publisher, not in every socket
    return orjson.dumps(fields) + SEPARATOR + frame


def unpack(data: bytes) -> tuple[Header, bytes]:
    """The header and the frame to send on."""
    end = data.find(SEPARATOR)
    if end < 0:
        return PLAIN, data
    return Header(**orjson.loads(data[:end])), data[end + 1 :]
