"""Visitors arriving, browsing and identifying themselves."""

from __future__ import annotations

import hmac
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar, cast
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import Integer, Table, bindparam, insert, inspect, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from frontdesk.core.errors import FrontdeskError, NotFound, ValidationFailed
from frontdesk.core.ids import new_id
from frontdesk.features.orgs import VisitorVoice, messenger_language, normalise_email
from frontdesk.features.orgs.models import Org
from frontdesk.features.visitors.models import Contact, PageView, Visit, Visitor
from frontdesk.features.visitors.tokens import identity_hash, read_visitor_token
from frontdesk.runtime import Runtime

if TYPE_CHECKING:
    from sqlalchemy.orm.instrumentation import ClassManager

# A visitor returning after 30 minutes away starts a new visit (the usual analytics rule).
VISIT_GAP = timedelta(minutes=30)
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


class VisitorBlocked(FrontdeskError):
    status = 403
    code = "blocked"


class IdentifyRejected(FrontdeskError):
    status = 403
    code = "identify_rejected"


@dataclass(frozen=True)
class PageInfo:
    url: str
    title: str
    referrer: str | None
    og_image: str | None = None


@dataclass
class Arrival:
    visitor: Visitor
    visit: Visit
    new_visitor: bool
    new_visit: bool


def _utm(url: str) -> dict[str, str | None]:
    try:
        query = parse_qs(urlsplit(url).query)
    except ValueError:
        return dict.fromkeys(UTM_KEYS)
    return {key: (query[key][0][:200] if query.get(key) else None) for key in UTM_KEYS}


async def latest_visit(session: AsyncSession, visitor_id: str) -> Visit | None:
    """The visitor's current (most recent) visit: where placement, enrichment and the page
    they arrived on are kept."""
    return (
        await session.execute(
            select(Visit)
            .where(Visit.visitor_id == visitor_id)
            .order_by(Visit.started_at.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def visitor_voice(session: AsyncSession, org_id: str, visitor_id: str) -> VisitorVoice:
    """What the server writes into this visitor's chat is in the language their messenger
    shows (the org's choice, else their browser's; features/orgs/visitor_texts.py)."""
    org = await session.get(Org, org_id)
    language = (
        await session.execute(
            select(Visit.language)
            .where(Visit.visitor_id == visitor_id)
            .order_by(Visit.started_at.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    settings = org.settings if org is not None else None
    return VisitorVoice(settings, messenger_language(settings, language))


async def latest_visits(session: AsyncSession, visitor_ids: Collection[str]) -> dict[str, Visit]:
    """visitor id -> their latest visit, for a whole page of visitors in one query (lists
    must not run a query per row). Each is found as latest_visit() finds it, on the
    (visitor_id, started_at) index, so a visitor with many visits costs no more."""
    if not visitor_ids:
        return {}
    earlier = aliased(Visit)
    latest_id = (
        select(earlier.id)
        .where(earlier.visitor_id == Visitor.id)
        .order_by(earlier.started_at.desc())
        .limit(1)
        .correlate(Visitor)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(Visit)
        .join(Visitor, (Visit.visitor_id == Visitor.id) & (Visit.id == latest_id))
        .where(Visitor.id.in_(set(visitor_ids)))
    )
    return {visit.visitor_id: visit for visit in rows.scalars()}


async def arrive(
    runtime: Runtime,
    org: Org,
    token: str | None,
    *,
    ip: str | None,
    user_agent: str | None,
    page: PageInfo,
    record_page_view: bool,
    tracked: bool = True,
    language: str | None = None,
) -> Arrival:
    """A visitor's socket said hello: find or create the visitor and the current visit.

    `ip` is what may be stored (visitors.stored_ip). Untracked (`tracked` False: the browser
    sent Global Privacy Control or Do Not Track and the org honours them): the visit keeps no
    address, user agent, referrer, landing page or UTM, and no page view is stored."""
    now = runtime.clock.now()
    async with runtime.db.transaction() as session:
        visitor = None
        if token:
            visitor_id = read_visitor_token(runtime.settings.secret_keys, org.id, token)
            if visitor_id:
                visitor = await session.get(Visitor, visitor_id)
                if visitor is not None and visitor.org_id != org.id:
                    visitor = None
        new_visitor = visitor is None
        if visitor is None:
            # A first visit: its counts are set before the INSERTs, so a new visitor costs
            # three INSERTs and no UPDATE or SELECT (issue 21: hellos per second).
            visitor = Visitor(
                id=new_id(),
                org_id=org.id,
                created_at=now,
                last_seen_at=now,
                identity_status="anonymous",
                visit_count=1,
            )
            session.add(visitor)
            await session.flush()
        elif visitor.blocked_at is not None:
            raise VisitorBlocked("this visitor is blocked")
        visit = None if new_visitor else await latest_visit(session, visitor.id)
        new_visit = visit is None or now - visit.last_seen_at > VISIT_GAP
        if visit is None or new_visit:
            utm = _utm(page.url) if tracked else dict.fromkeys(UTM_KEYS)
            visit = Visit(
                id=new_id(),
                org_id=org.id,
                visitor_id=visitor.id,
                started_at=now,
                last_seen_at=now,
                ip=ip if tracked else None,
                user_agent=((user_agent or "")[:512] or None) if tracked else None,
                referrer=(page.referrer or None) if tracked else None,
                landing_url=page.url if tracked else None,
                page_view_count=1,
                language=language,
                **utm,
            )
            session.add(visit)
            await session.flush()  # the page view below refers to it
            if not new_visitor:
                visitor.visit_count += 1
            if tracked:
                _add_page_view(session, visit, page, now, counted=True)
        else:
            visit.last_seen_at = now
            if record_page_view and tracked:
                _add_page_view(session, visit, page, now)
        visitor.last_seen_at = now
    return Arrival(visitor, visit, new_visitor, new_visit)


# ---- arrivals written in groups (features/live_stream/arrivals.py; issue 21) -----------------
# The same rows visitors.arrive writes, built without a session so that the hellos of many
# sockets are written together: one INSERT per table for the group (insert_arrivals).


def new_visitor(visitor_id: str, org_id: str, now: datetime) -> Visitor:
    """A first-time visitor's row (not yet stored), their first visit counted."""
    return _unsaved(
        _VISITOR_MANAGER,
        {
            "id": visitor_id,
            "org_id": org_id,
            "created_at": now,
            "last_seen_at": now,
            "identity_status": "anonymous",
            "email": None,
            "name": None,
            "contact_id": None,
            "visit_count": 1,
            "blocked_at": None,
        },
    )


def new_visit(
    visitor: Visitor,
    now: datetime,
    *,
    ip: str | None,
    user_agent: str | None,
    page: PageInfo,
    tracked: bool,
    language: str | None = None,
) -> Visit:
    """A visit starting with this page (not yet stored), as visitors.arrive makes it."""
    values: dict[str, object] = {}
    values.update(_utm(page.url) if tracked else dict.fromkeys(UTM_KEYS))
    values.update(
        id=new_id(),
        org_id=visitor.org_id,
        visitor_id=visitor.id,
        started_at=now,
        last_seen_at=now,
        ip=ip if tracked else None,
        user_agent=((user_agent or "")[:512] or None) if tracked else None,
        referrer=(page.referrer or None) if tracked else None,
        landing_url=page.url if tracked else None,
        page_view_count=1,
        segment_id=None,
        routed_rep_ids=[],
        routing_reason=None,
        account_id=None,
        enrichment={},
        language=language,
    )
    return _unsaved(_VISIT_MANAGER, values)


# Rows a group of hellos reads and writes are plain mapped objects filled the way the ORM's
# loader fills them (every column in the instance's __dict__), without a session: the
# declarative constructor (an attribute event per column) and the unit of work (identity map,
# change history, one UPDATE per set of changed columns at flush) cost more than the rest of a
# hello (issue 21). What a group changes is written with the Core statements below.
_VISITOR_MANAGER = inspect(Visitor).class_manager
_VISIT_MANAGER = inspect(Visit).class_manager
_Row = TypeVar("_Row", Visitor, Visit)


def _unsaved(manager: ClassManager[_Row], values: Mapping[Any, Any]) -> _Row:
    row = manager.new_instance()
    row.__dict__.update(values)
    return row


_visitor_t = cast(Table, Visitor.__table__)
_visit_t = cast(Table, Visit.__table__)
_SELECT_VISITORS = select(_visitor_t).where(_visitor_t.c.id.in_(bindparam("ids", expanding=True)))
_earlier = _visit_t.alias("earlier")
_LATEST_VISITS = select(_visit_t).where(
    _visit_t.c.visitor_id.in_(bindparam("ids", expanding=True)),
    _visit_t.c.id
    == select(_earlier.c.id)
    .where(_earlier.c.visitor_id == _visit_t.c.visitor_id)
    .order_by(_earlier.c.started_at.desc())
    .limit(1)
    .correlate(_visit_t)
    .scalar_subquery(),
)


async def visitors_by_id(session: AsyncSession, ids: Collection[str]) -> dict[str, Visitor]:
    """id -> visitor for a group of hellos, one SELECT (Core), rows not in the session."""
    if not ids:
        return {}
    result = await session.execute(_SELECT_VISITORS, {"ids": list(ids)})
    return {row.id: _unsaved(_VISITOR_MANAGER, row._mapping) for row in result}


async def latest_visit_rows(
    session: AsyncSession, visitor_ids: Collection[str]
) -> dict[str, Visit]:
    """visitor id -> their latest visit (as latest_visits finds it), one SELECT (Core), rows
    not in the session: a group of hellos writes what it changes with update_arrivals."""
    if not visitor_ids:
        return {}
    result = await session.execute(_LATEST_VISITS, {"ids": list(visitor_ids)})
    return {row.visitor_id: _unsaved(_VISIT_MANAGER, row._mapping) for row in result}


_TOUCH_VISITORS = (
    update(_visitor_t)
    .where(_visitor_t.c.id == bindparam("b_id"))
    .values(
        last_seen_at=bindparam("b_now", type_=_visitor_t.c.last_seen_at.type),
        visit_count=_visitor_t.c.visit_count + bindparam("b_visits", type_=Integer()),
    )
)
_TOUCH_VISITS = (
    update(_visit_t)
    .where(_visit_t.c.id == bindparam("b_id"))
    .values(
        last_seen_at=bindparam("b_now", type_=_visit_t.c.last_seen_at.type),
        page_view_count=_visit_t.c.page_view_count + bindparam("b_views", type_=Integer()),
    )
)
PLACEMENT_COLUMNS = ("segment_id", "routed_rep_ids", "routing_reason", "account_id", "enrichment")
_PLACE_VISITS = (
    update(_visit_t)
    .where(_visit_t.c.id == bindparam("b_id"))
    .values(
        {name: bindparam(f"b_{name}", type_=_visit_t.c[name].type) for name in PLACEMENT_COLUMNS}
    )
)


def placement_of(visit: Visit) -> tuple[object, ...]:
    """What placement may change on a visit (compared before and after placing it)."""
    return (
        visit.segment_id,
        list(visit.routed_rep_ids or []),
        visit.routing_reason,
        visit.account_id,
        dict(visit.enrichment or {}),
    )


async def update_arrivals(
    session: AsyncSession,
    now: datetime,
    visitors_seen: dict[str, int],
    visits_seen: dict[str, int],
    placed: list[Visit],
) -> None:
    """A group's changes to stored rows, one UPDATE (executemany) each: the visitors seen
    (last seen now, `visit_count + n` for n new visits), the visits that continue (last seen
    now, `page_view_count + n`: atomic, so two processes counting the same visit lose
    nothing), and the stored visits whose placement changed."""
    if visitors_seen:
        await session.execute(
            _TOUCH_VISITORS,
            [{"b_id": k, "b_now": now, "b_visits": n} for k, n in visitors_seen.items()],
        )
    if visits_seen:
        await session.execute(
            _TOUCH_VISITS,
            [{"b_id": k, "b_now": now, "b_views": n} for k, n in visits_seen.items()],
        )
    if placed:
        await session.execute(
            _PLACE_VISITS,
            [
                {"b_id": v.id, **{f"b_{name}": getattr(v, name) for name in PLACEMENT_COLUMNS}}
                for v in placed
            ],
        )


def visit_continues(visit: Visit | None, now: datetime) -> bool:
    """Whether a visitor arriving now is still on this visit (back within VISIT_GAP)."""
    return visit is not None and now - visit.last_seen_at <= VISIT_GAP


def page_view_row(visit: Visit, page: PageInfo, now: datetime) -> dict[str, object]:
    return {
        "id": new_id(),
        "org_id": visit.org_id,
        "visitor_id": visit.visitor_id,
        "visit_id": visit.id,
        "url": page.url,
        "title": page.title,
        "referrer": page.referrer,
        "viewed_at": now,
    }


_VISITOR_COLUMNS = [c.key for c in cast(Table, Visitor.__table__).columns]
_VISIT_COLUMNS = [c.key for c in cast(Table, Visit.__table__).columns]
_INSERT_VISITORS = insert(cast(Table, Visitor.__table__))
_INSERT_VISITS = insert(cast(Table, Visit.__table__))


async def insert_arrivals(
    session: AsyncSession,
    new_visitors: list[Visitor],
    new_visits: list[Visit],
    page_views: list[dict[str, object]],
) -> None:
    """Stores a group's new rows: one statement per table (executemany), visitors first (the
    visits refer to them), then visits, then page views. The rows are not added to the
    session: they stay plain objects the caller reads."""
    if new_visitors:
        await session.execute(
            _INSERT_VISITORS, [{k: getattr(v, k) for k in _VISITOR_COLUMNS} for v in new_visitors]
        )
    if new_visits:
        await session.execute(
            _INSERT_VISITS, [{k: getattr(v, k) for k in _VISIT_COLUMNS} for v in new_visits]
        )
    if page_views:
        await session.execute(_INSERT_PAGE_VIEW, page_views)


_page_views_t = cast(Table, PageView.__table__)
_PAGES_OF_VISITS = (
    select(_page_views_t.c.visit_id, _page_views_t.c.url)
    .where(_page_views_t.c.visit_id.in_(bindparam("ids", expanding=True)))
    .order_by(_page_views_t.c.viewed_at)
)


async def pages_of_visits(
    session: AsyncSession, visit_ids: Collection[str]
) -> dict[str, list[str]]:
    """visit id -> the URLs of its page views in order, for a group of visits at once."""
    if not visit_ids:
        return {}
    pages: dict[str, list[str]] = {}
    rows = await session.execute(_PAGES_OF_VISITS, {"ids": list(set(visit_ids))})
    for visit_id, url in rows.all():
        pages.setdefault(visit_id, []).append(url)
    return pages


def _add_page_view(
    session: AsyncSession, visit: Visit, page: PageInfo, now: object, *, counted: bool = False
) -> None:
    """A page view row; `counted`: the visit's page_view_count already includes it."""
    session.add(
        PageView(
            id=new_id(),
            org_id=visit.org_id,
            visitor_id=visit.visitor_id,
            visit_id=visit.id,
            url=page.url,
            title=page.title,
            referrer=page.referrer,
            viewed_at=now,
        )
    )
    if not counted:
        visit.page_view_count += 1


_INSERT_PAGE_VIEW = insert(cast(Table, PageView.__table__))


async def insert_page_views(session: AsyncSession, rows: list[dict[str, object]]) -> None:
    """Page view rows (page_view_row): one INSERT for all (executemany)."""
    if rows:
        await session.execute(_INSERT_PAGE_VIEW, rows)


async def identify(
    runtime: Runtime,
    org: Org,
    visitor_id: str,
    *,
    email: str,
    name: str | None,
    hash_: str | None,
) -> Visitor:
    """Verified when the hash matches; otherwise stored as an unverified claim only."""
    email = normalise_email(email)
    if name is not None and len(name) > 200:
        raise ValidationFailed("name may have at most 200 characters")
    async with runtime.db.transaction() as session:
        visitor = await session.get(Visitor, visitor_id)
        if visitor is None or visitor.org_id != org.id:
            raise NotFound("visitor not found")
        if hash_ is not None:
            # The secret is read here, not taken from `org`: sockets keep their Org for their
            # whole life (and hellos share one cached for seconds), and a rotated secret must
            # refuse the old hashes at once.
            secret = (
                await session.execute(select(Org.identity_secret).where(Org.id == org.id))
            ).scalar_one()
            expected = identity_hash(secret, email)
            if not hmac.compare_digest(hash_.lower(), expected):
                raise IdentifyRejected("identify() rejected: the hash does not match this email")
            contact = (
                await session.execute(
                    select(Contact).where(Contact.org_id == org.id, Contact.email == email)
                )
            ).scalar_one_or_none()
            if contact is None:
                contact = Contact(
                    id=new_id(),
                    org_id=org.id,
                    email=email,
                    name=name,
                    created_at=runtime.clock.now(),
                )
                session.add(contact)
                await session.flush()
            elif name:
                contact.name = name
            visitor.contact_id = contact.id
            visitor.identity_status = "verified"
            visitor.email = email
            visitor.name = name or contact.name
        else:
            if visitor.identity_status == "verified":
                # Never let an unverified claim overwrite a verified identity.
                raise IdentifyRejected(
                    "identify() rejected: this visitor is already identified and verified"
                )
            visitor.identity_status = "unverified"
            visitor.email = email
            visitor.name = name
            visitor.contact_id = None
        return visitor


async def get_visitor(session: AsyncSession, org_id: str, visitor_id: str) -> Visitor:
    visitor = await session.get(Visitor, visitor_id)
    if visitor is None or visitor.org_id != org_id:
        raise NotFound("visitor not found")
    return visitor
