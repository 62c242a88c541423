"""Sign-in limits and the password policy (features/orgs/service.py), through the HTTP API."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from frontdesk.features.orgs.models import RepSession
from tests.conftest import Backend
from tests.harness import PASSWORD, Server, running_server

pytestmark = pytest.mark.asyncio


def _fresh_ip() -> str:
    """A client address no other test uses, so limits counted in a shared Redis do not mix."""
    raw = uuid.uuid4().bytes
    return f"10.{raw[0]}.{raw[1]}.{raw[2] or 1}"


@pytest.fixture
async def proxied(backend: Backend) -> AsyncIterator[Server]:
    """A server behind a trusted proxy on 127.0.0.1, so each test can sign in from its own
    client address (X-Forwarded-For)."""
    async with running_server(
        backend.database_url, backend.bus_url, backend.namespace, trusted_proxies=("127.0.0.0/8",)
    ) as server:
        yield server


async def _sign_in(server: Server, email: str, password: str, ip: str) -> int:
    http = server.http()
    async with http.post(
        server.url + "/api/auth/login",
        json={"email": email, "password": password},
        headers={"X-Forwarded-For": ip},
    ) as response:
        return response.status


async def test_spelling_an_email_with_spaces_or_capitals_does_not_buy_more_guesses(
    backend: Backend,
) -> None:
    # Only the per-email limit is under test here: the per-IP one is set out of reach.
    async with running_server(
        backend.database_url,
        backend.bus_url,
        backend.namespace,
        trusted_proxies=("127.0.0.0/8",),
        login_failures_per_ip="1000/minute",
    ) as server:
        org = await server.create_org()
        email = await server.create_rep(org)
        ip = _fresh_ip()
        limit = server.settings.login_attempts_per_minute
        assert [await _sign_in(server, email, "wrong-password-1", ip) for _ in range(limit)] == [
            401
        ] * limit
        variants = [
            " " + email,
            email + " ",
            "\t" + email,
            email + "\n",
            email.upper(),
            email.replace("@", "\uff20"),  # a full-width at sign, NFKC folds it to "@"
        ]
        for variant in variants:
            assert await _sign_in(server, variant, "wrong-password-1", ip) == 429, repr(variant)
        # The right password does not get through either while the limit holds.
        assert await _sign_in(server, " " + email.upper(), PASSWORD, ip) == 429
        # Another client address is not affected.
        assert await _sign_in(server, " " + email, PASSWORD, _fresh_ip()) == 200


async def test_spraying_one_password_over_many_emails_from_one_ip_is_limited(
    proxied: Server,
) -> None:
    org = await proxied.create_org()
    emails = [await proxied.create_rep(org) for _ in range(3)]
    emails += [f"nobody-{uuid.uuid4().hex[:8]}@example.com" for _ in range(12)]
    sprayer = _fresh_ip()
    statuses = [await _sign_in(proxied, email, "Summer2026!", sprayer) for email in emails]
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429] * 5
    # The rep behind the same address is locked out for now too; another address is not.
    assert await _sign_in(proxied, emails[0], PASSWORD, sprayer) == 429
    assert await _sign_in(proxied, emails[0], PASSWORD, _fresh_ip()) == 200


async def test_a_team_signing_in_from_one_office_address_is_not_limited(proxied: Server) -> None:
    org = await proxied.create_org()
    office = _fresh_ip()
    emails = [await proxied.create_rep(org) for _ in range(12)]
    assert [await _sign_in(proxied, email, PASSWORD, office) for email in emails] == [200] * 12
    assert await _sign_in(proxied, emails[0], "wrong-password-1", office) == 401


async def test_the_session_records_the_client_behind_trusted_proxies_in_any_spelling(
    backend: Backend,
) -> None:
    async with running_server(
        backend.database_url,
        backend.bus_url,
        backend.namespace,
        trusted_proxies=("127.0.0.0/8", "10.0.0.0/8"),
    ) as server:
        org = await server.create_org()
        cases = {
            "203.0.113.9, ::ffff:10.1.2.3": "203.0.113.9",  # an IPv4-mapped proxy address
            "203.0.113.10, 10.1.2.3:5555": "203.0.113.10",  # a proxy that appends its port
            "198.51.100.7:4711": "198.51.100.7",
            "::ffff:198.51.100.8": "198.51.100.8",
            "[2001:db8::5]:443": "2001:db8::5",
        }
        for forwarded, client in cases.items():
            email = await server.create_rep(org)
            http = server.http()
            async with http.post(
                server.url + "/api/auth/login",
                json={"email": email, "password": PASSWORD},
                headers={"X-Forwarded-For": forwarded},
            ) as response:
                assert response.status == 200
                rep_id = (await response.json())["rep"]["id"]
            async with server.runtime.db.read() as session:
                recorded = (
                    await session.execute(select(RepSession.ip).where(RepSession.rep_id == rep_id))
                ).scalar_one()
            assert recorded == client, forwarded


async def test_an_admin_cannot_give_a_rep_a_common_password_or_their_email(
    sqlite_server: Server,
) -> None:
    org = await sqlite_server.create_org()
    admin = await sqlite_server.rep(org, "admin")
    email = f"pat-{uuid.uuid4().hex[:6]}@example.com"
    refused = {
        "password1": "common",
        "Iloveyou1": "common",
        "qwertyuiop": "common",
        "zzzzzzzzzzzz": "different characters",
        email.upper(): "email",
        email.split("@")[0]: "email",
    }
    for password, reason in refused.items():
        status, body = await admin.request(
            "POST", "/api/reps", {"email": email, "name": "Pat", "password": password}
        )
        assert status == 422, password
        assert reason in body["error"]["message"], password
    for password in ("frontdesk-demo", "correct-horse-battery"):
        status, _ = await admin.request(
            "POST",
            "/api/reps",
            {"email": f"{uuid.uuid4().hex[:6]}{email}", "name": "Pat", "password": password},
        )
        assert status == 200, password


async def test_creating_a_rep_does_not_tell_an_admin_that_another_org_uses_the_email(
    server: Server,
) -> None:
    first, second, third = [await server.create_org(name) for name in ("First", "Second", "Third")]
    email = await server.create_rep(first)
    for org, password in ((second, PASSWORD), (third, "another-good-passphrase")):
        admin = await server.rep(org, "admin", available=False)
        status, body = await admin.request(
            "POST", "/api/reps", {"email": email, "name": "Same Person", "password": password}
        )
        assert status == 200, body
        # In the admin's own org the address is taken now, and they are told so.
        status, body = await admin.request(
            "POST", "/api/reps", {"email": email, "name": "Again", "password": password}
        )
        assert status == 409 and "already exists in this org" in body["error"]["message"]

    # Sign-in stays unambiguous: a password that opens one rep signs in to that rep's org ...
    http = server.http()
    async with http.post(
        server.url + "/api/auth/login",
        json={"email": email, "password": "another-good-passphrase"},
    ) as response:
        assert response.status == 200
        assert (await response.json())["org"]["id"] == third.id
    # ... one that opens two asks which org, naming only those two ...
    async with http.post(
        server.url + "/api/auth/login", json={"email": email, "password": PASSWORD}
    ) as response:
        assert response.status == 409
        error = (await response.json())["error"]
        assert error["code"] == "choose_org"
        assert sorted(org["id"] for org in error["details"]["orgs"]) == sorted(
            [first.id, second.id]
        )
        assert "set-cookie" not in {key.lower() for key in response.headers}
    # ... and signs in to the one chosen; an org the password does not open is refused.
    async with http.post(
        server.url + "/api/auth/login",
        json={"email": email, "password": PASSWORD, "org_id": second.id},
    ) as response:
        assert response.status == 200
        assert (await response.json())["org"]["id"] == second.id
    async with http.post(
        server.url + "/api/auth/login",
        json={"email": email, "password": PASSWORD, "org_id": third.id},
    ) as response:
        assert response.status == 401
