"""`frontdesk demo`: a demo org with reps, plus a small product website carrying the widget."""

from __future__ import annotations

import json
import re
from pathlib import Path

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.core.ids import new_id
from frontdesk.features import orgs
from frontdesk.features.accounts import import_csv
from frontdesk.features.accounts.models import IpRange
from frontdesk.features.orgs import Role
from frontdesk.features.orgs.models import Org, Rep
from frontdesk.features.segments import save_segment
from frontdesk.features.segments.models import Segment
from frontdesk.runtime import Runtime
from frontdesk.transport.api import widget_snippet

DEMO_SITE = Path(__file__).parent / "demo_site"
DEMO_ORG_NAME = "Northwind Analytics"
DEMO_REPS: tuple[tuple[str, str, Role], ...] = (
    ("admin@northwind.example", "Avery Admin", "admin"),
    ("lee@northwind.example", "Lee Park", "lead"),
    ("dana@northwind.example", "Dana Reyes", "rep"),
    ("sam@northwind.example", "Sam Okafor", "rep"),
)


async def ensure_demo_org(
    runtime: Runtime, site_origins: list[str], password: str
) -> tuple[Org, list[Rep]]:
    """Create the demo org and reps once; later runs reuse them and reset the passwords."""
    state_file = runtime.settings.data_dir / "demo.json"
    async with runtime.db.transaction() as session:
        org = None
        if state_file.exists():
            site_key = json.loads(state_file.read_text()).get("site_key", "")
            org = await orgs.org_by_site_key(session, site_key)
        if org is None:
            # A new data directory on a database that already holds the demo (one
            # FRONTDESK_DATABASE_URL shared by two data directories): reuse that org. A second
            # one would get no reps of its own (rep emails are unique), only the first's.
            admin_email = DEMO_REPS[0][0]
            admin = (
                await session.execute(select(Rep).where(Rep.email == admin_email))
            ).scalar_one_or_none()
            if admin is not None:
                org = await session.get(Org, admin.org_id)
        if org is None:
            org = await orgs.create_org(session, runtime, DEMO_ORG_NAME, site_origins)
        else:
            org.allowed_origins = sorted(
                set(org.allowed_origins or []) | {orgs.normalise_origin(o) for o in site_origins}
            )
        reps = []
        for email, name, role in DEMO_REPS:
            rep = (
                await session.execute(select(Rep).where(Rep.org_id == org.id, Rep.email == email))
            ).scalar_one_or_none()
            if rep is None:
                rep = await orgs.create_rep(
                    session,
                    runtime,
                    org_id=org.id,
                    email=email,
                    name=name,
                    role=role,
                    password=password,
                )
            else:
                rep.password_hash = orgs.hash_password(password)
                rep.active = True
            reps.append(rep)
        await seed_demo_configuration(session, runtime, org, reps)
    state_file.parent.mkdir(parents=True, exist_ok=True)
    state_file.write_text(json.dumps({"site_key": org.site_key}))
    return org, reps


DEMO_ACCOUNTS_CSV = """name,domain,target_account,open_pipeline,owner_email,employees,industry
Initech,initech.example,yes,180000,dana@northwind.example,850,Software
Globex,globex.example,yes,0,sam@northwind.example,12000,Energy
Umbrella Corp,umbrella.example,no,45000,,3400,Pharmaceuticals
"""

DEMO_SEGMENTS: list[dict[str, object]] = [
    {
        "name": "Target accounts",
        "color": "#dc2626",
        "rules": {"conditions": [{"field": "account.target_account", "op": "is_true"}]},
        "routing": {
            "steps": [{"kind": "account_owner"}, {"kind": "everyone", "round_robin": True}]
        },
    },
    {
        "name": "Open pipeline",
        "color": "#ea580c",
        "rules": {"conditions": [{"field": "account.open_pipeline", "op": "gt", "value": 0}]},
    },
    {
        "name": "Paid ads",
        "color": "#7c3aed",
        "rules": {"match": "any", "conditions": [{"field": "visit.paid", "op": "is_true"}]},
    },
    {
        "name": "Pricing page",
        "color": "#2563eb",
        "rules": {"conditions": [{"field": "visit.pages", "op": "contains", "value": "/pricing"}]},
    },
    {
        "name": "Job seekers",
        "color": "#64748b",
        "cold": True,
        "rules": {"conditions": [{"field": "visit.pages", "op": "contains", "value": "/careers"}]},
    },
]


async def seed_demo_configuration(
    session: AsyncSession, runtime: Runtime, org: Org, reps: list[Rep]
) -> None:
    """Accounts, segments and an IP range so the demo's live stream looks like a real team's.

    Only on the first run: an admin's later changes are kept."""
    if (
        await session.execute(
            select(Segment).where(Segment.org_id == org.id, Segment.is_catch_all.is_(False))
        )
    ).first():
        return
    await import_csv(session, runtime.clock, org.id, DEMO_ACCOUNTS_CSV)
    now = runtime.clock.now()
    for values in DEMO_SEGMENTS:
        await save_segment(session, org.id, None, dict(values), now)
    # Demo visitors come from this machine: give them a company so cards are not all "Unknown".
    session.add(
        IpRange(
            id=new_id(),
            org_id=org.id,
            cidr="127.0.0.0/8",
            company="Localhost Labs (demo IP range)",
            account_id=None,
            created_at=now,
        )
    )


PARTIAL = re.compile(r"\{\{HEADER:(\w+)\}\}|\{\{FOOTER\}\}")
NAV_LINK = re.compile(r' data-nav="(\w+)"')


def render_demo_page(html: str, root: str) -> str:
    """Fill in the shared header (with the current section marked) and footer of a demo page."""

    def partial(match: re.Match[str]) -> str:
        if match.group(1) is None:
            text = (DEMO_SITE / "_footer.html").read_text()
        else:
            current = match.group(1)
            text = NAV_LINK.sub(
                lambda nav: ' aria-current="page"' if nav.group(1) == current else "",
                (DEMO_SITE / "_header.html").read_text(),
            )
        return text.replace("{{ROOT}}", root).strip()

    return PARTIAL.sub(partial, html)


def demo_site_app(server_url: str, site_key: str) -> web.Application:
    """Serves demo_site/ with the real embed snippet put into every page."""
    snippet = widget_snippet(server_url, site_key)

    async def page(request: web.Request) -> web.StreamResponse:
        name = request.match_info.get("path", "") or "index.html"
        if name.endswith("/"):
            name += "index.html"
        if "." not in name.rsplit("/", 1)[-1]:
            name += ".html"
        path = (DEMO_SITE / name).resolve()
        if (
            not path.is_relative_to(DEMO_SITE.resolve())
            or not path.is_file()
            or path.name.startswith("_")  # partials are not pages
        ):
            raise web.HTTPNotFound(text="page not found")
        if path.suffix == ".html":
            root = "../" * (len(path.relative_to(DEMO_SITE.resolve()).parts) - 1)
            html = render_demo_page(path.read_text(), root).replace(
                "{{FRONTDESK_SNIPPET}}", snippet
            )
            return web.Response(text=html, content_type="text/html")
        return web.FileResponse(path)

    app = web.Application()
    app.router.add_get("/{path:.*}", page)
    return app
