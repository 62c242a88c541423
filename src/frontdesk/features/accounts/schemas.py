"""What the accounts API sends."""

from __future__ import annotations

from typing import Any

from frontdesk.core.schemas import Closed


class AccountOut(Closed):
    id: str
    name: str
    domain: str
    target_account: bool
    open_pipeline: float
    owner_rep_id: str | None
    employees: int | None
    industry: str | None
    custom: dict[str, Any]


class AccountBrief(Closed):
    """The account a visitor's company matched, as visitor cards and Visitor 360 show it."""

    id: str
    name: str
    domain: str
    target_account: bool
    open_pipeline: float
    owner_rep_id: str | None


class IpRangeOut(Closed):
    id: str
    cidr: str
    company: str
    account_id: str | None
