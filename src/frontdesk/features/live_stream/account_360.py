"""Account 360: everything known about one company, for the console's account page.

Firmographics and owner, every known visitor from the company with their latest activity,
who is on the site now, page views per day and top pages, the campaigns and ad clicks that
brought them (UTM parameters and click ids kept in each visit's landing URL), the chats with
them and how those were classified.

Who sees what follows features/audience: an admin sees everything; a rep sees the company's
visitors whose latest visit is routed to them or to nobody (and those whose chats they may
see), counts pages and campaigns over visits routed to them or to nobody, and sees the chats
they may see. It lives in the live stream's package for the reason Visitor 360 does: it
puts accounts, visitors, conversations and live state together.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import ColumnElement, Text, and_, cast, func, or_, select, true

from frontdesk.core.errors import NotFound
from frontdesk.features import audience, conversations, reports
from frontdesk.features.accounts import account_out
from frontdesk.features.accounts.models import Account
from frontdesk.features.conversations.models import Conversation
from frontdesk.features.live_stream.schemas import (
    Account360,
    AccountVisitor,
    AdClick,
    Campaign,
    Classified,
    DayCount,
    PageCount,
)
from frontdesk.features.orgs import Authenticated
from frontdesk.features.orgs.models import Rep
from frontdesk.features.visitors.models import PageView, Visit, Visitor
from frontdesk.runtime import Runtime

CLICK_IDS = ("gclid", "msclkid", "fbclid", "li_fat_id")
VISITORS_SHOWN = 200
LISTED = 50
PAGE_DAYS = 30


def click_ids(url: str | None) -> list[tuple[str, str]]:
    """The ad click ids in a landing URL, as (kind, value)."""
    if not url or "?" not in url:
        return []
    try:
        query = parse_qs(urlsplit(url).query)
    except ValueError:
        return []
    return [(kind, query[kind][0][:300]) for kind in CLICK_IDS if query.get(kind)]


def _visit_visible(actor: Authenticated) -> ColumnElement[bool]:
    """Visits a rep may count: routed to them, or to nobody (the same JSON-text test as the
    reports use for routed chats)."""
    if actor.is_admin:
        return true()
    routed = cast(Visit.routed_rep_ids, Text)
    return or_(routed.like(f'%"{actor.rep.id}"%'), ~routed.like('%"%'))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def account_360(
    runtime: Runtime, actor: Authenticated, account_id: str, zone_name: str = "UTC"
) -> Account360:
    zone = reports.parse_zone(zone_name)
    now = runtime.clock.now()
    today = now.astimezone(zone).date()
    days = reports.day_ranges(today - timedelta(days=PAGE_DAYS - 1), today, zone)
    async with runtime.db.read() as session:
        account = await session.get(Account, account_id)
        if account is None or account.org_id != actor.org_id:
            raise NotFound("account not found")
        owner = await session.get(Rep, account.owner_rep_id) if account.owner_rep_id else None
        visits = (
            await session.execute(
                select(
                    Visit.id,
                    Visit.visitor_id,
                    Visit.started_at,
                    Visit.last_seen_at,
                    Visit.landing_url,
                    Visit.utm_source,
                    Visit.utm_medium,
                    Visit.utm_campaign,
                    Visit.utm_term,
                    Visit.utm_content,
                    Visit.routed_rep_ids,
                ).where(Visit.org_id == actor.org_id, Visit.account_id == account_id)
            )
        ).all()
        # The company's chats (newest first), then what the reader may see of them.
        chats = list(
            (
                await session.execute(
                    select(Conversation)
                    .where(
                        Conversation.org_id == actor.org_id,
                        Conversation.visitor_id.in_(
                            select(Visit.visitor_id).where(Visit.account_id == account_id)
                        ),
                    )
                    .order_by(Conversation.created_at.desc())
                    .limit(200)
                )
            ).scalars()
        )
        seen_chats = [c for c in chats if audience.rep_sees_conversation(actor, c)]
        latest: dict[str, Any] = {}
        for visit in visits:
            current = latest.get(visit.visitor_id)
            if current is None or visit.started_at > current.started_at:
                latest[visit.visitor_id] = visit
        open_owner = {
            c.visitor_id: c.owner_rep_id for c in chats if c.status in conversations.OPEN_STATUSES
        }
        chat_visitors = {c.visitor_id for c in seen_chats}
        visible = {
            visitor_id
            for visitor_id, visit in latest.items()
            if visitor_id in chat_visitors
            or audience.rep_sees(
                actor, audience.of_visitor(visit.routed_rep_ids, open_owner.get(visitor_id))
            )
        }
        last_seen: dict[str, datetime] = {}
        for visit in visits:
            if visit.visitor_id in visible:
                seen_at = last_seen.get(visit.visitor_id)
                if seen_at is None or visit.last_seen_at > seen_at:
                    last_seen[visit.visitor_id] = visit.last_seen_at
        live = {
            v.visitor_id: v
            for v in await runtime.live.list_org(actor.org_id)
            if v.visitor_id in visible
        }
        ranked = sorted(visible, key=lambda v: (v not in live, -last_seen[v].timestamp(), v))
        shown_ids = ranked[:VISITORS_SHOWN]
        people = {
            p.id: p
            for p in (
                await session.execute(select(Visitor).where(Visitor.id.in_(shown_ids)))
            ).scalars()
        }
        # Page views per local day and top pages, over visits the reader may count.
        since, until = days[0][1], days[-1][2]
        day_table = reports.days_table(days, session.bind.dialect.name)
        counted = and_(
            Visit.org_id == actor.org_id, Visit.account_id == account_id, _visit_visible(actor)
        )
        # From the company's visits to their page views (on the visit's index), then to days.
        per_day: dict[int, int] = {
            day: count
            for day, count in (
                await session.execute(
                    select(day_table.c.day, func.count())
                    .select_from(Visit)
                    .join(
                        PageView,
                        and_(
                            PageView.visit_id == Visit.id,
                            PageView.viewed_at >= since,
                            PageView.viewed_at < until,
                        ),
                    )
                    .join(
                        day_table,
                        and_(
                            PageView.viewed_at >= day_table.c.lo,
                            PageView.viewed_at < day_table.c.hi,
                        ),
                    )
                    .where(counted)
                    .group_by(day_table.c.day)
                )
            ).tuples()
        }
        top = (
            await session.execute(
                select(PageView.url, func.max(PageView.title), func.count().label("views"))
                .select_from(Visit)
                .join(
                    PageView,
                    and_(
                        PageView.visit_id == Visit.id,
                        PageView.viewed_at >= since,
                        PageView.viewed_at < until,
                    ),
                )
                .where(counted)
                .group_by(PageView.url)
                .order_by(func.count().desc(), PageView.url)
                .limit(10)
            )
        ).all()
        summaries = await conversations.summaries(session, seen_chats[:LISTED])
        classified = [
            c for c in seen_chats if c.qualified is not None or c.deal_value is not None or c.tags
        ][:LISTED]
        rep_names = {
            r.id: r.name
            for r in (
                await session.execute(select(Rep).where(Rep.org_id == actor.org_id))
            ).scalars()
        }

    def person(visitor_id: str) -> AccountVisitor:
        p = people.get(visitor_id)
        state = live.get(visitor_id)
        return AccountVisitor(
            id=visitor_id,
            name=p.name if p else None,
            email=p.email if p else None,
            last_seen_at=_iso(last_seen.get(visitor_id)),
            visit_count=p.visit_count if p else 0,
            online=state is not None,
            activity=state.activity if state else None,
            current_url=state.url if state else None,
            current_title=state.title if state else None,
        )

    campaigns: dict[tuple[str | None, ...], dict[str, Any]] = {}
    clicks: list[AdClick] = []
    for visit in visits:
        if not (actor.is_admin or _routed_to_reader(actor, visit.routed_rep_ids)):
            continue
        utm = (
            visit.utm_source,
            visit.utm_medium,
            visit.utm_campaign,
            visit.utm_term,
            visit.utm_content,
        )
        if any(utm):
            entry = campaigns.setdefault(
                utm, {"visits": 0, "visitors": set(), "last_at": visit.started_at}
            )
            entry["visits"] += 1
            entry["visitors"].add(visit.visitor_id)
            entry["last_at"] = max(entry["last_at"], visit.started_at)
        for kind, value in click_ids(visit.landing_url):
            clicks.append(
                AdClick(
                    kind=kind,
                    value=value,
                    visitor_id=visit.visitor_id,
                    landing_url=visit.landing_url or "",
                    at=_iso(visit.started_at),
                )
            )
    clicks.sort(key=lambda c: c.at or "", reverse=True)
    return Account360(
        account=account_out(account),
        owner_name=owner.name if owner else None,
        visitor_total=len(visible),
        visitors=[person(v) for v in shown_ids],
        online_now=[person(v) for v in ranked if v in live],
        zone=zone_name,
        page_views_by_day=[
            DayCount(date=day.isoformat(), count=int(per_day.get(i, 0)))
            for i, (day, _, _) in enumerate(days)
        ],
        top_pages=[PageCount(url=url, title=title, views=int(views)) for url, title, views in top],
        campaigns=[
            Campaign(
                source=utm[0],
                medium=utm[1],
                campaign=utm[2],
                term=utm[3],
                content=utm[4],
                visits=entry["visits"],
                visitors=len(entry["visitors"]),
                last_at=_iso(entry["last_at"]),
            )
            for utm, entry in sorted(
                campaigns.items(), key=lambda item: (-item[1]["visits"], str(item[0]))
            )
        ],
        ad_clicks=clicks[:LISTED],
        conversations=summaries,
        classification=[
            Classified(
                conversation_id=c.id,
                visitor_id=c.visitor_id,
                at=_iso(c.created_at),
                rep_name=rep_names.get(c.owner_rep_id or ""),
                qualified=c.qualified,
                deal_value=c.deal_value,
                tags=list(c.tags or []),
            )
            for c in classified
        ],
        meetings=[],
        calls=[],
    )


def _routed_to_reader(actor: Authenticated, routed: list[str] | None) -> bool:
    return not routed or actor.rep.id in routed
