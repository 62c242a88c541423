"""HTTP hardening: HTTPS behind proxies, security headers, sign-in CSRF, bounded and required
input, and slow clients (transport/http.py)."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import orjson
import pytest

from frontdesk.transport import api_admin, api_reports, api_tools  # noqa: F401  (they register routes)
from frontdesk.transport.api import api
from tests.conftest import Backend
from tests.harness import PASSWORD, Server, running_server

pytestmark = pytest.mark.asyncio

HUGE = "9223372036854775808"  # 2**63: one past the largest 64-bit integer
FAKE_ID = "0" * 32


async def _login(
    server: Server, email: str, headers: dict[str, str] | None = None
) -> aiohttp.ClientResponse:
    http = server.http()
    async with http.post(
        server.url + "/api/auth/login",
        json={"email": email, "password": PASSWORD},
        headers=headers or {},
    ) as response:
        await response.read()
        return response


def _session_cookie(response: aiohttp.ClientResponse) -> str:
    return next(
        value for value in response.headers.getall("Set-Cookie", []) if "fd_session=" in value
    )


# ---- HTTPS: Secure cookies and HSTS --------------------------------------------------------


@pytest.fixture
async def behind_proxy(sqlite_memory_backend: Backend) -> AsyncIterator[Server]:
    async with running_server(
        sqlite_memory_backend.database_url, "memory://", "unused", trusted_proxies=("127.0.0.1",)
    ) as server:
        yield server


async def test_behind_a_trusted_https_proxy_the_session_cookie_is_secure_and_hsts_is_sent(
    behind_proxy: Server,
) -> None:
    org = await behind_proxy.create_org()
    email = await behind_proxy.create_rep(org)
    response = await _login(behind_proxy, email, {"X-Forwarded-Proto": "https"})
    assert response.status == 200
    assert "Secure" in _session_cookie(response)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    # The same proxy forwarding plain HTTP: neither.
    response = await _login(behind_proxy, email, {"X-Forwarded-Proto": "http"})
    assert "Secure" not in _session_cookie(response)
    assert "Strict-Transport-Security" not in response.headers


async def test_an_untrusted_peer_claiming_https_gets_no_secure_cookie_and_no_hsts(
    sqlite_server: Server,
) -> None:
    org = await sqlite_server.create_org()
    email = await sqlite_server.create_rep(org)
    response = await _login(sqlite_server, email, {"X-Forwarded-Proto": "https"})
    assert response.status == 200
    assert "Secure" not in _session_cookie(response)
    assert "Strict-Transport-Security" not in response.headers


async def test_an_https_public_url_makes_the_session_cookie_secure(
    sqlite_memory_backend: Backend,
) -> None:
    async with running_server(
        sqlite_memory_backend.database_url,
        "memory://",
        "unused",
        public_url="https://frontdesk.example.com",
    ) as server:
        org = await server.create_org()
        response = await _login(server, await server.create_rep(org))
        assert response.status == 200
        assert "Secure" in _session_cookie(response)


# ---- security headers -----------------------------------------------------------------------


async def test_console_pages_carry_a_strict_csp_and_refuse_framing(sqlite_server: Server) -> None:
    http = sqlite_server.http()
    for path in ("/", "/login", "/app", "/app/inbox/active"):
        async with http.get(sqlite_server.url + path) as response:
            assert response.status == 200, path
            headers = response.headers
            csp = headers["Content-Security-Policy"]
            directives = dict(
                [*part.split(" ", 1), ""][:2] for part in csp.split("; ") if part.strip()
            )
            assert directives["script-src"] == "'self'", path
            assert "unsafe" not in csp
            assert directives["frame-ancestors"] == "'none'"
            assert directives["object-src"] == "'none'"
            # Our own socket, and Twilio's Voice SDK (a visitor's phone joining a browser call).
            assert directives["connect-src"] == (
                f"'self' {sqlite_server.ws_url} wss://*.twilio.com https://eventgw.twilio.com "
                "https://sdk.twilio.com"
            )
            assert headers["X-Frame-Options"] == "DENY"
            assert headers["X-Content-Type-Options"] == "nosniff"
            assert headers["Referrer-Policy"] == "same-origin"


async def test_every_api_answer_is_nosniff_including_errors(sqlite_server: Server) -> None:
    http = sqlite_server.http()
    for path, status in (
        ("/api/me", 401),
        ("/api/nope", 404),
        ("/openapi.json", 200),
        ("/healthz", 200),
    ):
        async with http.get(sqlite_server.url + path) as response:
            assert response.status == status, path
            assert response.headers["X-Content-Type-Options"] == "nosniff", path
            assert (
                response.headers["Content-Security-Policy"]
                == "default-src 'none'; frame-ancestors 'none'"
            )
            assert response.headers["Referrer-Policy"] == "no-referrer"


async def test_the_widget_scripts_stay_loadable_from_any_website(sqlite_server: Server) -> None:
    http = sqlite_server.http()
    for path in ("/widget.js", "/messenger.js"):
        async with http.get(
            sqlite_server.url + path, headers={"Origin": "https://www.customer.example"}
        ) as response:
            assert response.status == 200
            assert response.headers["Access-Control-Allow-Origin"] == "*"
            # RFC 9239: text/javascript is the one JavaScript type.
            assert response.headers["Content-Type"].startswith("text/javascript")
            assert "Content-Security-Policy" not in response.headers
            assert "X-Frame-Options" not in response.headers


# ---- sign-in CSRF -------------------------------------------------------------------------


async def test_a_foreign_page_cannot_sign_a_browser_in(sqlite_server: Server) -> None:
    org = await sqlite_server.create_org()
    email = await sqlite_server.create_rep(org)
    body = orjson.dumps({"email": email, "password": PASSWORD})
    http = sqlite_server.http()
    attempts = [
        # What a hidden form on another site can send without asking (no CORS preflight).
        ({"Content-Type": "text/plain", "Origin": "https://evil.example"}, 403),
        ({"Content-Type": "application/x-www-form-urlencoded"}, 415),
        ({"Content-Type": "text/plain"}, 415),
        ({"Content-Type": "application/json", "Origin": "https://evil.example"}, 403),
        ({"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"}, 403),
    ]
    for headers, status in attempts:
        async with http.post(
            sqlite_server.url + "/api/auth/login", data=body, headers=headers
        ) as response:
            assert response.status == status, headers
            assert "fd_session" not in response.headers.get("Set-Cookie", ""), headers
            assert (await response.json())["error"]["message"]
    # The console's own page (same Origin) and clients that are not browsers (no Origin) may.
    for headers in (
        {"Content-Type": "application/json", "Origin": sqlite_server.url},
        {"Content-Type": "application/json", "Sec-Fetch-Site": "same-origin"},
        {"Content-Type": "application/json"},
    ):
        async with http.post(
            sqlite_server.url + "/api/auth/login", data=body, headers=headers
        ) as response:
            assert response.status == 200, headers
            assert "fd_session=" in response.headers["Set-Cookie"]


# ---- bounded integers, required bodies ------------------------------------------------------


def _integer_query_params() -> list[tuple[str, str, str]]:
    found = []
    for route in api.routes:
        if route.query is None:
            continue
        for name, schema in route.query.model_json_schema().get("properties", {}).items():
            kinds = [schema.get("type")] + [
                option.get("type") for option in schema.get("anyOf", [])
            ]
            if "integer" in kinds:
                found.append((route.method, route.path, name))
    return found


INTEGER_QUERY_PARAMS = _integer_query_params()


async def test_the_routes_with_integer_query_parameters_are_found() -> None:
    assert ("GET", "/api/accounts", "offset") in INTEGER_QUERY_PARAMS
    assert ("GET", "/api/accounts", "limit") in INTEGER_QUERY_PARAMS


def _integers_without_a_maximum(schema: Any, where: str) -> list[str]:
    missing = []
    if isinstance(schema, dict):
        if schema.get("type") == "integer" and "maximum" not in schema:
            missing.append(where)
        for key, value in schema.items():
            missing += _integers_without_a_maximum(value, f"{where}.{key}")
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            missing += _integers_without_a_maximum(value, f"{where}[{index}]")
    return missing


async def test_every_integer_a_client_sends_has_a_maximum_in_the_api_description() -> None:
    missing = []
    for route in api.routes:
        for model in (route.query, route.body):
            if model is not None:
                missing += _integers_without_a_maximum(
                    model.model_json_schema(), f"{route.method} {route.path} {model.__name__}"
                )
    assert missing == []


@pytest.mark.parametrize(("method", "path", "param"), INTEGER_QUERY_PARAMS)
async def test_an_out_of_range_integer_query_parameter_is_a_422(
    server: Server, method: str, path: str, param: str
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, "admin", available=False)
    url = re.sub(r"{\w+}", FAKE_ID, path)
    for value in (HUGE, "-" + HUGE):
        status, body = await admin.request(method, f"{url}?{param}={value}")
        assert status == 422, (path, param, value, body)
        assert param in body["error"]["message"]


def _routes_with_a_required_body() -> list[tuple[str, str]]:
    return [
        (method.upper(), path)
        for path, operations in api.openapi()["paths"].items()
        for method, operation in operations.items()
        if operation.get("requestBody", {}).get("required")
    ]


@pytest.mark.parametrize(("method", "path"), _routes_with_a_required_body())
async def test_an_operation_that_needs_a_body_refuses_an_empty_one(
    sqlite_server: Server, method: str, path: str
) -> None:
    org = await sqlite_server.create_org()
    admin = await sqlite_server.rep(org, "admin", available=False)
    url = sqlite_server.url + re.sub(r"{\w+}", FAKE_ID, path)
    for body in (b"", b"  \n"):
        async with admin.http.request(
            method,
            url,
            data=body,
            headers={"X-CSRF-Token": admin.csrf, "Content-Type": "application/json"},
        ) as response:
            assert response.status == 422, (method, path)
            assert "needs a JSON body" in (await response.json())["error"]["message"]


# ---- slow clients -----------------------------------------------------------------------------


@pytest.fixture
async def impatient(sqlite_memory_backend: Backend) -> AsyncIterator[Server]:
    async with running_server(
        sqlite_memory_backend.database_url,
        "memory://",
        "unused",
        http_header_timeout=1.0,
        http_body_timeout=1.0,
    ) as server:
        yield server


async def test_a_client_that_never_finishes_its_request_head_is_disconnected(
    impatient: Server,
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", impatient.server.port)
    try:
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        await writer.drain()
        started = asyncio.get_running_loop().time()

        async def trickle() -> None:
            # A byte now and then does not buy more time (slowloris).
            with contextlib.suppress(ConnectionError):
                while True:
                    await asyncio.sleep(0.2)
                    writer.write(b"x")
                    await writer.drain()

        trickling = asyncio.create_task(trickle())
        try:
            # The server closes the connection: the read ends (empty) instead of timing out.
            assert await asyncio.wait_for(reader.read(), timeout=10) == b""
        finally:
            trickling.cancel()
        assert asyncio.get_running_loop().time() - started < 5
    finally:
        writer.close()


async def test_a_client_that_trickles_its_body_gets_a_408(impatient: Server) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", impatient.server.port)
    try:
        writer.write(
            b"POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"email": '
        )
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
        assert head.startswith(b"HTTP/1.1 408"), head[:100]
        length = int(re.search(rb"Content-Length: (\d+)", head, re.IGNORECASE)[1])  # type: ignore[index]
        assert b"too long to arrive" in await reader.readexactly(length)
    finally:
        writer.close()
