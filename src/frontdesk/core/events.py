"""Events: typed, closed models named noun.past_verb, serialised once and fanned out as bytes."""

from __future__ import annotations

from typing import Any, ClassVar

import orjson
from pydantic import BaseModel, ConfigDict


class Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: ClassVar[str] = "event"

    def to_frame(self) -> dict[str, Any]:
        return {"type": self.name, **self.model_dump(mode="json")}

    def to_bytes(self) -> bytes:
        return orjson.dumps(self.to_frame())
