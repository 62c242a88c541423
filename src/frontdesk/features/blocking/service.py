"""Blocking visitors (by id/cookie) and IP addresses or ranges, per org, with reports."""

from __future__ import annotations

import ipaddress
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.core.errors import NotFound, ValidationFailed
from frontdesk.core.ids import new_id
from frontdesk.features import audience, conversations
from frontdesk.features.accounts import normalise_cidr
from frontdesk.features.blocking.events import BLOCKED_FEED, IpBlocked, IpUnblocked
from frontdesk.features.blocking.models import IpBlock, VisitorReport
from frontdesk.features.blocking.schemas import (
    BlockedVisitorOut,
    BlockResult,
    BlocksOverview,
    IpBlockDetail,
    ReportOut,
)
from frontdesk.features.live_stream.events import VisitorLeft
from frontdesk.features.orgs import Authenticated
from frontdesk.features.visitors import latest_visit
from frontdesk.features.visitors.models import Visitor
from frontdesk.runtime import Runtime, UnitOfWork, org_topic, visitor_topic, visitors_topic

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def address_in(ip: str | None, networks: list[Network]) -> bool:
    """Whether a client address (as transport reads it; None or junk is in nothing) is in any
    of these networks."""
    if not ip or not networks:
        return False  # most orgs block nothing: no parsing per visitor socket (issue 21)
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(n.version == address.version and address in n for n in networks)


async def active_ip_blocks(session: AsyncSession, org_id: str, now: datetime) -> list[Network]:
    rows = await session.execute(
        select(IpBlock.cidr).where(
            IpBlock.org_id == org_id, or_(IpBlock.expires_at.is_(None), IpBlock.expires_at > now)
        )
    )
    return [ipaddress.ip_network(cidr) for (cidr,) in rows.all()]


async def active_ip_blocks_until(
    session: AsyncSession, org_id: str, now: datetime
) -> tuple[list[Network], datetime | None]:
    """The org's active blocks, and when the first of them expires (None: none expires), for
    a cache that must not outlive a block's own time (transport/visitor_registry.py)."""
    rows = (
        await session.execute(
            select(IpBlock.cidr, IpBlock.expires_at).where(
                IpBlock.org_id == org_id,
                or_(IpBlock.expires_at.is_(None), IpBlock.expires_at > now),
            )
        )
    ).all()
    expiries = [expires_at for _, expires_at in rows if expires_at is not None]
    return [ipaddress.ip_network(cidr) for cidr, _ in rows], min(expiries, default=None)


async def ip_blocked(session: AsyncSession, org_id: str, ip: str | None, now: datetime) -> bool:
    if not ip:
        return False
    return address_in(ip, await active_ip_blocks(session, org_id, now))


async def visitor_blocked(session: AsyncSession, visitor_id: str) -> bool:
    """Whether a rep blocked this visitor (an unknown id is not blocked)."""
    # The one column, not the row: uploads ask this for every file (api_files.py).
    blocked_at = await session.scalar(select(Visitor.blocked_at).where(Visitor.id == visitor_id))
    return blocked_at is not None


async def visitor_blocked_now(runtime: Runtime, visitor_id: str) -> bool:
    """visitor_blocked, as a read of its own (the cheapest: uploads ask it for every file)."""
    blocked_at = await runtime.db.read_value(
        select(Visitor.blocked_at).where(Visitor.id == visitor_id)
    )
    return blocked_at is not None


async def address_blocked(runtime: Runtime, org_id: str, ip: str | None) -> bool:
    """Whether a new visitor socket from this address is refused now (a read of its own, so
    the caller holds no session)."""
    async with runtime.db.read() as session:
        return await ip_blocked(session, org_id, ip, runtime.clock.now())


async def block_visitor(
    runtime: Runtime, actor: Authenticated, visitor_id: str, *, report: bool, reason: str | None
) -> BlockResult:
    """Blocks this visitor's id (their cookie); with a report, admins also review it. Any open
    chat ends and every open messenger of theirs closes at once."""
    now = runtime.clock.now()
    async with runtime.uow() as work:
        visitor = await work.session.get(Visitor, visitor_id)
        if visitor is None or visitor.org_id != actor.org_id:
            raise NotFound("visitor not found")
        visitor.blocked_at = visitor.blocked_at or now
        conversation = await conversations.open_conversation_for_visitor(work.session, visitor.id)
        if conversation is not None:
            await conversations.close_conversation(
                work, conversation, status="ended", reason="blocked"
            )
        report_id = None
        if report:
            visit = await latest_visit(work.session, visitor.id)
            filed = VisitorReport(
                id=new_id(),
                org_id=actor.org_id,
                visitor_id=visitor.id,
                conversation_id=conversation.id if conversation else None,
                rep_id=actor.rep.id,
                reason=(reason or "").strip()[:2000] or None,
                ip=visit.ip if visit else None,
                status="open",
                created_at=now,
            )
            work.session.add(filed)
            report_id = filed.id
        work.emit([visitor_topic(visitor.id)], BLOCKED_FEED)
        # Every console that shows the visitor removes them (audience.EVERYONE: the stream's
        # placement of the visitor is not read for this).
        work.emit(
            [org_topic(actor.org_id)],
            VisitorLeft(visitor_id=visitor.id, visibility=audience.EVERYONE),
        )
    return BlockResult(visitor_id=visitor_id, blocked=True, report_id=report_id)


async def unblock_visitor(session: AsyncSession, actor: Authenticated, visitor_id: str) -> None:
    actor.require_admin()
    visitor = await session.get(Visitor, visitor_id)
    if visitor is None or visitor.org_id != actor.org_id:
        raise NotFound("visitor not found")
    visitor.blocked_at = None


async def add_ip_block(
    work: UnitOfWork,
    actor: Authenticated,
    cidr: str,
    expires_at: datetime | None,
    reason: str | None,
) -> IpBlock:
    """Blocks an address or range for the org: new sockets from it are refused at the
    handshake, and once this commits every process closes the org's open visitor sockets
    from it (a `blocked` frame, then 4403), so a blocked visitor cannot chat on."""
    actor.require_admin()
    session, now = work.session, work.now_clock.now()
    if expires_at is not None and expires_at <= now:
        raise ValidationFailed("expires_at must be in the future")
    network = ipaddress.ip_network(normalise_cidr(cidr))
    if network.prefixlen < (8 if network.version == 4 else 32):
        raise ValidationFailed(f"{network} is too wide to block")
    block = IpBlock(
        id=new_id(),
        org_id=actor.org_id,
        cidr=str(network),
        reason=(reason or "").strip() or None,
        created_by=actor.rep.id,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(block)
    await session.flush()
    work.emit([visitors_topic(actor.org_id)], IpBlocked(cidr=block.cidr))
    return block


async def remove_ip_block(work: UnitOfWork, actor: Authenticated, block_id: str) -> None:
    """Lifts a block; once this commits every process drops its cached copy of the org's
    blocks (transport/visitor_registry.py), so the address may connect again at once."""
    actor.require_admin()
    block = await work.session.get(IpBlock, block_id)
    if block is None or block.org_id != actor.org_id:
        raise NotFound("IP block not found")
    await work.session.delete(block)
    work.emit([visitors_topic(actor.org_id)], IpUnblocked(cidr=block.cidr))


async def overview(session: AsyncSession, actor: Authenticated, now: datetime) -> BlocksOverview:
    actor.require_admin()
    visitors = (
        await session.execute(
            select(Visitor)
            .where(Visitor.org_id == actor.org_id, Visitor.blocked_at.is_not(None))
            .order_by(Visitor.blocked_at.desc())
            .limit(500)
        )
    ).scalars()
    blocks = (
        await session.execute(
            select(IpBlock)
            .where(IpBlock.org_id == actor.org_id)
            .order_by(IpBlock.created_at.desc())
        )
    ).scalars()
    reports = (
        await session.execute(
            select(VisitorReport)
            .where(VisitorReport.org_id == actor.org_id)
            .order_by(VisitorReport.created_at.desc())
            .limit(500)
        )
    ).scalars()
    return BlocksOverview(
        blocked_visitors=[
            BlockedVisitorOut(
                id=v.id,
                name=v.name,
                email=v.email,
                blocked_at=v.blocked_at.isoformat() if v.blocked_at else None,
            )
            for v in visitors
        ],
        ip_blocks=[
            IpBlockDetail(
                id=b.id,
                cidr=b.cidr,
                reason=b.reason,
                created_at=b.created_at.isoformat(),
                expires_at=b.expires_at.isoformat() if b.expires_at else None,
                active=b.expires_at is None or b.expires_at > now,
            )
            for b in blocks
        ],
        reports=[
            ReportOut(
                id=r.id,
                visitor_id=r.visitor_id,
                conversation_id=r.conversation_id,
                rep_id=r.rep_id,
                reason=r.reason,
                ip=r.ip,
                status=r.status,
                created_at=r.created_at.isoformat(),
            )
            for r in reports
        ],
    )


async def mark_report_reviewed(session: AsyncSession, actor: Authenticated, report_id: str) -> None:
    actor.require_admin()
    report = await session.get(VisitorReport, report_id)
    if report is None or report.org_id != actor.org_id:
        raise NotFound("report not found")
    report.status = "reviewed"
