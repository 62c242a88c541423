"""Frames both sockets send."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from frontdesk.core.events import Event
from frontdesk.core.schemas import IsoTime
from frontdesk.features.conversations.events import MessageOut


class Frame(BaseModel):
    """A frame a client sends: closed, and refused with an `error` frame when it is not valid."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Ping(Frame):
    """Heartbeat (both sockets); answered with `pong`."""

    type: Literal["ping"]


class Pong(Event):
    """The answer to `ping`."""

    type: Literal["pong"] = "pong"
    server_time: IsoTime


class ErrorFrame(Event):
    """A client frame was refused (docs/protocol.md lists the codes). The socket stays open,
    except after a bad `hello`."""

    type: Literal["error"] = "error"
    code: str
    message: str
    # The refused frame's client_id; left out when it had none.
    ref: str | None = None
    # The refused frame's type, with `rate_limited` (left out otherwise).
    frame_type: str | None = None

    def to_frame(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        target = handler.resolve_ref_schema(schema)
        target["required"] = [
            name for name in target.get("required", []) if name not in ("ref", "frame_type")
        ]
        return schema


class Ack(Event):
    """A message this socket sent is stored (a retried client_id gets the same ack again)."""

    type: Literal["ack"] = "ack"
    client_id: str
    message: MessageOut


class Messages(Event):
    """The answer to `resume`: the messages after the seq asked for."""

    type: Literal["messages"] = "messages"
    # None (visitor socket): the visitor has no conversation.
    conversation_id: str | None
    messages: list[MessageOut]
