"""The demo's org: every printed login signs in, and each role sees what it is for."""

from __future__ import annotations

from pathlib import Path

from frontdesk.demo import DEMO_REPS, ensure_demo_org
from tests.conftest import Backend
from tests.harness import running_server

DEMO_PASSWORD = "frontdesk-demo"


async def test_the_demo_has_an_admin_a_team_lead_and_two_reps_who_all_sign_in(
    sqlite_memory_backend: Backend, tmp_path: Path
) -> None:
    async with running_server(
        sqlite_memory_backend.database_url, "memory://", "unused", data_dir=tmp_path
    ) as server:
        _, reps = await ensure_demo_org(server.runtime, ["http://127.0.0.1:8001"], DEMO_PASSWORD)
        assert sorted(rep.role for rep in reps) == ["admin", "lead", "rep", "rep"]
        admin_id = next(rep.id for rep in reps if rep.role == "admin")
        seen: dict[str, list[int]] = {}
        for email, _name, role in DEMO_REPS:
            http = server.http()
            async with http.post(
                server.url + "/api/auth/login", json={"email": email, "password": DEMO_PASSWORD}
            ) as answer:
                assert answer.status == 200, await answer.text()
            statuses = []
            for path in (
                "/api/reports/summary?start=2026-11-01&end=2026-11-30",  # one's own figures
                f"/api/reports/summary?start=2026-11-01&end=2026-11-30&rep_id={admin_id}",
                "/api/audit",
            ):
                async with http.get(server.url + path) as answer:
                    statuses.append(answer.status)
            seen.setdefault(role, statuses)
        # A rep sees their own figures; the lead everyone's; only the admin the audit log.
        assert seen == {"admin": [200, 200, 200], "lead": [200, 200, 403], "rep": [200, 403, 403]}
