"""Visitor cards for the live stream: live state joined with what the database knows."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.features import audience, formatting
from frontdesk.features.accounts.models import Account
from frontdesk.features.accounts.schemas import AccountBrief
from frontdesk.features.conversations.models import Conversation
from frontdesk.features.enrichment import PROVIDER_ANSWER
from frontdesk.features.experiences.models import Experience
from frontdesk.features.live_stream.events import CardUtm, VisitorCard
from frontdesk.features.orgs.models import Org
from frontdesk.features.segments import VisitorRow, VisitRow
from frontdesk.features.segments.models import Segment
from frontdesk.features.visitors.models import Visit, Visitor
from frontdesk.live import LiveVisitor

CHUNK = 500  # stay far below SQLite's bound-parameter limit


def page_thumbnail(
    website_origins: Iterable[str], page_url: str, og_image: str | None
) -> str | None:
    """The proxy URL of a page's og:image, or None. Reps' browsers load only our proxy (never
    a URL a visitor chose, which would tell its owner every rep's IP address), and we fetch
    only from the org's own website origins: the page and the image must both be there, so a
    visitor cannot use page views to make the proxy fetch anything else."""
    origins = list(website_origins)
    if og_image is None or not formatting.image_proxy.on_origins(page_url, origins):
        return None
    if not formatting.image_proxy.on_origins(og_image, origins):
        return None
    return _only_proxied(formatting.image_proxy.proxied(og_image))


def page_favicon(website_origins: Iterable[str], page_url: str) -> str | None:
    """The proxy URL of the favicon of the page's website, if that is one of the org's."""
    origin = _origin_of(page_url)
    if origin is None or origin not in website_origins:
        return None
    return _only_proxied(formatting.image_proxy.favicon_of(origin))


def _origin_of(url: str) -> str | None:
    """image_proxy.origin_of, remembered per "scheme://authority" prefix (every page view
    asks for its page's favicon twice; issue 21). The prefix ends at the first "/" after "//",
    so it holds the whole authority; a "?" or "#" it may hold is split off by origin_of as in
    the whole URL."""
    start = url.find("//")
    slash = url.find("/", start + 2) if start >= 0 else -1
    return _origin_of_prefix(url if slash < 0 else url[:slash])


@functools.lru_cache(maxsize=4096)
def _origin_of_prefix(prefix: str) -> str | None:
    return formatting.image_proxy.origin_of(prefix)


def _only_proxied(url: str) -> str | None:
    # proxied() hands back the URL itself when the proxy has no key: show nothing then.
    return url if formatting.image_proxy.is_proxied(url) else None


def _chunks(ids: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


@dataclass
class CardVisitorRow(VisitorRow):
    """A visitor's columns that placing and the card read, without the ORM (the page views'
    hot path, live_stream/page_views.py)."""

    name: str | None


@dataclass
class CardVisitRow(VisitRow):
    """A visit's columns that placing, the card and its page view rows read, without the
    ORM."""

    visitor_id: str


class StreamCard(NamedTuple):
    """A visitor's card and who may see it (audience.of_visitor)."""

    card: VisitorCard
    visibility: audience.Visibility


async def build_cards(
    session: AsyncSession,
    org_id: str,
    lives: Sequence[LiveVisitor],
    segments: Sequence[Segment] | None = None,
) -> list[StreamCard]:
    """The cards of these live visitors, in a fixed number of queries however many there are.
    `segments`: the org's segments when the caller has read them already (the snapshot)."""
    if not lives:
        return []
    org = await session.get(Org, org_id)
    website_origins = list(org.allowed_origins or []) if org else []
    visitor_ids = [live.visitor_id for live in lives]
    visit_ids = [live.visit_id for live in lives]
    visitors: dict[str, Visitor] = {}
    visits: dict[str, Visit] = {}
    conversations: dict[str, Conversation] = {}
    for chunk in _chunks(visitor_ids):
        rows = await session.execute(
            select(Visitor).where(Visitor.org_id == org_id, Visitor.id.in_(chunk))
        )
        visitors.update({v.id: v for v in rows.scalars()})
        open_rows = await session.execute(
            select(Conversation).where(
                Conversation.org_id == org_id,
                Conversation.visitor_id.in_(chunk),
                Conversation.status.in_(("incoming", "active")),
            )
        )
        conversations.update({c.visitor_id: c for c in open_rows.scalars()})
    for chunk in _chunks(visit_ids):
        visit_rows = await session.execute(
            select(Visit).where(Visit.org_id == org_id, Visit.id.in_(chunk))
        )
        visits.update({v.id: v for v in visit_rows.scalars()})
    account_ids = sorted({v.account_id for v in visits.values() if v.account_id})
    accounts: dict[str, Account] = {}
    for chunk in _chunks(account_ids):
        account_rows = await session.execute(select(Account).where(Account.id.in_(chunk)))
        accounts.update({a.id: a for a in account_rows.scalars()})
    experiences = await experience_names(session, org_id, segments)
    cards = []
    for live in lives:
        visitor = visitors.get(live.visitor_id)
        visit = visits.get(live.visit_id)
        if visitor is None or visit is None:
            continue
        account = accounts.get(visit.account_id) if visit.account_id else None
        conversation = conversations.get(visitor.id)
        card = card_for(
            live,
            visitor,
            visit,
            conversation,
            account,
            experiences,
            website_origins=website_origins,
        )
        owner_rep_id = conversation.owner_rep_id if conversation else None
        cards.append(StreamCard(card, audience.of_visitor(visit.routed_rep_ids, owner_rep_id)))
    return cards


async def experience_names(
    session: AsyncSession, org_id: str, segments: Sequence[Segment] | None = None
) -> dict[str | None, str]:
    """segment id -> name of the inbound experience its visitors get (None: the default)."""
    experiences = {
        e.id: e
        for e in (
            await session.execute(select(Experience).where(Experience.org_id == org_id))
        ).scalars()
    }
    default = next((e.name for e in experiences.values() if e.is_default), "Default inbound chat")
    names: dict[str | None, str] = {None: default}
    if segments is None:
        segments = list(
            (await session.execute(select(Segment).where(Segment.org_id == org_id))).scalars()
        )
    for segment in segments:
        chosen = experiences.get(segment.experience_id) if segment.experience_id else None
        names[segment.id] = chosen.name if chosen else default
    return names


def account_brief(account: Account | None) -> AccountBrief | None:
    if account is None:
        return None
    return AccountBrief(
        id=account.id,
        name=account.name,
        domain=account.domain,
        target_account=account.target_account,
        open_pipeline=account.open_pipeline,
        owner_rep_id=account.owner_rep_id,
    )


def card_for(
    live: LiveVisitor,
    visitor: Visitor | CardVisitorRow,
    visit: Visit | CardVisitRow,
    conversation: Conversation | None,
    account: Account | None = None,
    experiences: dict[str | None, str] | None = None,
    *,
    website_origins: Iterable[str],
) -> VisitorCard:
    # The company facts shown; the provider's raw answer stays on the visit.
    enrichment = {k: v for k, v in (visit.enrichment or {}).items() if k != PROVIDER_ANSWER}
    company = (enrichment.get("company") or {}).get("value")
    if conversation is not None and conversation.routed_rep_ids:
        routed = list(conversation.routed_rep_ids)
    else:
        routed = list(visit.routed_rep_ids or [])
    reason = (conversation.routing_reason if conversation else None) or visit.routing_reason
    names = experiences or {}
    return VisitorCard(
        visitor_id=visitor.id,
        visit_id=visit.id,
        name=visitor.name,
        email=visitor.email,
        identity_status=visitor.identity_status,
        company=company,
        enrichment=enrichment,
        account=account_brief(account),
        segment=visit.segment_id,
        experience=names.get(visit.segment_id, names.get(None)),
        url=live.url,
        title=live.title,
        # Live state holds the thumbnail already proxied (see page_thumbnail); anything else
        # (a raw URL from an older process) is dropped rather than shown.
        og_image=live.og_image if formatting.image_proxy.is_proxied(live.og_image) else None,
        favicon=page_favicon(website_origins, live.url),
        activity=live.activity,
        visit_started_at=visit.started_at,
        page_views=visit.page_view_count,
        referrer=visit.referrer,
        utm=CardUtm(source=visit.utm_source, medium=visit.utm_medium, campaign=visit.utm_campaign),
        returning=visitor.visit_count > 1,
        conversation_id=conversation.id if conversation else None,
        conversation_status=conversation.status if conversation else None,
        routed_rep_ids=routed,
        routing_reason=reason,
    )
