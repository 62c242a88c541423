"""A Frontdesk server on a real socket, with helpers that talk to it like real clients do."""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import orjson
from aiohttp import web
from aiohttp.test_utils import TestServer
from pydantic import BaseModel, TypeAdapter

from frontdesk.app import create_app, make_runner
from frontdesk.core.clock import Clock, FrozenClock, SystemClock
from frontdesk.features.orgs import service as orgs
from frontdesk.protocol.console_frames import rep_server_frames
from frontdesk.protocol.visitor_frames import visitor_server_frames
from frontdesk.runtime import Runtime
from frontdesk.settings import load_settings
from frontdesk.transport.api import api
from frontdesk.transport.http import RUNTIME_KEY
from tests.support.ports import ReservedPort, server_port

SITE_ORIGIN = "https://www.customer.example"
PASSWORD = "correct-horse-battery"
_counter = itertools.count()


class MovableClock:
    """Real time, plus whatever a test moved it forward by: for browser tests, where the pages'
    own clocks run in real time and a frozen server clock would disagree with them."""

    def __init__(self) -> None:
        self._offset = timedelta()

    def now(self) -> datetime:
        return SystemClock().now() + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += timedelta(seconds=seconds)


@dataclass
class OrgInfo:
    id: str
    site_key: str
    identity_secret: str
    origin: str


@dataclass
class RepClient:
    """A signed-in console: an HTTP session with the cookie, and the CSRF token."""

    harness: Server
    http: aiohttp.ClientSession
    rep_id: str
    csrf: str
    email: str

    async def request(
        self, method: str, path: str, json: Any = None, *, csrf: bool = True
    ) -> tuple[int, Any]:
        headers = {"X-CSRF-Token": self.csrf} if csrf else {}
        async with self.http.request(
            method, self.harness.url + path, json=json, headers=headers
        ) as response:
            body = await response.read()
            data = orjson.loads(body) if body else None
            if 200 <= response.status < 300 and response.content_type == "application/json":
                check_answer(method, path, data)
            return response.status, data

    @asynccontextmanager
    async def socket(self, hello: dict[str, Any] | None = None) -> AsyncIterator[Socket]:
        ws = await self.http.ws_connect(self.harness.ws_url + "/ws/rep", origin=self.harness.url)
        sock = Socket(ws, server_frames=rep_server_frames)
        try:
            await sock.send({"type": "hello", **(hello or {})})
            sock.snapshot = await sock.expect("snapshot")
            yield sock
        finally:
            await ws.close()


def _route_pattern(path: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\{\w+\\}", "[^/]+", re.escape(path)))


# Literal paths first, so /api/segments/order is not read as /api/segments/{segment_id}.
_ROUTES = sorted(api.routes, key=lambda route: route.path.count("{"))


def answer_model(method: str, path: str) -> type[BaseModel]:
    """The model the API declares for this operation's answer (frontdesk.transport.http.Api)."""
    path = path.split("?", 1)[0]
    for route in _ROUTES:
        if route.method == method and _route_pattern(route.path).fullmatch(path):
            return route.response
    raise AssertionError(f"{method} {path} is not in /openapi.json")


def check_answer(method: str, path: str, data: Any) -> None:
    """Every successful answer a test gets must be what /openapi.json says (no field missing,
    none unknown): the generated console types rely on it."""
    answer_model(method, path).model_validate(data)


@dataclass
class Socket:
    ws: aiohttp.ClientWebSocketResponse
    # Every frame received is checked against the socket's frame models (frontdesk/protocol/).
    server_frames: TypeAdapter[Any] | None = None
    received: list[dict[str, Any]] = field(default_factory=list)
    unread: list[dict[str, Any]] = field(default_factory=list)
    snapshot: dict[str, Any] | None = None
    welcome: dict[str, Any] | None = None

    async def send(self, frame: dict[str, Any] | str) -> None:
        await self.ws.send_str(frame if isinstance(frame, str) else orjson.dumps(frame).decode())

    async def next_frame(self, timeout: float = 5.0) -> dict[str, Any]:
        msg = await self.ws.receive(timeout=timeout)
        if msg.type != aiohttp.WSMsgType.TEXT:
            raise ConnectionError(f"socket closed: {msg.type} {self.ws.close_code}")
        frame: dict[str, Any] = orjson.loads(msg.data)
        if self.server_frames is not None:
            self.server_frames.validate_python(frame)
        self.received.append(frame)
        return frame

    async def expect(self, type_: str, timeout: float = 5.0, **match: Any) -> dict[str, Any]:
        """The first frame of this type (and matching fields) not yet taken by an earlier
        expect, waiting for it if needed. Batches are opened; frames that arrived while waiting
        for something else stay available."""

        def take(frame: dict[str, Any]) -> dict[str, Any] | None:
            candidates = (
                frame["events"] if frame["type"] == "batch" and type_ != "batch" else [frame]
            )
            for candidate in candidates:
                if candidate.get("type") == type_ and all(
                    _get(candidate, k) == v for k, v in match.items()
                ):
                    return candidate
            return None

        for index, frame in enumerate(self.unread):
            found = take(frame)
            if found is not None:
                del self.unread[index]
                return found
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(
                    f"no {type_} frame matching {match}; got {[f.get('type') for f in self.received[-10:]]}"
                )
            frame = await self.next_frame(remaining)
            found = take(frame)
            if found is not None:
                return found
            self.unread.append(frame)

    async def closed_code(self, timeout: float = 5.0) -> int | None:
        while True:
            msg = await self.ws.receive(timeout=timeout)
            if msg.type in (
                aiohttp.WSMsgType.CLOSE,
                aiohttp.WSMsgType.CLOSED,
                aiohttp.WSMsgType.CLOSING,
            ):
                return self.ws.close_code


def _get(frame: dict[str, Any], dotted: str) -> Any:
    value: Any = frame
    for part in dotted.split("__"):
        value = value.get(part) if isinstance(value, dict) else None
    return value


class _TestServer(TestServer):
    """aiohttp's TestServer with the runner `frontdesk serve` uses (make_runner)."""

    async def _make_runner(self, **kwargs: Any) -> web.AppRunner:
        return make_runner(self.app, **kwargs)


class Server:
    def __init__(
        self,
        database_url: str,
        bus_url: str,
        namespace: str,
        *,
        frozen: bool = True,
        clock: Clock | None = None,
        port: int | ReservedPort | None = None,
        **overrides: Any,
    ) -> None:
        """`clock`: the server's clock; unset, a FrozenClock at the real time (`frozen`) or
        the system's."""
        # The whole suite may run on either visitor socket server (transport/visitor_lean.py;
        # unset: the setting's default).
        if "visitor_socket_server" not in overrides and (
            chosen := os.environ.get("FRONTDESK_TEST_VISITOR_SOCKET_SERVER")
        ):
            overrides["visitor_socket_server"] = chosen
        self.settings = load_settings(
            {},
            environment="test",
            database_url=database_url,
            bus_url=bus_url,
            redis_namespace=namespace,
            secret_key=overrides.pop("secret_key", "test-secret-" + "x" * 32),
            rep_batch_interval=0.05,
            log_format="text",
            smtp_url=os.environ.get("FRONTDESK_TEST_SMTP_URL"),
            **overrides,
        )
        self.clock: Clock = clock or (FrozenClock(SystemClock().now()) if frozen else SystemClock())
        self.app: web.Application = create_app(self.settings, self.clock, run_sweeper=False)
        self.runtime: Runtime = self.app[RUNTIME_KEY]
        # `port`: a port chosen beforehand, for a server that must know its own public URL.
        self.server = _TestServer(self.app, host="127.0.0.1", **server_port(port))  # type: ignore[arg-type]
        self.sessions: list[aiohttp.ClientSession] = []

    async def start(self) -> None:
        await self.server.start_server()

    async def stop(self) -> None:
        for session in self.sessions:
            await session.close()
        await self.server.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.server.port}"

    def http(self) -> aiohttp.ClientSession:
        session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.sessions.append(session)
        return session

    async def create_org(
        self, name: str = "Acme", origins: tuple[str, ...] = (SITE_ORIGIN,)
    ) -> OrgInfo:
        async with self.runtime.db.transaction() as session:
            org = await orgs.create_org(
                session, self.runtime, f"{name} {next(_counter)}", list(origins)
            )
        return OrgInfo(org.id, org.site_key, org.identity_secret, origins[0])

    async def create_rep(self, org: OrgInfo, role: str = "rep", name: str | None = None) -> str:
        email = f"{role}-{uuid.uuid4().hex[:8]}@example.com"
        async with self.runtime.db.transaction() as session:
            await orgs.create_rep(
                session,
                self.runtime,
                org_id=org.id,
                email=email,
                name=name or f"{role.title()} {email[:8]}",
                role=role,
                password=PASSWORD,
            )  # type: ignore[arg-type]
        return email

    async def sign_in(self, email: str) -> RepClient:
        http = self.http()
        async with http.post(
            self.url + "/api/auth/login", json={"email": email, "password": PASSWORD}
        ) as response:
            assert response.status == 200, await response.text()
            body = await response.json()
        return RepClient(self, http, body["rep"]["id"], body["csrf_token"], email)

    async def rep(
        self, org: OrgInfo, role: str = "rep", name: str | None = None, *, available: bool = True
    ) -> RepClient:
        """A signed-in rep; at work (Available) unless told otherwise."""
        client = await self.sign_in(await self.create_rep(org, role, name))
        if available:
            status, _ = await client.request(
                "PATCH", "/api/me/status", {"availability": "available"}
            )
            assert status == 200
        return client

    @asynccontextmanager
    async def visitor(
        self,
        org: OrgInfo,
        *,
        token: str | None = None,
        url: str = SITE_ORIGIN + "/",
        title: str = "Home",
        og_image: str | None = None,
        last_seq: int = 0,
        resumed: bool = False,
        origin: str | None = None,
        headers: dict[str, str] | None = None,
        language: str | None = None,
    ) -> AsyncIterator[Socket]:
        http = self.http()
        ws = await http.ws_connect(
            f"{self.ws_url}/ws/visitor?site={org.site_key}",
            origin=origin or org.origin,
            headers=headers,
        )
        sock = Socket(ws, server_frames=visitor_server_frames)
        try:
            await sock.send(
                {
                    "type": "hello",
                    "token": token,
                    "page": {"url": url, "title": title, "referrer": None}
                    | ({"og_image": og_image} if og_image else {}),
                    "resumed": resumed,
                    "last_seq": last_seq,
                    "tab_id": uuid.uuid4().hex,
                }
                | ({"language": language} if language else {})
            )
            sock.welcome = await sock.expect("welcome")
            yield sock
        finally:
            await ws.close()


@asynccontextmanager
async def running_server(
    database_url: str, bus_url: str, namespace: str, *, frozen: bool = True, **overrides: Any
) -> AsyncIterator[Server]:
    server = Server(database_url, bus_url, namespace, frozen=frozen, **overrides)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
