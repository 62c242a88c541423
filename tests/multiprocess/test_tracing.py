"""OpenTelemetry traces: with an OTLP endpoint configured, a chat message from a visitor on
one process to a rep on another is one trace, from the socket frame through the write, the
commit and the bus to the delivery on the other process; HTTP requests are traced too. The
receiver is a real OTLP/HTTP endpoint (protobuf), started by the test."""

from __future__ import annotations

import asyncio
import gzip
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from tests.harness import Socket
from tests.multiprocess.conftest import Cluster, free_port

pytestmark = pytest.mark.asyncio
SITE = "https://www.customer.example"
PASSWORD = "dana-password"


@dataclass(frozen=True)
class ReceivedSpan:
    process: str  # service.instance.id of the process that sent it
    trace_id: str
    span_id: str
    parent_id: str
    name: str
    attributes: dict[str, str]


class Receiver:
    """An OTLP/HTTP trace receiver: POST /v1/traces with an ExportTraceServiceRequest."""

    def __init__(self) -> None:
        self.spans: list[ReceivedSpan] = []

    async def traces(self, request: web.Request) -> web.Response:
        assert request.content_type == "application/x-protobuf"
        body = await request.read()
        if request.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        export = ExportTraceServiceRequest.FromString(body)
        for resource_spans in export.resource_spans:
            resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    self.spans.append(
                        ReceivedSpan(
                            resource["service.instance.id"],
                            span.trace_id.hex(),
                            span.span_id.hex(),
                            span.parent_span_id.hex(),
                            span.name,
                            {a.key: str(a.value.string_value) for a in span.attributes},
                        )
                    )
        return web.Response(
            body=ExportTraceServiceResponse().SerializeToString(),
            content_type="application/x-protobuf",
        )


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    received = Receiver()
    app = web.Application()
    app.router.add_post("/v1/traces", received.traces)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield received, f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def _spans_of(received: Receiver, found: object, timeout: float = 20.0) -> None:
    """Waits until `found()` is true of the spans received (the SDK sends in batches)."""
    for _ in range(int(timeout / 0.1)):
        if found():  # type: ignore[operator]
            return
        await asyncio.sleep(0.1)


async def test_a_visitor_message_on_one_process_to_a_rep_on_another_is_one_linked_trace(
    cluster: Cluster, receiver: tuple[Receiver, str]
) -> None:
    received, endpoint = receiver
    cluster.env["FRONTDESK_OTLP_ENDPOINT"] = endpoint
    cluster.env["OTEL_BSP_SCHEDULE_DELAY"] = "100"  # milliseconds between batches
    a, b = cluster.start("a"), cluster.start("b")
    process_a = f"{cluster.processes['a'].pid}"
    process_b = f"{cluster.processes['b'].pid}"
    site_key = cluster.run_cli("create-org", "Acme", "--origin", SITE)
    email = f"rep-{uuid.uuid4().hex[:6]}@acme.example"
    cluster.run_cli(
        "create-rep",
        *("--org", site_key, "--email", email, "--name", "Dana"),
        *("--role", "rep", "--password", PASSWORD),
    )
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as rep_http, aiohttp.ClientSession() as v:
        async with rep_http.post(
            b + "/api/auth/login", json={"email": email, "password": PASSWORD}
        ) as response:
            assert response.status == 200
        console = Socket(await rep_http.ws_connect(b.replace("http", "ws") + "/ws/rep", origin=b))
        await console.send({"type": "hello"})
        await console.expect("snapshot")
        visitor = Socket(
            await v.ws_connect(
                a.replace("http", "ws") + f"/ws/visitor?site={site_key}", origin=SITE
            )
        )
        await visitor.send(
            {"type": "hello", "token": None, "page": {"url": SITE + "/", "title": "Home"}}
            | {"resumed": False, "last_seq": 0, "tab_id": "tab"}
        )
        await visitor.expect("welcome", timeout=10)
        # The first message opens the chat (one unit of work); the second, to a chat the
        # visitor already wrote in, takes the group writer: both are traced.
        for client_id in ("v1", "v2"):
            await visitor.send({"type": "message", "client_id": client_id, "body": "Hello"})
            await visitor.expect("ack", client_id=client_id)
            await console.expect("message", timeout=10, message__client_id=client_id)
        await console.ws.close()
        await visitor.ws.close()

    def frame_span(client_id: str) -> ReceivedSpan | None:
        return next(
            (
                s
                for s in received.spans
                if s.name == "visitor frame message"
                and s.attributes.get("frontdesk.client_id") == client_id
            ),
            None,
        )

    def in_trace(span: ReceivedSpan | None) -> list[ReceivedSpan]:
        return [s for s in received.spans if span is not None and s.trace_id == span.trace_id]

    def delivered_on_b(client_id: str) -> bool:
        return any(
            s.name == "bus.deliver" and s.process.endswith(f":{process_b}")
            for s in in_trace(frame_span(client_id))
        )

    await _spans_of(received, lambda: delivered_on_b("v1") and delivered_on_b("v2"))

    for client_id, write in (("v1", "unit_of_work"), ("v2", "conversations.write_group")):
        root = frame_span(client_id)
        assert root is not None, [s.name for s in received.spans]
        assert root.parent_id == "" and root.process.endswith(f":{process_a}")
        trace = {s.span_id: s for s in in_trace(root)}

        def one(name: str, parent: ReceivedSpan, trace: dict[str, ReceivedSpan] = trace) -> Any:
            found = [s for s in trace.values() if s.name == name and s.parent_id == parent.span_id]
            assert len(found) == 1, (name, [(s.name, s.parent_id) for s in trace.values()])
            return found[0]

        written = one(write, root)
        commit = "db.commit" if write == "unit_of_work" else "db.write_and_commit"
        one(commit, written)
        published = one("bus.publish", written)
        assert published.process.endswith(f":{process_a}")
        deliveries = [s for s in trace.values() if s.name == "bus.deliver"]
        on_b = [s for s in deliveries if s.process.endswith(f":{process_b}")]
        # On B: the org topic's delivery to the rep's console, a child of A's publish.
        assert on_b and all(s.parent_id == published.span_id for s in on_b)

    # HTTP requests are spans too, named by their route.
    logins = [s for s in received.spans if s.name == "HTTP POST /api/auth/login"]
    assert logins and logins[0].process.endswith(f":{process_b}")
    assert logins[0].attributes["http.route"] == "/api/auth/login"
