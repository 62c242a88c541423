"""Routing: for a visitor's segment, which reps see them and may engage, and why."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.core.errors import NotFound, ValidationFailed
from frontdesk.features.accounts.models import Account
from frontdesk.features.orgs.models import Rep
from frontdesk.features.routing.models import RoundRobinCursor, Team, TeamMember
from frontdesk.features.routing.schemas import TeamName, TeamOut


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["account_owner", "team", "reps", "everyone"]
    team_id: str | None = None
    rep_ids: list[str] = Field(default_factory=list, max_length=500)
    round_robin: bool = False


class RoutingRule(BaseModel):
    """Ordered steps: the first step that yields an available rep decides."""

    model_config = ConfigDict(extra="forbid")

    steps: list[Step] = Field(default_factory=list, max_length=10)


def parse_routing(raw: Any, segment_name: str = "") -> RoutingRule:
    try:
        rule = RoutingRule.model_validate(raw or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValidationFailed(
            f"routing for {segment_name or 'segment'}: '{where}': {first['msg']}"
        ) from None
    for index, step in enumerate(rule.steps, start=1):
        if step.kind == "team" and not step.team_id:
            raise ValidationFailed(
                f"routing for {segment_name}: step {index} (team) needs a team_id"
            )
        if step.kind == "reps" and not step.rep_ids:
            raise ValidationFailed(f"routing for {segment_name}: step {index} (reps) needs rep_ids")
    return rule


@dataclass(frozen=True)
class Routed:
    rep_ids: list[str]  # empty = every rep of the org
    reason: str


async def next_turn(session: AsyncSession, org_id: str, pool: str) -> int:
    """Atomically take the next turn in a round-robin pool (shared across processes)."""
    dialect = session.bind.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    await session.execute(
        insert(RoundRobinCursor).values(org_id=org_id, pool=pool, turn=0).on_conflict_do_nothing()
    )
    turn = (
        await session.execute(
            update(RoundRobinCursor)
            .where(RoundRobinCursor.org_id == org_id, RoundRobinCursor.pool == pool)
            .values(turn=RoundRobinCursor.turn + 1)
            .returning(RoundRobinCursor.turn)
        )
    ).scalar_one()
    return int(turn) - 1


async def validate_references(session: AsyncSession, org_id: str, rule: RoutingRule) -> None:
    for step in rule.steps:
        if step.team_id:
            team = await session.get(Team, step.team_id)
            if team is None or team.org_id != org_id:
                raise ValidationFailed(f"routing: team {step.team_id} not found")
        for rep_id in step.rep_ids:
            rep = await session.get(Rep, rep_id)
            if rep is None or rep.org_id != org_id:
                raise ValidationFailed(f"routing: rep {rep_id} not found")


class RoutingDirectory:
    """The org's active reps and teams, loaded once per placement pass (re-routing thousands
    of visitors must not query per visitor)."""

    def __init__(
        self,
        reps: dict[str, Rep],
        teams: dict[str, tuple[str, list[str]]],
        unavailable: set[str] | None = None,
    ) -> None:
        self.reps = reps
        self.teams = teams  # team id -> (name, member rep ids)
        # Reps to skip even when Available: outside business hours or at chat capacity (set
        # when routing a chat, not for the live stream: a busy rep still sees visitors).
        self.unavailable = unavailable or set()

    @classmethod
    async def load(cls, session: AsyncSession, org_id: str) -> RoutingDirectory:
        reps = {
            r.id: r
            for r in (
                await session.execute(select(Rep).where(Rep.org_id == org_id, Rep.active.is_(True)))
            ).scalars()
        }
        teams: dict[str, tuple[str, list[str]]] = {}
        for team in (await session.execute(select(Team).where(Team.org_id == org_id))).scalars():
            teams[team.id] = (team.name, [])
        for team_id, rep_id in (
            (
                await session.execute(
                    select(TeamMember.team_id, TeamMember.rep_id).where(
                        TeamMember.team_id.in_(list(teams))
                    )
                )
            ).all()
            if teams
            else []
        ):
            teams[team_id][1].append(rep_id)
        return cls(reps, teams)


async def route(
    session: AsyncSession,
    org_id: str,
    segment_name: str,
    rule: RoutingRule,
    account: Account | None,
    directory: RoutingDirectory | None = None,
    *,
    current: Sequence[str] = (),
) -> Routed:
    """`current`: the reps the visitor is routed to now. A round-robin step keeps the visitor
    with their current rep while that rep is still in its pool and available: re-routing (a
    changed rule, a new team member) deals out only new visitors, it never re-deals live ones."""
    if not rule.steps:
        return Routed([], f"Everyone sees visitors in {segment_name}")
    if directory is None:
        directory = await RoutingDirectory.load(session, org_id)
    reps = directory.reps
    first_nonempty: tuple[list[str], str] | None = None
    for step in rule.steps:
        pool: list[str]
        label: str
        if step.kind == "account_owner":
            if account is None or account.owner_rep_id not in reps:
                continue
            pool, label = [account.owner_rep_id], f"Account owner of {account.name}"
        elif step.kind == "team":
            if step.team_id not in directory.teams:
                continue
            team_name, members = directory.teams[step.team_id]
            pool, label = sorted(m for m in members if m in reps), f"Team {team_name}"
        elif step.kind == "reps":
            pool, label = [r for r in step.rep_ids if r in reps], "Chosen reps"
        else:
            pool, label = sorted(reps), "Everyone"
        if not pool:
            continue
        if first_nonempty is None:
            first_nonempty = (pool, label)
        available = [
            r
            for r in pool
            if reps[r].availability == "available" and r not in directory.unavailable
        ]
        if not available:
            continue
        if step.round_robin and len(available) > 1:
            if len(current) == 1 and current[0] in available:
                kept = current[0]
                return Routed(
                    [kept], f"{label} (round robin) for {segment_name}: {reps[kept].name}"
                )
            turn = await next_turn(
                session, org_id, f"{step.kind}:{step.team_id or ','.join(sorted(pool))}"[:80]
            )
            chosen = available[turn % len(available)]
            return Routed(
                [chosen], f"{label} (round robin) for {segment_name}: {reps[chosen].name}"
            )
        names = ", ".join(reps[r].name for r in available[:3]) + ("…" if len(available) > 3 else "")
        return Routed(available, f"{label} for {segment_name}: {names}")
    if first_nonempty is not None:
        pool, label = first_nonempty
        return Routed(pool, f"{label} for {segment_name} (nobody available right now)")
    return Routed([], f"No routing step matched for {segment_name}; everyone sees them")


async def create_team(
    session: AsyncSession, org_id: str, name: str, rep_ids: list[str], now: Any
) -> Team:
    from frontdesk.core.ids import new_id

    name = name.strip()
    if not name:
        raise ValidationFailed("a team needs a name")
    exists = (
        await session.execute(select(Team).where(Team.org_id == org_id, Team.name == name))
    ).scalar_one_or_none()
    if exists is not None:
        raise ValidationFailed(f"a team named {name!r} already exists")
    team = Team(id=new_id(), org_id=org_id, name=name[:100], created_at=now)
    session.add(team)
    await session.flush()
    await set_team_members(session, org_id, team, rep_ids)
    return team


async def get_team(session: AsyncSession, org_id: str, team_id: str) -> Team:
    team = await session.get(Team, team_id)
    if team is None or team.org_id != org_id:
        raise NotFound("team not found")
    return team


async def rename_team(session: AsyncSession, org_id: str, team_id: str, name: str) -> TeamName:
    team = await get_team(session, org_id, team_id)
    clash = (
        await session.execute(
            select(Team).where(Team.org_id == org_id, Team.name == name.strip(), Team.id != team.id)
        )
    ).first()
    if clash:
        raise ValidationFailed(f"a team named {name.strip()!r} already exists")
    team.name = name.strip()
    return TeamName(id=team.id, name=team.name)


async def delete_team(session: AsyncSession, team: Team) -> None:
    """Routing steps that name it are skipped from now on (re-route their segments)."""
    await session.delete(team)


async def set_team_members(
    session: AsyncSession, org_id: str, team: Team, rep_ids: list[str]
) -> None:
    for rep_id in rep_ids:
        rep = await session.get(Rep, rep_id)
        if rep is None or rep.org_id != org_id:
            raise ValidationFailed(f"rep {rep_id} not found")
    existing = set(
        (
            await session.execute(select(TeamMember.rep_id).where(TeamMember.team_id == team.id))
        ).scalars()
    )
    for rep_id in existing - set(rep_ids):
        member = await session.get(TeamMember, (team.id, rep_id))
        if member is not None:
            await session.delete(member)
    for rep_id in set(rep_ids) - existing:
        session.add(TeamMember(team_id=team.id, rep_id=rep_id))
    await session.flush()


async def list_teams(session: AsyncSession, org_id: str) -> list[TeamOut]:
    teams = list(
        (
            await session.execute(select(Team).where(Team.org_id == org_id).order_by(Team.name))
        ).scalars()
    )
    # Every team's members in one query, not one per team.
    members: dict[str, list[str]] = {team.id: [] for team in teams}
    if teams:
        rows = await session.execute(
            select(TeamMember.team_id, TeamMember.rep_id).where(TeamMember.team_id.in_(members))
        )
        for team_id, rep_id in rows.tuples():
            members[team_id].append(rep_id)
    return [TeamOut(id=t.id, name=t.name, rep_ids=sorted(members[t.id])) for t in teams]
