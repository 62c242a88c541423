"""Account 360: everything known about one company, for the console's account page.

Firmographics and owner, every known visitor from the company with their latest activity,
who is on the site now, page views per day and top pages, the campaigns and ad clicks that
brought them (UTM parameters and click ids kept in each visit's landing URL), the chats with
them and how those were classified.

Who sees what follows features/audience: an admin or a team lead sees everything (a lead
reads the whole org's figures, as in the reports); a rep sees the company's
visitors whose latest visit is routed to them or to nobody (and those whose chats they may
see), counts pages and campaigns over visits routed to them or to nobody, and sees the chats
they may see. It lives in the live stream's package for the reason Visitor 360 does: it
puts accounts, visitors, conversations and live state together.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    String,
    Text,
    and_,
    any_,
    cast,
    func,
    literal,
    or_,
    select,
    text,
    true,
)

from frontdesk.core.errors import NotFound
from frontdesk.features import audience, calls, conversations, meetings, reports
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
from frontdesk.features.visitors.models import HAS_UTM, PageView, Visit, Visitor
from frontdesk.runtime import Runtime

CLICK_IDS = ("gclid", "msclkid", "fbclid", "li_fat_id")
VISITORS_SHOWN = 200
LISTED = 50
PAGE_DAYS = 30


def click_ids(url: str | None) -> list[tuple[str, str]]:
    """The ad click ids in a landing URL, as (kind, value)."""
    if not url or "?" not in url or not any(f"{kind}=" in url for kind in CLICK_IDS):
        return []
    try:
        query = parse_qs(urlsplit(url).query)
    except ValueError:
        return []
    return [(kind, query[kind][0][:300]) for kind in CLICK_IDS if query.get(kind)]


def _visit_visible(actor: Authenticated) -> ColumnElement[bool]:
    """Visits a rep may count: routed to them, or to nobody (the same JSON-text test as the
    reports use for routed chats)."""
    if actor.sees_every_rep:
        return true()
    routed = cast(Visit.routed_rep_ids, Text)
    return or_(routed.like(f'%"{actor.rep.id}"%'), ~routed.like('%"%'))


def _one_of(column: Any, values: list[str], dialect: str) -> ColumnElement[bool]:
    """column IN values, as one bound parameter however many values (thousands of visitors):
    an array on PostgreSQL, a JSON list on SQLite."""
    if dialect == "postgresql":
        found: ColumnElement[bool] = column == any_(literal(values, ARRAY(String)))
        return found
    listed = func.json_each(literal(json.dumps(values))).table_valued("value")
    within: ColumnElement[bool] = column.in_(select(listed.c.value))
    return within


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def _visitors_for_admin(
    session: Any, org_id: str, account_id: str, live_ids: list[str]
) -> tuple[int, dict[str, datetime], list[str]]:
    """An admin sees every visitor of the company: how many, when each of the most recently
    seen (and the online ones) was last seen, and the online ones among the org's live
    visitors; grouped in SQL (a big company has thousands of visits)."""
    seen = func.max(Visit.last_seen_at).label("seen")
    grouped = (
        select(Visit.visitor_id, seen, func.count().over().label("total"))
        .where(Visit.org_id == org_id, Visit.account_id == account_id)
        .group_by(Visit.visitor_id)
    )
    rows = (
        await session.execute(grouped.order_by(seen.desc(), Visit.visitor_id).limit(VISITORS_SHOWN))
    ).all()
    total = int(rows[0].total) if rows else 0
    last_seen = {r.visitor_id: r.seen for r in rows}
    online: list[str] = []
    if live_ids:
        for r in (await session.execute(grouped.where(Visit.visitor_id.in_(live_ids)))).all():
            last_seen[r.visitor_id] = r.seen
            online.append(r.visitor_id)
    return total, last_seen, online


async def _visitors_for_rep(
    session: Any,
    actor: Authenticated,
    account_id: str,
    chats: list[Conversation],
    seen_chats: list[Conversation],
) -> tuple[int, dict[str, datetime], set[str]]:
    """A rep sees the company's visitors whose latest visit is routed to them or to nobody,
    and those whose chats they may see."""
    visits = (
        await session.execute(
            select(
                Visit.visitor_id, Visit.started_at, Visit.last_seen_at, Visit.routed_rep_ids
            ).where(Visit.org_id == actor.org_id, Visit.account_id == account_id)
        )
    ).all()
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
    return len(visible), last_seen, visible


async def _ad_clicks(session: Any, counted: ColumnElement[bool]) -> list[AdClick]:
    """The newest visits' click ids: only visits whose landing URL names one are read, newest
    first, until enough are found."""
    clicks: list[AdClick] = []
    named = or_(*[Visit.landing_url.like(f"%{kind}=%") for kind in CLICK_IDS])
    offset = 0
    while len(clicks) < LISTED:
        page = (
            await session.execute(
                select(Visit.visitor_id, Visit.landing_url, Visit.started_at)
                .where(counted, named)
                .order_by(Visit.started_at.desc(), Visit.id)
                .offset(offset)
                .limit(LISTED)
            )
        ).all()
        for visit in page:
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
        if len(page) < LISTED:
            break
        offset += LISTED
    clicks.sort(key=lambda c: c.at or "", reverse=True)
    return clicks[:LISTED]


async def _campaigns(session: Any, counted: ColumnElement[bool]) -> list[Campaign]:
    utm = (
        Visit.utm_source,
        Visit.utm_medium,
        Visit.utm_campaign,
        Visit.utm_term,
        Visit.utm_content,
    )
    rows = (
        await session.execute(
            select(
                *utm,
                func.count().label("visits"),
                func.count(func.distinct(Visit.visitor_id)).label("visitors"),
                func.max(Visit.started_at).label("last_at"),
            )
            .where(
                counted,
                text(f"({HAS_UTM})"),  # as the campaigns index says (read from it alone)
                or_(*[func.coalesce(u, "") != "" for u in utm]),
            )
            .group_by(*utm)
        )
    ).all()
    rows.sort(key=lambda r: (-int(r.visits), str(tuple(r[:5]))))
    return [
        Campaign(
            source=r[0],
            medium=r[1],
            campaign=r[2],
            term=r[3],
            content=r[4],
            visits=int(r.visits),
            visitors=int(r.visitors),
            last_at=_iso(r.last_at),
        )
        for r in rows
    ]


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
        # The company's chats (newest first), then what the reader may see of them: the
        # company's visitors first (from an index alone), then their chats by visitor (a
        # subquery let PostgreSQL walk every chat of the org newest first instead).
        company = [
            v
            for (v,) in (
                await session.execute(
                    select(Visit.visitor_id)
                    .where(Visit.org_id == actor.org_id, Visit.account_id == account_id)
                    .distinct()
                )
            ).all()
        ]
        chats = list(
            (
                await session.execute(
                    select(Conversation)
                    .where(
                        Conversation.org_id == actor.org_id,
                        _one_of(Conversation.visitor_id, company, session.bind.dialect.name),
                    )
                    .order_by(Conversation.created_at.desc())
                    .limit(200)
                )
            ).scalars()
        )
        seen_chats = [
            c for c in chats if actor.sees_every_rep or audience.rep_sees_conversation(actor, c)
        ]
        org_live = {v.visitor_id: v for v in await runtime.live.list_org(actor.org_id)}
        if actor.sees_every_rep:
            visitor_total, last_seen, online = await _visitors_for_admin(
                session, actor.org_id, account_id, list(org_live)
            )
            live = {v: org_live[v] for v in online}
        else:
            visitor_total, last_seen, visible = await _visitors_for_rep(
                session, actor, account_id, chats, seen_chats
            )
            live = {v: state for v, state in org_live.items() if v in visible}
        ranked = sorted(last_seen, key=lambda v: (v not in live, -last_seen[v].timestamp(), v))
        shown_ids = ranked[:VISITORS_SHOWN]
        people = {
            p.id: p
            for p in (
                await session.execute(select(Visitor).where(Visitor.id.in_(shown_ids)))
            ).scalars()
        }
        # Page views per local day and top pages, over visits the reader may count: one scan
        # of the last 30 days' page views, from the company's visits (on the visit's index).
        since, until = days[0][1], days[-1][2]
        numbered = reports.local_days(days, zone)
        counted = and_(
            Visit.org_id == actor.org_id, Visit.account_id == account_id, _visit_visible(actor)
        )
        day = reports.local_day(PageView.viewed_at, session.bind.dialect.name, numbered)
        per_day: dict[int, int] = defaultdict(int)
        pages: dict[str, list[Any]] = {}
        for number, url, title, views in (
            await session.execute(
                select(day.label("day"), PageView.url, func.max(PageView.title), func.count())
                .select_from(Visit)
                .join(
                    PageView,
                    and_(
                        PageView.visit_id == Visit.id,
                        PageView.viewed_at >= since,
                        PageView.viewed_at < until,
                    ),
                )
                .where(counted, Visit.last_seen_at >= since - timedelta(days=1))
                .group_by("day", PageView.url)
            )
        ).tuples():
            per_day[int(number)] += int(views)
            entry = pages.setdefault(url, [None, 0])
            if title is not None and (entry[0] is None or title > entry[0]):
                entry[0] = title
            entry[1] += int(views)
        top = sorted(pages.items(), key=lambda item: (-item[1][1], item[0]))[:10]
        campaigns = await _campaigns(session, counted)
        clicks = await _ad_clicks(session, counted)
        summaries = await conversations.summaries(session, seen_chats[:LISTED])
        by_chat = await calls.calls_of_conversations(session, [c.id for c in seen_chats[:LISTED]])
        company_visitors = select(Visit.visitor_id).where(
            Visit.org_id == actor.org_id, Visit.account_id == account_id
        )
        booked = await meetings.meetings_for_visitors(
            session,
            actor.org_id,
            company_visitors if actor.sees_every_rep else sorted(set(last_seen)),
            LISTED,
        )
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

    return Account360(
        account=account_out(account),
        owner_name=owner.name if owner else None,
        visitor_total=visitor_total,
        visitors=[person(v) for v in shown_ids],
        online_now=[person(v) for v in ranked if v in live],
        zone=zone_name,
        page_views_by_day=[
            DayCount(date=day.isoformat(), count=int(per_day.get(i, 0)))
            for i, (day, _, _) in enumerate(days)
        ],
        top_pages=[PageCount(url=url, title=title, views=views) for url, (title, views) in top],
        campaigns=campaigns,
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
        meetings=booked,
        calls=sorted(
            (call for chat in by_chat.values() for call in chat),
            key=lambda call: call.created_at,
            reverse=True,
        )[:LISTED],
    )


def _routed_to_reader(actor: Authenticated, routed: list[str] | None) -> bool:
    return not routed or actor.rep.id in routed
