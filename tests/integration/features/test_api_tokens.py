"""Org API tokens: a script reads and writes within its token's scopes and its org only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.conftest import Backend
from tests.harness import OrgInfo, RepClient, Server, running_server


@pytest.fixture
async def limited(sqlite_memory_backend: Backend) -> AsyncIterator[Server]:
    b = sqlite_memory_backend
    async with running_server(
        b.database_url, b.bus_url, b.namespace, api_token_requests="5/minute"
    ) as server:
        yield server


async def make_token(admin: RepClient, *scopes: str, name: str = "CRM sync") -> dict[str, Any]:
    status, body = await admin.request("POST", "/api/api-tokens", {"name": name, "scopes": scopes})
    assert status == 200, body
    return body  # type: ignore[no-any-return]


async def call(
    server: Server, token: str, method: str, path: str, json: Any = None
) -> tuple[int, Any]:
    async with server.http().request(
        method, server.url + path, json=json, headers={"Authorization": f"Bearer {token}"}
    ) as response:
        return response.status, await response.json()


async def test_a_token_is_shown_once_and_stored_only_as_a_hash(server: Server) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    made = await make_token(admin, "read")
    assert made["token"].startswith("fd_") and len(made["token"]) > 40
    assert made["prefix"] == made["token"][:7]
    status, listed = await admin.request("GET", "/api/api-tokens")
    assert status == 200
    [token] = listed["tokens"]
    assert "token" not in token and token["created_by"] and token["last_used_at"] is None
    async with server.runtime.db.read() as session:
        from sqlalchemy import text

        stored = (await session.execute(text("SELECT token_hash FROM api_tokens"))).scalars().all()
    assert made["token"] not in stored and len(stored[0]) == 64


async def test_a_read_token_reads_but_cannot_write_or_administer(server: Server) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    token = (await make_token(admin, "read"))["token"]
    status, body = await call(server, token, "GET", "/api/shortcuts")
    assert status == 200 and body["shortcuts"] == []
    status, body = await call(
        server, token, "POST", "/api/shortcuts", {"name": "hi", "body": "Hello!"}
    )
    assert status == 403 and "'write' scope" in body["error"]["message"]
    status, body = await call(server, token, "GET", "/api/webhooks")
    assert status == 403 and "'admin' scope" in body["error"]["message"]
    status, listed = await admin.request("GET", "/api/api-tokens")
    assert listed["tokens"][0]["last_used_at"] is not None


async def test_write_and_admin_scopes_allow_what_they_name_without_a_csrf_token(
    server: Server,
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    token = (await make_token(admin, "read", "write", "admin"))["token"]
    status, body = await call(
        server, token, "POST", "/api/shortcuts", {"name": "hi", "body": "Hello!", "scope": "org"}
    )
    assert status == 200, body
    status, body = await call(server, token, "POST", "/api/ip-blocks", {"cidr": "198.51.100.0/24"})
    assert status == 200, body
    status, body = await call(server, token, "GET", "/api/blocks")
    assert [b["cidr"] for b in body["ip_blocks"]] == ["198.51.100.0/24"]


async def test_a_token_sees_and_changes_only_its_own_org(server: Server) -> None:
    mine, theirs = await server.create_org("Mine"), await server.create_org("Theirs")
    admin = await server.rep(mine, role="admin")
    other_admin = await server.rep(theirs, role="admin")
    status, _ = await other_admin.request(
        "POST", "/api/shortcuts", {"name": "secret", "body": "Theirs only", "scope": "org"}
    )
    assert status == 200
    status, other_blocks = await other_admin.request(
        "POST", "/api/ip-blocks", {"cidr": "203.0.113.0/24"}
    )
    assert status == 200
    token = (await make_token(admin, "read", "write", "admin"))["token"]
    status, body = await call(server, token, "GET", "/api/shortcuts")
    assert status == 200 and body["shortcuts"] == []
    status, body = await call(server, token, "GET", "/api/blocks")
    assert body["ip_blocks"] == []
    status, body = await call(server, token, "DELETE", f"/api/ip-blocks/{other_blocks['id']}")
    assert status == 404
    _, still = await other_admin.request("GET", "/api/blocks")
    assert [b["cidr"] for b in still["ip_blocks"]] == ["203.0.113.0/24"]


async def test_a_token_cannot_sign_in_change_passwords_or_make_tokens(server: Server) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    token = (await make_token(admin, "read", "write", "admin"))["token"]
    status, body = await call(
        server, token, "POST", "/api/api-tokens", {"name": "x", "scopes": ["admin"]}
    )
    assert status == 403 and "cannot" in body["error"]["message"]
    status, _ = await call(server, token, "GET", "/api/api-tokens")
    assert status == 403
    status, _ = await call(server, token, "POST", "/api/auth/logout")
    assert status == 403


async def test_a_rep_cannot_make_tokens_and_unknown_or_revoked_tokens_are_refused(
    server: Server,
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    rep = await server.rep(org)
    status, _ = await rep.request("POST", "/api/api-tokens", {"name": "x", "scopes": ["read"]})
    assert status == 403
    status, body = await call(server, "fd_" + "x" * 43, "GET", "/api/shortcuts")
    assert status == 401 and body["error"]["message"] == "unknown API token"
    status, _ = await call(server, "not-a-token", "GET", "/api/shortcuts")
    assert status == 401
    made = await make_token(admin, "read")
    status, revoked = await admin.request("POST", f"/api/api-tokens/{made['id']}/revoke")
    assert status == 200 and revoked["revoked_at"] is not None
    status, body = await call(server, made["token"], "GET", "/api/shortcuts")
    assert status == 401 and "revoked" in body["error"]["message"]


async def test_a_token_stops_working_when_its_admin_is_deactivated(server: Server) -> None:
    org = await server.create_org()
    first = await server.rep(org, role="admin")
    second = await server.rep(org, role="admin")
    token = (await make_token(first, "read"))["token"]
    assert (await call(server, token, "GET", "/api/shortcuts"))[0] == 200
    status, _ = await second.request("PATCH", f"/api/reps/{first.rep_id}", {"active": False})
    assert status == 200
    status, body = await call(server, token, "GET", "/api/shortcuts")
    assert status == 401 and "deactivated" in body["error"]["message"]


async def test_a_token_over_its_rate_is_refused_with_429(limited: Server) -> None:
    org: OrgInfo = await limited.create_org()
    admin = await limited.rep(org, role="admin")
    token = (await make_token(admin, "read"))["token"]
    statuses = [(await call(limited, token, "GET", "/api/shortcuts"))[0] for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    other = (await make_token(admin, "read", name="another"))["token"]
    assert (await call(limited, other, "GET", "/api/shortcuts"))[0] == 200, "per token"
