"""Segments an admin defines: saved only when every rule is valid; order is priority."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.core.errors import NotFound, ValidationFailed
from frontdesk.core.ids import new_id
from frontdesk.features import routing
from frontdesk.features.accounts.models import Account
from frontdesk.features.experiences.models import Experience
from frontdesk.features.segments.models import Segment
from frontdesk.features.segments.rules import FIELDS, OPS, CompiledSegment, RuleError, parse_rules
from frontdesk.features.segments.schemas import LiveSegmentOut, RuleFieldOut, SegmentOut
from frontdesk.features.visitors.models import Visit

COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
CATCH_ALL_NAME = "Everyone else"
COLD_GREY = "#94a3b8"


async def list_segments(session: AsyncSession, org_id: str, now: Any) -> list[Segment]:
    """The org's segments by priority; creates the catch-all on first use."""
    query = select(Segment).where(Segment.org_id == org_id).order_by(Segment.position)
    segments = list((await session.execute(query)).scalars())
    if not any(s.is_catch_all for s in segments):
        catch_all = Segment(
            id=new_id(),
            org_id=org_id,
            name=CATCH_ALL_NAME,
            color="#64748b",
            cold=False,
            position=10_000,
            rules={},
            routing={},
            is_catch_all=True,
            created_at=now,
        )
        try:
            async with session.begin_nested():  # another process may be creating it right now
                session.add(catch_all)
        except IntegrityError:
            pass
        segments = list((await session.execute(query)).scalars())
    return segments


def compile_segments(segments: list[Segment]) -> list[CompiledSegment]:
    ordered = sorted(segments, key=lambda s: (s.is_catch_all, s.position))
    return [CompiledSegment(s.id, parse_rules(s.rules), s.is_catch_all) for s in ordered]


def display_order(segments: list[Segment]) -> list[Segment]:
    """Columns: warm segments by priority, then the catch-all, then cold (grey) ones last."""
    return sorted(
        segments,
        key=lambda s: (
            2 if s.cold and not s.is_catch_all else 1 if s.is_catch_all else 0,
            s.position,
        ),
    )


def segment_out(segment: Segment) -> SegmentOut:
    return SegmentOut(
        id=segment.id,
        name=segment.name,
        color=COLD_GREY if segment.cold else segment.color,
        cold=segment.cold,
        position=segment.position,
        rules=segment.rules or {},
        routing=segment.routing or {},
        experience_id=segment.experience_id,
        catch_all=segment.is_catch_all,
    )


def live_segment_out(segment: Segment, live_count: int) -> LiveSegmentOut:
    return LiveSegmentOut(**segment_out(segment).model_dump(), live_count=live_count)


async def live_segments(
    session: AsyncSession, org_id: str, live_visit_ids: Sequence[str], now: Any
) -> list[LiveSegmentOut]:
    """The org's segments in column order, each with how many of these live visits (the
    visitors on the site now) it holds."""
    rows = display_order(await list_segments(session, org_id, now))
    counts: dict[str, int] = {}
    for start in range(0, len(live_visit_ids), 500):
        chunk = live_visit_ids[start : start + 500]
        for segment_id, count in (
            await session.execute(
                select(Visit.segment_id, func.count())
                .where(Visit.id.in_(chunk))
                .group_by(Visit.segment_id)
            )
        ).all():
            counts[segment_id] = counts.get(segment_id, 0) + int(count)
    return [live_segment_out(s, counts.get(s.id, 0)) for s in rows]


def rule_fields() -> list[RuleFieldOut]:
    """What a rule can test, with the operators each field takes."""
    return [
        RuleFieldOut(
            field=name,
            type=kind,
            description=text,
            ops=",".join(op for op, types in OPS.items() if kind in types),
        )
        for name, (kind, text) in FIELDS.items()
    ]


def _validate_rules(name: str, rules: Any) -> dict[str, Any]:
    try:
        parsed = parse_rules(rules)
    except RuleError as exc:
        raise ValidationFailed(
            f"segment {name!r}: " + "; ".join(exc.problems), details={"problems": exc.problems}
        ) from None
    if not parsed.conditions:
        raise ValidationFailed(
            f"segment {name!r}: add at least one condition (the catch-all catches everyone else)"
        )
    return dict(rules)


@dataclass(frozen=True)
class SavedSegment:
    segment: Segment
    # Its routing rule is not what it was: its live visitors are routed again. An unchanged
    # rule (the console sends the whole segment on every save) must not re-deal anyone.
    routing_changed: bool


async def save_segment(
    session: AsyncSession, org_id: str, segment_id: str | None, values: dict[str, Any], now: Any
) -> SavedSegment:
    segments = await list_segments(session, org_id, now)
    segment = next((s for s in segments if s.id == segment_id), None) if segment_id else None
    if segment_id and segment is None:
        raise NotFound("segment not found")
    name = str(values.get("name", segment.name if segment else "")).strip()
    if not name or len(name) > 100:
        raise ValidationFailed("a segment needs a name of 1 to 100 characters")
    color = values.get("color", segment.color if segment else "#2563eb")
    if not isinstance(color, str) or not COLOR_RE.match(color):
        raise ValidationFailed(f"segment {name!r}: color must look like #1d4ed8")
    cold = values.get("cold", segment.cold if segment else False)
    if not isinstance(cold, bool):
        raise ValidationFailed(f"segment {name!r}: cold must be true or false")
    is_catch_all = segment is not None and segment.is_catch_all
    rules = segment.rules if segment else {}
    if "rules" in values:
        if is_catch_all:
            raise ValidationFailed(
                "the catch-all segment has no rules: it holds everyone no other segment matches"
            )
        rules = _validate_rules(name, values["rules"])
    elif segment is None:
        raise ValidationFailed(f"segment {name!r}: rules are required")
    routing_raw = values.get("routing", segment.routing if segment else {})
    rule = routing.parse_routing(routing_raw, name)
    await routing.validate_references(session, org_id, rule)
    experience_id = values.get("experience_id", segment.experience_id if segment else None)
    if experience_id is not None:
        experience = await session.get(Experience, experience_id)
        if experience is None or experience.org_id != org_id:
            raise ValidationFailed(f"segment {name!r}: experience not found")
    if any(s.name.lower() == name.lower() and s.id != segment_id for s in segments):
        raise ValidationFailed(f"a segment named {name!r} already exists")
    routing_changed = segment is None or (
        rule.model_dump() != routing.parse_routing(segment.routing, name).model_dump()
    )
    if segment is None:
        position = max((s.position for s in segments if not s.is_catch_all), default=0) + 10
        segment = Segment(
            id=new_id(), org_id=org_id, position=position, is_catch_all=False, created_at=now
        )
        session.add(segment)
    segment.name, segment.color, segment.cold = name, color, cold
    segment.rules = rules
    segment.routing = rule.model_dump()
    segment.experience_id = experience_id
    await session.flush()
    return SavedSegment(segment, routing_changed)


async def experience_of(session: AsyncSession, segment_id: str) -> str | None:
    """The experience a segment names (None: its org's default applies)."""
    segment = await session.get(Segment, segment_id)
    return segment.experience_id if segment is not None else None


async def route_for_chat(
    session: AsyncSession, visit: Visit, unavailable: set[str]
) -> tuple[list[str], str] | None:
    """The visit's segment's routing again, now, skipping `unavailable` reps (outside
    business hours or at chat capacity): a chat goes to whoever can take it when it starts,
    and a round robin deals it to the next rep with room. None: the visit has no segment."""
    segment = await session.get(Segment, visit.segment_id) if visit.segment_id else None
    if segment is None:
        return None
    account = await session.get(Account, visit.account_id) if visit.account_id else None
    directory = await routing.RoutingDirectory.load(session, visit.org_id)
    directory.unavailable = unavailable
    routed = await routing.route(
        session,
        visit.org_id,
        segment.name,
        routing.parse_routing(segment.routing, segment.name),
        account,
        directory,
        current=list(visit.routed_rep_ids or []),
    )
    return routed.rep_ids, routed.reason


async def segments_routing_to_team(session: AsyncSession, org_id: str, team_id: str) -> set[str]:
    """The segments with a routing step naming this team (their visitors' routing depends on
    its members)."""
    rows = (
        await session.execute(select(Segment.id, Segment.routing).where(Segment.org_id == org_id))
    ).all()
    return {
        segment_id
        for segment_id, rule in rows
        if any(step.get("team_id") == team_id for step in (rule or {}).get("steps") or [])
    }


async def reorder(
    session: AsyncSession, org_id: str, ordered_ids: list[str], now: Any
) -> list[Segment]:
    segments = await list_segments(session, org_id, now)
    movable = {s.id: s for s in segments if not s.is_catch_all}
    if sorted(ordered_ids) != sorted(movable):
        raise ValidationFailed(
            "the order must list every segment except the catch-all exactly once"
        )
    for index, segment_id in enumerate(ordered_ids):
        movable[segment_id].position = (index + 1) * 10
    await session.flush()
    return segments


async def delete_segment(session: AsyncSession, org_id: str, segment_id: str) -> None:
    segment = await session.get(Segment, segment_id)
    if segment is None or segment.org_id != org_id:
        raise NotFound("segment not found")
    if segment.is_catch_all:
        raise ValidationFailed("the catch-all segment cannot be deleted")
    await session.delete(segment)
