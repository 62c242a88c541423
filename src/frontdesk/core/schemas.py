"""The base of every shape the server sends: closed (unknown fields refused), and described
exactly in /openapi.json so the console's and widget's types can be generated from it."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, WithJsonSchema


class Closed(BaseModel):
    """An answer or a part of a frame. Fields with defaults are still always sent, so the
    schema of what is sent (serialization mode) lists them as required."""

    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=True)


# A time the server wrote with datetime.isoformat() (kept as it was sent before these models
# existed: "+00:00", where pydantic would write "Z").
IsoTime = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
