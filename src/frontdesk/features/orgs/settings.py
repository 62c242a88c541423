"""Org settings changes, and telling every process about them at once.

Each process caches its orgs' rows (transport/visitor_registry.py: every visitor socket of an
org shares one Org object). A change to a row is published on one process-wide bus topic after
it commits; every process drops or refreshes its cached Org when it hears it, so a settings
change applies to the next hello on any process, not up to a cache lifetime later.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from frontdesk.core.errors import NotFound
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
