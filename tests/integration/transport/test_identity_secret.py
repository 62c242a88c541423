"""The identity-verification secret: admins read and rotate it; a rotation refuses hashes made
with the old secret at once, on the widget's identify path (issue 13 item 4)."""

from __future__ import annotations

import pytest

from frontdesk.features.visitors.tokens import identity_hash
from tests.harness import Server

pytestmark = pytest.mark.asyncio

EMAIL = "ada@customer.example"


async def test_an_admin_reads_and_rotates_the_identity_secret_and_a_rep_gets_403(
    server: Server,
) -> None:
    acme = await server.create_org("Acme")
    globex = await server.create_org("Globex")
    admin = await server.rep(acme, role="admin")
    rep = await server.rep(acme, role="rep")

    status, body = await admin.request("GET", "/api/org/identity-secret")
    assert status == 200 and body == {"identity_secret": acme.identity_secret}
    async with admin.http.get(server.url + "/api/org/identity-secret") as response:
        assert response.headers["Cache-Control"] == "no-store"

    for method, path in (
        ("GET", "/api/org/identity-secret"),
        ("POST", "/api/org/identity-secret/rotate"),
    ):
        status, body = await rep.request(method, path)
        assert status == 403 and body["error"]["code"] == "forbidden", (method, path)
    # Rotating is a write: without the CSRF token it is refused like every other.
    status, _ = await admin.request("POST", "/api/org/identity-secret/rotate", csrf=False)
    assert status == 403

    status, rotated = await admin.request("POST", "/api/org/identity-secret/rotate")
    assert status == 200
    new_secret = rotated["identity_secret"]
    assert len(new_secret) >= 32 and new_secret != acme.identity_secret
    status, body = await admin.request("GET", "/api/org/identity-secret")
    assert body == {"identity_secret": new_secret}

    # Another org's secret is neither shown nor changed.
    globex_admin = await server.rep(globex, role="admin")
    status, body = await globex_admin.request("GET", "/api/org/identity-secret")
    assert body == {"identity_secret": globex.identity_secret}


async def test_after_a_rotation_the_old_hash_is_refused_on_the_widget_identify_path(
    server: Server,
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    old_hash = identity_hash(org.identity_secret, EMAIL)

    async with server.visitor(org) as before, server.visitor(org) as open_socket:
        # Before the rotation the old secret's hash verifies.
        await before.send({"type": "identify", "email": EMAIL, "name": "Ada", "hash": old_hash})
        assert (await before.expect("identified"))["identity_status"] == "verified"

        status, rotated = await admin.request("POST", "/api/org/identity-secret/rotate")
        assert status == 200
        new_hash = identity_hash(rotated["identity_secret"], EMAIL)

        # A socket opened before the rotation holds the org it was welcomed with: still refused.
        await open_socket.send(
            {"type": "identify", "email": EMAIL, "name": "Ada", "hash": old_hash}
        )
        assert (await open_socket.expect("error"))["code"] == "identify_rejected"

        # So is a socket opened just after (its hello may reuse a cached org row).
        async with server.visitor(org) as after:
            await after.send({"type": "identify", "email": EMAIL, "name": "Ada", "hash": old_hash})
            assert (await after.expect("error"))["code"] == "identify_rejected"
            await after.send({"type": "identify", "email": EMAIL, "name": "Ada", "hash": new_hash})
            assert (await after.expect("identified"))["identity_status"] == "verified"

        await open_socket.send(
            {"type": "identify", "email": EMAIL, "name": "Ada", "hash": new_hash}
        )
        assert (await open_socket.expect("identified"))["identity_status"] == "verified"
