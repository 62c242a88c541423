"""Placing a visit: company and firmographics with their sources, segment, routing.

Runs when a visitor arrives, navigates or identifies, and for every live visitor when an admin
changes the segments. The result is stored on the visit so every process and every snapshot
agrees, and routing (which may rotate round robin) changes only when its own inputs do.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.features.accounts import email_domain
from frontdesk.features.accounts.models import Account, IpRange
from frontdesk.features.enrichment import PROVIDER_ANSWER, IpDirectory
from frontdesk.features.routing import RoutingDirectory, parse_routing, route
from frontdesk.features.segments.models import Segment
from frontdesk.features.segments.rules import CompiledSegment, choose_segment
from frontdesk.features.segments.service import compile_segments, list_segments
from frontdesk.features.visitors.models import PageView, Visit, Visitor


@dataclass
class VisitorRow:
    """The columns placement reads, loaded without the ORM when re-placing thousands."""

    id: str
    org_id: str
    email: str | None
    identity_status: str
    visit_count: int


@dataclass
class VisitRow:
    id: str
    org_id: str
    ip: str | None
    started_at: datetime
    landing_url: str | None
    referrer: str | None
    utm_source: str | None
    utm_medium: str | None
    utm_campaign: str | None
    page_view_count: int
    segment_id: str | None
    routed_rep_ids: list[str]
    routing_reason: str | None
    account_id: str | None
    enrichment: dict[str, Any]


AnyVisitor = Visitor | VisitorRow
AnyVisit = Visit | VisitRow

PAID_MEDIUMS = (
    "cpc",
    "ppc",
    "paid",
    "paidsearch",
    "paid_search",
    "paid-social",
    "paid_social",
    "display",
    "cpm",
)
CLICK_IDS = ("gclid", "fbclid", "msclkid", "li_fat_id", "ttclid")
CONFIDENCE_RANK = {"low": 0, "medium": 1, "high": 2, "very_high": 3}


def _paid(visit: AnyVisit) -> bool:
    medium = (visit.utm_medium or "").lower()
    if medium.startswith("paid") or medium in PAID_MEDIUMS:
        return True
    return _has_click_id(visit.landing_url or "")


@functools.lru_cache(maxsize=4096)
def _has_click_id(landing_url: str) -> bool:
    # Remembered: a visit is placed again on every page view, its landing URL never changes.
    try:
        query = parse_qs(urlsplit(landing_url).query)
    except ValueError:
        return False
    return any(key in query for key in CLICK_IDS)


def _value(entry: dict[str, Any] | None) -> Any:
    return entry.get("value") if entry else None


def build_facts(
    visitor: AnyVisitor,
    visit: AnyVisit,
    account: Account | None,
    current_url: str,
    pages: Sequence[str],
    now: datetime,
) -> dict[str, Any]:
    enrichment = visit.enrichment or {}
    return {
        "account.name": account.name if account else None,
        "account.domain": account.domain if account else None,
        "account.target_account": account.target_account if account else False,
        "account.open_pipeline": account.open_pipeline if account else None,
        "account.employees": account.employees if account else _value(enrichment.get("employees")),
        "account.industry": account.industry if account else _value(enrichment.get("industry")),
        "account.has_owner": bool(account and account.owner_rep_id),
        "company.name": _value(enrichment.get("company")),
        "visitor.email_domain": email_domain(visitor.email),
        "visitor.verified": visitor.identity_status == "verified",
        "visitor.returning": visitor.visit_count > 1,
        "visit.country": _value(enrichment.get("country")),
        "visit.utm_source": visit.utm_source,
        "visit.utm_medium": visit.utm_medium,
        "visit.utm_campaign": visit.utm_campaign,
        "visit.paid": _paid(visit),
        "visit.referrer": visit.referrer,
        "visit.landing_url": visit.landing_url,
        "visit.page_views": visit.page_view_count,
        "visit.time_on_site": max(0.0, (now - visit.started_at).total_seconds()),
        "page.url": current_url,
        "visit.pages": list(pages),
    }


def _better(current: dict[str, Any] | None, candidate: dict[str, Any]) -> bool:
    if current is None:
        return True
    return CONFIDENCE_RANK.get(candidate["confidence"], 0) > CONFIDENCE_RANK.get(
        current["confidence"], 0
    )


class AccountIndex:
    """The org's accounts and IP ranges, loaded once (re-segmenting thousands of visitors must
    not run a query per visitor)."""

    def __init__(self, accounts: list[Account], ranges: list[IpRange]) -> None:
        self.by_domain = {a.domain: a for a in accounts}
        self.by_id = {a.id: a for a in accounts}
        self.ranges = sorted(
            ((ipaddress.ip_network(r.cidr), r) for r in ranges), key=lambda item: -item[0].prefixlen
        )

    @classmethod
    async def load(cls, session: AsyncSession, org_id: str) -> AccountIndex:
        accounts = list(
            (await session.execute(select(Account).where(Account.org_id == org_id))).scalars()
        )
        ranges = list(
            (await session.execute(select(IpRange).where(IpRange.org_id == org_id))).scalars()
        )
        return cls(accounts, ranges)

    def range_for(self, ip: str | None) -> IpRange | None:
        if not ip or not self.ranges:
            return None
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return None
        for network, item in self.ranges:  # longest prefix first
            if network.version == address.version and address in network:
                return item
        return None


# Personal mailboxes say nothing about an employer: a verified gmail.com address names no
# company (an account an admin created for such a domain still matches, as tier 1).
PERSONAL_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "ymail.com",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "msn.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "yandex.ru",
        "mail.ru",
        "qq.com",
        "163.com",
        "zoho.com",
        "fastmail.com",
        "hey.com",
    }
)


def _entry(value: Any, source: str, confidence: str) -> dict[str, Any]:
    return {"value": value, "source": source, "confidence": confidence}


def _provider_answer(previous: dict[str, Any]) -> dict[str, dict[str, Any]]:
    if PROVIDER_ANSWER in previous:
        return dict(previous[PROVIDER_ANSWER] or {})
    # Visits enriched before the answer was kept apart hold it at the top level.
    return {
        key: value
        for key, value in previous.items()
        if isinstance(value, dict) and value.get("source") == "provider"
    }


async def enrich(
    index: AccountIndex,
    directory: IpDirectory | None,
    visitor: AnyVisitor,
    visit: AnyVisit,
    *,
    ip: str | None = None,
) -> Account | None:
    """Fill visit.enrichment and visit.account_id: one company per visit, from one source.

    The first source that names a company decides, in this order (docs/segments-and-routing.md):
      1. identified account: the visitor's email (from identify(), verified or not) is at the
         domain of one of the org's accounts;
      2. verified email domain: a verified email at a company domain with no account (the
         domain names the company; the provider's name for that domain if it gave one);
      3. the admins' IP ranges (and the account a range is linked to);
      4. the external firmographics provider, if one is configured;
      5. the offline ASN data (often the visitor's ISP).
    The company's name, domain, account (badges, owner routing) and firmographics (employees,
    industry) all come from the deciding source, so a card never shows one company's name next
    to another's badges. Country is the visitor's location, not the company's: provider or
    offline geo data, whichever is surer."""
    previous = visit.enrichment or {}
    provider = _provider_answer(previous)
    enrichment: dict[str, Any] = {}
    if provider:
        enrichment[PROVIDER_ANSWER] = provider

    def provided(key: str) -> Any:
        return _value(provider.get(key))

    domain = email_domain(visitor.email)
    verified = visitor.identity_status == "verified"
    # The connected visitor's full address when the caller has it (the org may store only
    # its /24 or /48, or none: enrichment comes before truncation), else what the visit keeps.
    address = ip or visit.ip
    ip_range = index.range_for(address)
    info = directory.lookup(address) if directory is not None else None
    account = index.by_domain.get(domain) if domain else None
    firmographics_from_provider = False
    if account is not None:
        source, confidence = (
            ("verified_email", "very_high") if verified else ("unverified_email", "medium")
        )
        enrichment["company"] = _entry(account.name, source, confidence)
        enrichment["domain"] = _entry(account.domain, source, confidence)
    elif verified and domain and domain not in PERSONAL_MAIL_DOMAINS:
        same_domain = provided("domain") == domain
        name = provided("company") if same_domain and provided("company") else domain
        enrichment["company"] = _entry(name, "verified_email", "very_high")
        enrichment["domain"] = _entry(domain, "verified_email", "very_high")
        firmographics_from_provider = same_domain
    elif ip_range is not None:
        account = index.by_id.get(ip_range.account_id) if ip_range.account_id else None
        enrichment["company"] = _entry(
            account.name if account else ip_range.company, "ip_range", "high"
        )
        if account is not None:
            enrichment["domain"] = _entry(account.domain, "ip_range", "high")
    elif provided("company") or provided("domain"):
        confidence = (provider.get("company") or provider["domain"])["confidence"]
        account = index.by_domain.get(provided("domain")) if provided("domain") else None
        name = account.name if account else provided("company") or provided("domain")
        enrichment["company"] = _entry(name, "provider", confidence)
        if provided("domain"):
            enrichment["domain"] = _entry(provided("domain"), "provider", confidence)
        firmographics_from_provider = account is None
    elif info is not None and info.organisation:
        enrichment["company"] = _entry(info.organisation, "ip_asn", "low")
    if account is not None:
        for key in ("employees", "industry"):
            value = getattr(account, key)
            if value not in (None, ""):
                enrichment[key] = _entry(value, "account", "high")
    elif firmographics_from_provider:
        for key in ("employees", "industry"):
            if key in provider:
                enrichment[key] = provider[key]
    country = provider.get("country")
    if info is not None and info.country:
        offline = _entry(info.country, "ip_country", "medium")
        if _better(country, offline):
            country = offline
    if country is not None:
        enrichment["country"] = country
    # Assign only on change: an unchanged visit must not be written on every page view.
    if enrichment != previous:
        visit.enrichment = enrichment
    account_id = account.id if account else None
    if account_id != visit.account_id:
        visit.account_id = account_id
    return account


@dataclass(frozen=True)
class Placement:
    segment_id: str
    routed_rep_ids: list[str]
    routing_reason: str | None
    changed: bool


async def _pages(session: AsyncSession, visit_id: str) -> list[str]:
    return list(
        (
            await session.execute(
                select(PageView.url)
                .where(PageView.visit_id == visit_id)
                .order_by(PageView.viewed_at)
            )
        ).scalars()
    )


async def place_visit(
    session: AsyncSession,
    directory: IpDirectory | None,
    visitor: AnyVisitor,
    visit: AnyVisit,
    current_url: str,
    now: datetime,
    *,
    compiled: list[CompiledSegment] | None = None,
    segments: dict[str, Segment] | None = None,
    pages: list[str] | None = None,
    index: AccountIndex | None = None,
    reroute_segment_ids: Collection[str] = (),
    hold_routing: bool = False,
    routing_directory: RoutingDirectory | None = None,
    ip: str | None = None,
) -> Placement:
    """Choose the visit's segment and, when it changes, its routing.

    A placement is stable until its own inputs change: routing is recomputed only when the
    visit lands in another segment or when its segment's routing inputs changed
    (`reroute_segment_ids`: the rule, or a team it names), and even then a round-robin step
    keeps the current rep while they are still eligible. `hold_routing`: the visitor has an
    open chat, so their reps stay whatever the segment does (a chat never moves silently)."""
    if segments is None or compiled is None:
        rows = await list_segments(session, visitor.org_id, now)
        segments = {s.id: s for s in rows}
        compiled = compile_segments(rows)
    if index is None:
        index = await AccountIndex.load(session, visitor.org_id)
    account = await enrich(index, directory, visitor, visit, ip=ip)
    facts = build_facts(
        visitor,
        visit,
        account,
        current_url,
        pages if pages is not None else await _pages(session, visit.id),
        now,
    )
    segment_id = choose_segment(compiled, facts)
    current = list(visit.routed_rep_ids or [])
    if segment_id == visit.segment_id and segment_id not in reroute_segment_ids:
        return Placement(segment_id, current, visit.routing_reason, False)
    if hold_routing and visit.segment_id is not None:
        moved = segment_id != visit.segment_id
        visit.segment_id = segment_id
        return Placement(segment_id, current, visit.routing_reason, moved)
    segment = segments[segment_id]
    routed = await route(
        session,
        visitor.org_id,
        segment.name,
        parse_routing(segment.routing, segment.name),
        account,
        routing_directory,
        current=current,
    )
    changed = (segment_id, routed.rep_ids, routed.reason) != (
        visit.segment_id,
        current,
        visit.routing_reason,
    )
    visit.segment_id = segment_id
    visit.routed_rep_ids = routed.rep_ids
    visit.routing_reason = routed.reason
    return Placement(segment_id, routed.rep_ids, routed.reason, changed)
