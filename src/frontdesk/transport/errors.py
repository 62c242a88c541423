"""Turning pydantic validation errors into messages a client developer can act on."""

from __future__ import annotations

from pydantic import ValidationError


def describe_validation_error(exc: ValidationError, *, tagged: bool = False) -> str:
    """One line naming each bad field. `tagged`: errors come from a union keyed on 'type'."""
    parts = []
    for error in exc.errors()[:5]:
        loc = list(error["loc"])
        if tagged and loc and error["type"] not in ("union_tag_invalid", "union_tag_not_found"):
            loc = loc[1:]  # the first element is the frame type pydantic picked
        where = ".".join(str(p) for p in loc) or "frame"
        kind = error["type"]
        if kind == "union_tag_invalid":
            given = error["input"].get("type") if isinstance(error["input"], dict) else None
            parts.append(f"unknown frame type {given!r}")
        elif kind == "union_tag_not_found":
            parts.append("the frame has no 'type'")
        elif kind == "missing":
            parts.append(f"missing field '{where}'")
        elif kind == "extra_forbidden":
            parts.append(f"unexpected field '{where}'")
        elif kind in ("model_type", "model_attributes_type", "dict_type") and not loc:
            parts.append("a frame must be a JSON object")
        else:
            parts.append(f"field '{where}': {error['msg']}")
    return "; ".join(parts) or "invalid frame"
