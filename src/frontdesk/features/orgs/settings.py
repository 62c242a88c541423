"""Org settings changes, and telling every process about them at once.

Each process caches its orgs' rows (transport/visitor_registry.py: every visitor socket of an
org shares one Org object). A change to a row is published on one process-wide bus topic after
it commits; every process drops or refreshes its cached Org when it hears it, so a settings
change applies to the next hello on any process, not up to a cache lifetime later.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Literal

from frontdesk.core.errors import NotFound, ValidationFailed
from frontdesk.core.events import Event
from frontdesk.features.orgs.models import Org
from frontdesk.runtime import Runtime, UnitOfWork

# Hook run inside the transaction that changes an org's settings, with the org and its
# settings before the change (features react, e.g. auto pounce switched on).
SETTINGS_CHANGED_HOOK = "org.settings_changed"


def orgs_topic() -> str:
    """Org rows changed (settings, origins): one subscription per process, not per org."""
    return "orgs"


class OrgChanged(Event):
    type: Literal["org.changed"] = "org.changed"
    org_id: str
    site_key: str


def announce_org_changed(work: UnitOfWork, org: Org) -> None:
    """Queue the news for every process; it is published once the change commits."""
    work.emit([orgs_topic()], OrgChanged(org_id=org.id, site_key=org.site_key))


async def update_settings(
    runtime: Runtime,
    org_id: str,
    *,
    proactive: dict[str, Any],
    messenger: dict[str, Any] | None,
    idle_after_seconds: int | None,
    calls: dict[str, Any] | None = None,
    privacy: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> Org:
    """Merge validated settings into the org's row and tell every process. `privacy` makes
    the org's new privacy settings from its current ones (features/privacy)."""
    async with runtime.uow() as work:
        org = await work.session.get(Org, org_id)
        if org is None:
            raise NotFound("org not found")
        before = dict(org.settings or {})
        settings = dict(before)
        settings["proactive"] = {**(settings.get("proactive") or {}), **proactive}
        if messenger is not None:
            settings["messenger"] = {**(settings.get("messenger") or {}), **messenger}
        if calls is not None:
            settings["calls"] = {**(settings.get("calls") or {}), **calls}
        if privacy is not None:
            settings["privacy"] = privacy(dict(settings.get("privacy") or {}))
        org.settings = settings
        if idle_after_seconds is not None:
            org.idle_after_seconds = idle_after_seconds
        await work.run_hooks(SETTINGS_CHANGED_HOOK, org, before)
        announce_org_changed(work, org)
    return org


# ---- email settings (admin) --------------------------------------------------------------------

# Header-safe: no spaces, commas, angle brackets or quotes (the address goes into To:).
TEAM_ADDRESS_RE = re.compile(r"^[^@\s<>\",;]+@[^@\s<>\",;]+\.[^@\s<>\",;.]{2,}$")


def email_settings(org: Org) -> dict[str, Any]:
    """The org's email settings with their defaults: `team_address` (also or instead emailed
    about missed chats), `email_reps` (whether routed reps are emailed too) and `time_zone`
    (the days of the admins' daily summary)."""
    stored = dict((org.settings or {}).get("email") or {})
    return {
        "team_address": stored.get("team_address") or None,
        "email_reps": bool(stored.get("email_reps", True)),
        "time_zone": str(stored.get("time_zone") or "UTC"),
    }


async def update_email_settings(
    runtime: Runtime, org_id: str, *, team_address: str | None, email_reps: bool, time_zone: str
) -> Org:
    """Store the org's email settings (validated here too: the team address goes into To:)."""
    address = (team_address or "").strip() or None
    if address is not None and (len(address) > 320 or not TEAM_ADDRESS_RE.match(address)):
        raise ValidationFailed("the team address must be one email address, like team@example.com")
    if address is None and not email_reps:
        raise ValidationFailed(
            "missed chats must go somewhere: set a team address or keep emailing the reps"
        )
    async with runtime.uow() as work:
        org = await work.session.get(Org, org_id)
        if org is None:
            raise NotFound("org not found")
        settings = dict(org.settings or {})
        settings["email"] = {
            "team_address": address,
            "email_reps": email_reps,
            "time_zone": time_zone,
        }
        org.settings = settings
        announce_org_changed(work, org)
    return org
