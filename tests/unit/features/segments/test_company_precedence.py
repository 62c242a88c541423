"""One company per visit: identified account > verified email domain > admin IP ranges >
provider > ASN, and its name, account and firmographics always come from the same source."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from frontdesk.features.accounts.models import Account, IpRange
from frontdesk.features.enrichment.provider import PROVIDER_ANSWER
from frontdesk.features.segments.placement import AccountIndex, VisitorRow, VisitRow, enrich

pytestmark = pytest.mark.asyncio
NOW = datetime(2026, 1, 1, tzinfo=UTC)
OFFICE_IP = "198.51.100.7"


def _account(name: str, domain: str, employees: int, industry: str) -> Account:
    return Account(
        id=f"acct-{domain}",
        org_id="org",
        name=name,
        domain=domain,
        target_account=True,
        open_pipeline=0.0,
        employees=employees,
        industry=industry,
        custom={},
        created_at=NOW,
        updated_at=NOW,
    )


INITECH = _account("Initech", "initech.example", 850, "Software")
GLOBEX = _account("Globex", "globex.example", 12000, "Energy")


def _index(range_account: Account | None = GLOBEX) -> AccountIndex:
    office = IpRange(
        id="r1",
        org_id="org",
        cidr="198.51.100.0/24",
        company="Globex Offices",
        account_id=range_account.id if range_account else None,
        created_at=NOW,
    )
    return AccountIndex([INITECH, GLOBEX], [office])


def _visitor(email: str | None, status: str = "unverified") -> VisitorRow:
    return VisitorRow("v1", "org", email, status if email else "anonymous", 1)


def _visit(ip: str | None = OFFICE_IP, enrichment: dict[str, Any] | None = None) -> VisitRow:
    return VisitRow(
        "visit1", "org", ip, NOW, None, None, None, None, None, 1, None, [], None, None,
        enrichment or {},
    )  # fmt: skip


def _provider(company: str, domain: str, employees: int) -> dict[str, Any]:
    return {
        PROVIDER_ANSWER: {
            "company": {"value": company, "source": "provider", "confidence": "high"},
            "domain": {"value": domain, "source": "provider", "confidence": "high"},
            "employees": {"value": employees, "source": "provider", "confidence": "high"},
        }
    }


def _shown(visit: VisitRow) -> tuple[Any, ...]:
    e = visit.enrichment
    values = [
        (e.get(key) or {}).get("value") for key in ("company", "domain", "employees", "industry")
    ]
    return (*values, (e.get("company") or {}).get("source"), visit.account_id)


async def test_an_identified_account_beats_an_ip_range_mapped_to_another_company() -> None:
    visit = _visit()
    account = await enrich(_index(), None, _visitor("pat@initech.example"), visit)
    assert account is INITECH
    assert _shown(visit) == (
        "Initech", "initech.example", 850, "Software", "unverified_email", INITECH.id,
    )  # fmt: skip


async def test_a_verified_email_at_a_domain_without_an_account_beats_the_ip_range() -> None:
    visit = _visit()
    account = await enrich(_index(), None, _visitor("ann@hooli.example", "verified"), visit)
    assert account is None
    assert _shown(visit) == (
        "hooli.example", "hooli.example", None, None, "verified_email", None,
    )  # fmt: skip


async def test_a_verified_email_takes_the_providers_name_and_firmographics_for_its_domain() -> None:
    visit = _visit(enrichment=_provider("Hooli Inc.", "hooli.example", 4000))
    await enrich(_index(), None, _visitor("ann@hooli.example", "verified"), visit)
    assert _shown(visit) == (
        "Hooli Inc.", "hooli.example", 4000, None, "verified_email", None,
    )  # fmt: skip


async def test_a_personal_mailbox_names_no_company_and_the_ip_range_decides() -> None:
    visit = _visit()
    account = await enrich(_index(), None, _visitor("pat@gmail.com", "verified"), visit)
    assert account is GLOBEX
    assert _shown(visit) == (
        "Globex", "globex.example", 12000, "Energy", "ip_range", GLOBEX.id,
    )  # fmt: skip


async def test_an_unverified_email_without_an_account_leaves_the_ip_range_in_charge() -> None:
    visit = _visit()
    await enrich(_index(range_account=None), None, _visitor("pat@hooli.example"), visit)
    assert _shown(visit) == ("Globex Offices", None, None, None, "ip_range", None)


async def test_the_provider_beats_asn_data_but_not_the_admins_ip_ranges() -> None:
    in_office = _visit(enrichment=_provider("Umbrella", "umbrella.example", 300))
    await enrich(_index(), None, _visitor(None), in_office)
    assert _shown(in_office)[4] == "ip_range"
    assert in_office.enrichment[PROVIDER_ANSWER]["company"]["value"] == "Umbrella"  # kept

    elsewhere = _visit(ip="203.0.113.9", enrichment=_provider("Umbrella", "umbrella.example", 300))
    await enrich(_index(), None, _visitor(None), elsewhere)
    assert _shown(elsewhere) == (
        "Umbrella", "umbrella.example", 300, None, "provider", None,
    )  # fmt: skip


async def test_a_provider_domain_that_is_an_account_shows_that_accounts_name_and_data() -> None:
    visit = _visit(ip="203.0.113.9", enrichment=_provider("INITECH CORP", "initech.example", 1))
    account = await enrich(_index(), None, _visitor(None), visit)
    assert account is INITECH
    assert _shown(visit) == (
        "Initech", "initech.example", 850, "Software", "provider", INITECH.id,
    )  # fmt: skip


async def test_visits_enriched_before_the_answer_was_kept_apart_still_use_it() -> None:
    legacy = {
        "company": {"value": "Umbrella", "source": "provider", "confidence": "high"},
        "employees": {"value": 300, "source": "provider", "confidence": "high"},
    }
    visit = _visit(ip="203.0.113.9", enrichment=legacy)
    await enrich(_index(), None, _visitor(None), visit)
    assert _shown(visit) == ("Umbrella", None, 300, None, "provider", None)
    again = dict(visit.enrichment)
    await enrich(_index(), None, _visitor(None), visit)
    assert visit.enrichment == again  # stable: nothing rewritten on the next page view
