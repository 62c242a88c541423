"""Accounts: CSV import, the API, the admin's IP range table, and matching visitors to them."""

from __future__ import annotations

import csv
import io
import ipaddress
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.core.clock import Clock
from frontdesk.core.errors import NotFound, ValidationFailed
from frontdesk.core.ids import new_id
from frontdesk.features.accounts.models import Account, IpRange
from frontdesk.features.accounts.schemas import AccountOut, IpRangeOut
from frontdesk.features.orgs.models import Rep

DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$")
CSV_COLUMNS = (
    "name",
    "domain",
    "target_account",
    "open_pipeline",
    "owner_email",
    "employees",
    "industry",
)
MAX_CSV_ROWS = 50_000


def normalise_domain(value: str) -> str:
    domain = value.strip().lower()
    domain = re.sub(r"^https?://", "", domain).split("/", 1)[0]
    domain = domain.removeprefix("www.")
    if not DOMAIN_RE.match(domain):
        raise ValidationFailed(f"{value!r} is not a domain like acme.com")
    return domain


def email_domain(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    return email.rsplit("@", 1)[1].lower().removeprefix("www.")


@dataclass
class AccountFields:
    name: str
    domain: str
    target_account: bool = False
    open_pipeline: float = 0.0
    owner_rep_id: str | None = None
    employees: int | None = None
    industry: str | None = None
    custom: dict[str, Any] | None = None


async def upsert_account(
    session: AsyncSession, clock: Clock, org_id: str, fields: AccountFields
) -> tuple[Account, bool]:
    """Create or update the org's account for this domain; returns (account, created)."""
    domain = normalise_domain(fields.domain)
    name = fields.name.strip()[:200]
    if not name:
        raise ValidationFailed(f"account {domain}: a name is required")
    if fields.owner_rep_id is not None:
        owner = await session.get(Rep, fields.owner_rep_id)
        if owner is None or owner.org_id != org_id:
            raise ValidationFailed(f"account {domain}: owner rep not found")
    now = clock.now()
    account = (
        await session.execute(
            select(Account).where(Account.org_id == org_id, Account.domain == domain)
        )
    ).scalar_one_or_none()
    created = account is None
    if account is None:
        account = Account(id=new_id(), org_id=org_id, domain=domain, created_at=now, custom={})
        session.add(account)
    account.name = name
    account.target_account = fields.target_account
    account.open_pipeline = fields.open_pipeline
    account.owner_rep_id = fields.owner_rep_id
    account.employees = fields.employees
    account.industry = (fields.industry or "").strip()[:200] or None
    account.custom = dict(fields.custom or {})
    account.updated_at = now
    await session.flush()
    return account, created


def _bool(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "y", "x", "target")


def _number(value: str, row: int, column: str) -> float | None:
    text = value.strip().replace(",", "").replace("$", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise ValidationFailed(f"row {row}, column {column}: {value!r} is not a number") from None


@dataclass
class ImportResult:
    created: int
    updated: int
    errors: list[str]


async def import_csv(session: AsyncSession, clock: Clock, org_id: str, text: str) -> ImportResult:
    """Columns: name, domain, target_account, open_pipeline, owner_email, employees, industry;
    any other column is kept as a custom field. Rows with errors are reported, the rest saved."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None:
        raise ValidationFailed("the CSV is empty")
    headers = [h.strip().lower() for h in reader.fieldnames]
    if "domain" not in headers or "name" not in headers:
        raise ValidationFailed("the CSV needs at least the columns 'name' and 'domain'")
    reps = {
        r.email: r.id
        for r in (await session.execute(select(Rep).where(Rep.org_id == org_id))).scalars()
    }
    created = updated = 0
    errors: list[str] = []
    for number, raw in enumerate(reader, start=2):
        if number - 1 > MAX_CSV_ROWS:
            errors.append(f"stopped after {MAX_CSV_ROWS} rows")
            break
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        try:
            owner_email = row.get("owner_email", "").lower()
            if owner_email and owner_email not in reps:
                raise ValidationFailed(f"row {number}: no rep with email {owner_email}")
            employees = _number(row.get("employees", ""), number, "employees")
            fields = AccountFields(
                name=row.get("name", ""),
                domain=row.get("domain", ""),
                target_account=_bool(row.get("target_account", "")),
                open_pipeline=_number(row.get("open_pipeline", ""), number, "open_pipeline") or 0.0,
                owner_rep_id=reps.get(owner_email) if owner_email else None,
                employees=int(employees) if employees is not None else None,
                industry=row.get("industry") or None,
                custom={k: v for k, v in row.items() if k not in CSV_COLUMNS and k and v},
            )
            async with session.begin_nested():
                _, was_created = await upsert_account(session, clock, org_id, fields)
            created += was_created
            updated += not was_created
        except ValidationFailed as exc:
            errors.append(
                exc.message if exc.message.startswith("row") else f"row {number}: {exc.message}"
            )
    return ImportResult(created, updated, errors)


async def account_for_domain(
    session: AsyncSession, org_id: str, domain: str | None
) -> Account | None:
    if not domain:
        return None
    return (
        await session.execute(
            select(Account).where(Account.org_id == org_id, Account.domain == domain)
        )
    ).scalar_one_or_none()


async def list_accounts(
    session: AsyncSession,
    org_id: str,
    *,
    search: str,
    target: bool | None,
    offset: int,
    limit: int,
) -> tuple[list[AccountOut], int]:
    """A page of the org's accounts by name (`search`: in the name or domain; `target`: only
    target accounts, or only others), and how many accounts the org has in all."""
    statement = (
        select(Account)
        .where(Account.org_id == org_id)
        .order_by(Account.name)
        .offset(offset)
        .limit(limit)
    )
    if search:
        like = f"%{search.lower()}%"
        statement = statement.where(func.lower(Account.name).like(like) | Account.domain.like(like))
    if target is not None:
        statement = statement.where(Account.target_account.is_(target))
    rows = list((await session.execute(statement)).scalars())
    total = (
        await session.execute(
            select(func.count()).select_from(Account).where(Account.org_id == org_id)
        )
    ).scalar_one()
    return [account_out(a) for a in rows], total


async def delete_account(session: AsyncSession, org_id: str, account_id: str) -> None:
    await session.delete(await get_account(session, org_id, account_id))


async def get_account(session: AsyncSession, org_id: str, account_id: str) -> Account:
    account = await session.get(Account, account_id)
    if account is None or account.org_id != org_id:
        raise NotFound("account not found")
    return account


def normalise_cidr(value: str) -> str:
    try:
        return str(ipaddress.ip_network(value.strip(), strict=False))
    except ValueError:
        raise ValidationFailed(
            f"{value!r} is not an IP address or CIDR range like 203.0.113.0/24"
        ) from None


def ip_range_out(item: IpRange) -> IpRangeOut:
    return IpRangeOut(id=item.id, cidr=item.cidr, company=item.company, account_id=item.account_id)


async def list_ip_ranges(session: AsyncSession, org_id: str) -> list[IpRangeOut]:
    rows = await session.execute(
        select(IpRange).where(IpRange.org_id == org_id).order_by(IpRange.cidr)
    )
    return [ip_range_out(r) for r in rows.scalars()]


async def add_ip_range(
    session: AsyncSession,
    org_id: str,
    *,
    cidr: str,
    company: str,
    account_id: str | None,
    now: datetime,
) -> IpRangeOut:
    """An admin's IP range -> company entry (for one of the org's accounts, if given)."""
    if account_id:
        await get_account(session, org_id, account_id)
    item = IpRange(
        id=new_id(),
        org_id=org_id,
        cidr=normalise_cidr(cidr),
        company=company.strip(),
        account_id=account_id,
        created_at=now,
    )
    session.add(item)
    return ip_range_out(item)


async def delete_ip_range(session: AsyncSession, org_id: str, range_id: str) -> None:
    item = await session.get(IpRange, range_id)
    if item is None or item.org_id != org_id:
        raise NotFound("IP range not found")
    await session.delete(item)


async def ip_range_for(session: AsyncSession, org_id: str, ip: str | None) -> IpRange | None:
    if not ip:
        return None
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    best: IpRange | None = None
    best_prefix = -1
    for item in (await session.execute(select(IpRange).where(IpRange.org_id == org_id))).scalars():
        network = ipaddress.ip_network(item.cidr)
        if (
            address.version == network.version
            and address in network
            and network.prefixlen > best_prefix
        ):
            best, best_prefix = item, network.prefixlen
    return best


def account_out(account: Account) -> AccountOut:
    return AccountOut(
        id=account.id,
        name=account.name,
        domain=account.domain,
        target_account=account.target_account,
        open_pipeline=account.open_pipeline,
        owner_rep_id=account.owner_rep_id,
        employees=account.employees,
        industry=account.industry,
        custom=account.custom or {},
    )
