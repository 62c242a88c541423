"""What the segments API and the console's snapshot send about segments."""

from __future__ import annotations

from typing import Any

from frontdesk.core.schemas import Closed


class SegmentOut(Closed):
    id: str
    name: str
    color: str | None
    cold: bool
    position: int
    # {"match": "all"|"any", "conditions": [{"field", "op", "value"}]} as the admin saved it
    # (docs/segments-and-routing.md); the catch-all has none.
    rules: dict[str, Any]
    # {"steps": [{"kind", "team_id", "rep_ids", "round_robin"}]} (routing.service.RoutingRule)
    routing: dict[str, Any]
    experience_id: str | None
    catch_all: bool


class LiveSegmentOut(SegmentOut):
    """A segment with how many live visitors it holds now (that the reader may see)."""

    live_count: int


class RuleFieldOut(Closed):
    """A field segment rules can test; `ops` are the operators for its type, comma-separated."""

    field: str
    type: str
    description: str
    ops: str
