"""Segments: ordered, coloured groups of visitors defined by rules; first match wins."""

from frontdesk.features.segments.placement import AccountIndex, VisitorRow, VisitRow, place_visit
from frontdesk.features.segments.resegment import resegment_org
from frontdesk.features.segments.rules import CompiledSegment
from frontdesk.features.segments.service import (
    compile_segments,
    delete_segment,
    display_order,
    experience_of,
    list_segments,
    live_segment_out,
    live_segments,
    reorder,
    route_for_chat,
    rule_fields,
    save_segment,
    segment_out,
    segments_routing_to_team,
)

__all__ = [
    "AccountIndex",
    "CompiledSegment",
    "VisitRow",
    "VisitorRow",
    "compile_segments",
    "delete_segment",
    "display_order",
    "experience_of",
    "list_segments",
    "live_segment_out",
    "live_segments",
    "place_visit",
    "reorder",
    "resegment_org",
    "route_for_chat",
    "rule_fields",
    "save_segment",
    "segment_out",
    "segments_routing_to_team",
]
