"""Events: typed, closed models named noun.past_verb, serialised once and fanned out as bytes.

Every frame a client receives is one (docs/protocol.md lists them; frontdesk/protocol/ holds
each socket's catalogue), and so is every message on the bus between processes."""

from __future__ import annotations

from typing import Any, ClassVar

import orjson
from pydantic import BaseModel, ConfigDict


class Event(BaseModel):
    """Subclasses declare their frame type as their first field, with itself as default:
    `type: Literal["visitor.left"] = "visitor.left"`. It is sent first ("{"type":"message",...")
    and lets a union of events be validated and typed by `type` (clients narrow on it)."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_serialization_defaults_required=True
    )
    # The frame type, taken from the `type` field's default.
    name: ClassVar[str] = "event"

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        fields = cls.model_fields
        default = fields["type"].default if "type" in fields else None
        if not isinstance(default, str) or next(iter(fields)) != "type":
            raise TypeError(
                f"{cls.__name__}: declare `type: Literal[name] = name` as the first field"
            )
        cls.name = default

    def to_frame(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def to_bytes(self) -> bytes:
        return orjson.dumps(self.to_frame())
