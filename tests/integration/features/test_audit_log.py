"""The admin audit log: who changed an org's setup, what and when, a page at a time."""

from __future__ import annotations

from typing import Any

from frontdesk.features.audit import redact
from tests.harness import RepClient, Server

SITE = "https://www.customer.example"


async def audit_page(admin: RepClient, query: str = "") -> dict[str, Any]:
    status, body = await admin.request("GET", "/api/audit" + query)
    assert status == 200, body
    return body  # type: ignore[no-any-return]


async def test_admin_changes_are_logged_with_who_what_and_when_newest_first(
    server: Server,
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin", name="Ada Admin")
    rep = await server.rep(org, name="Sam Rep")
    status, block = await admin.request("POST", "/api/ip-blocks", {"cidr": "198.51.100.0/24"})
    assert status == 200
    status, _ = await admin.request("PATCH", f"/api/reps/{rep.rep_id}", {"role": "admin"})
    assert status == 200
    status, _ = await admin.request(
        "PUT", "/api/org", {"allowed_origins": [SITE, "https://shop.customer.example"]}
    )
    assert status == 200
    status, _ = await admin.request("DELETE", f"/api/ip-blocks/{block['id']}")
    assert status == 200
    # Refused requests change nothing, so they are not logged.
    status, _ = await admin.request("POST", "/api/ip-blocks", {"cidr": "not an address"})
    assert status == 422

    entries = (await audit_page(admin))["entries"]
    assert [e["action"] for e in entries] == [
        "DELETE /api/ip-blocks/{block_id}",
        "PUT /api/org",
        "PATCH /api/reps/{rep_id}",
        "POST /api/ip-blocks",
    ]
    assert {e["actor_name"] for e in entries} == {"Ada Admin"}
    assert {e["actor_kind"] for e in entries} == {"session"}
    assert entries[0]["target"] == {"block_id": block["id"]}
    assert entries[2]["target"] == {"rep_id": rep.rep_id}
    assert entries[2]["details"] == {"role": "admin"}
    assert entries[3]["details"]["cidr"] == "198.51.100.0/24"
    assert entries[3]["summary"]
    assert all(e["ip"] == "127.0.0.1" and len(e["request_id"]) == 32 for e in entries)
    times = [e["created_at"] for e in entries]
    assert times == sorted(times, reverse=True)


async def test_the_log_is_read_a_page_at_a_time_without_gaps_or_repeats(server: Server) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    for i in range(5):
        status, _ = await admin.request("POST", "/api/ip-blocks", {"cidr": f"198.51.100.{i}/32"})
        assert status == 200
    seen: list[str] = []
    pages = []
    query = "?limit=2"
    while True:
        page = await audit_page(admin, query)
        pages.append(len(page["entries"]))
        seen += [e["details"]["cidr"] for e in page["entries"]]
        if page["next_before"] is None:
            break
        query = f"?limit=2&before={page['next_before']}"
    assert pages == [2, 2, 1]
    assert seen == [f"198.51.100.{i}/32" for i in reversed(range(5))]
    status, body = await admin.request("GET", "/api/audit?limit=500")
    assert status == 422


async def test_only_admins_read_the_log_and_only_their_own_orgs(server: Server) -> None:
    mine, theirs = await server.create_org("Mine"), await server.create_org("Theirs")
    admin = await server.rep(mine, role="admin")
    rep = await server.rep(mine)
    other_admin = await server.rep(theirs, role="admin")
    status, _ = await admin.request("POST", "/api/ip-blocks", {"cidr": "198.51.100.0/24"})
    assert status == 200
    status, _ = await rep.request("GET", "/api/audit")
    assert status == 403
    assert (await audit_page(other_admin))["entries"] == []
    assert len((await audit_page(admin))["entries"]) == 1


async def test_changes_made_with_an_api_token_name_the_token_and_tokens_are_logged(
    server: Server,
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin", name="Ada Admin")
    status, made = await admin.request(
        "POST", "/api/api-tokens", {"name": "CRM sync", "scopes": ["admin"]}
    )
    assert status == 200
    async with server.http().post(
        server.url + "/api/ip-blocks",
        json={"cidr": "203.0.113.0/24"},
        headers={"Authorization": f"Bearer {made['token']}"},
    ) as response:
        assert response.status == 200
    status, _ = await admin.request("POST", f"/api/api-tokens/{made['id']}/revoke")
    assert status == 200
    entries = (await audit_page(admin))["entries"]
    assert [(e["action"], e["actor_kind"]) for e in entries] == [
        ("POST /api/api-tokens/{token_id}/revoke", "session"),
        ("POST /api/ip-blocks", "api_token"),
        ("POST /api/api-tokens", "session"),
    ]
    assert entries[1]["actor_name"] == "Ada Admin (API token CRM sync)"
    assert made["token"] not in str(entries)


async def test_a_rep_blocking_a_visitor_is_logged(server: Server) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    rep = await server.rep(org, name="Sam Rep")
    async with server.visitor(org) as visitor:
        visitor_id = visitor.welcome["visitor_id"]  # type: ignore[index]
        status, _ = await rep.request(
            "POST", f"/api/visitors/{visitor_id}/block", {"report": True, "reason": "spam"}
        )
        assert status == 200
    [entry] = (await audit_page(admin))["entries"]
    assert entry["actor_name"] == "Sam Rep"
    assert entry["target"] == {"visitor_id": visitor_id}
    assert entry["details"] == {"report": True, "reason": "spam"}


def test_secrets_and_passwords_never_reach_the_log() -> None:
    assert redact(
        {
            "name": "Dana",
            "password": "hunter22",
            "nested": [{"webhook_secret": "s", "url": "https://x"}],
            "api_token": "fd_x",
        }
    ) == {
        "name": "Dana",
        "password": "[redacted]",
        "nested": [{"webhook_secret": "[redacted]", "url": "https://x"}],
        "api_token": "[redacted]",
    }
