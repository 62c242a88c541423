"""/metrics (Prometheus, behind a bearer token) and request ids in answers and logs."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families

from frontdesk.core.logging import JsonFormatter, request_id
from tests.conftest import Backend
from tests.harness import Server, running_server

METRICS_TOKEN = "metrics-token-" + "m" * 32


@pytest.fixture
async def metered(sqlite_memory_backend: Backend) -> AsyncIterator[Server]:
    b = sqlite_memory_backend
    async with running_server(
        b.database_url,
        b.bus_url,
        b.namespace,
        metrics_token=METRICS_TOKEN,
        trusted_proxies="10.9.8.7",
    ) as server:
        yield server


async def scrape(server: Server) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    async with server.http().get(
        server.url + "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
    ) as response:
        assert response.status == 200
        assert response.content_type == "text/plain"
        text = await response.text()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_need_the_bearer_token_and_are_off_without_one(
    metered: Server, sqlite_memory_backend: Backend
) -> None:
    http = metered.http()
    async with http.get(metered.url + "/metrics") as response:
        assert response.status == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    async with http.get(
        metered.url + "/metrics", headers={"Authorization": "Bearer wrong-" + "x" * 40}
    ) as response:
        assert response.status == 401
    b = sqlite_memory_backend
    async with running_server(b.database_url, b.bus_url, b.namespace) as plain:
        headers = {"Authorization": f"Bearer {METRICS_TOKEN}"}
        async with plain.http().get(plain.url + "/metrics", headers=headers) as response:
            assert response.status == 404


async def test_a_chat_moves_the_message_counters_the_ack_histogram_and_the_socket_gauges(
    metered: Server,
) -> None:
    org = await metered.create_org()
    rep = await metered.rep(org)
    before = await scrape(metered)
    async with metered.visitor(org) as visitor, rep.socket() as console:
        during = await scrape(metered)
        assert (
            value(during, "frontdesk_open_sockets", kind="visitor")
            == value(before, "frontdesk_open_sockets", kind="visitor") + 1
        )
        assert (
            value(during, "frontdesk_open_sockets", kind="rep")
            == value(before, "frontdesk_open_sockets", kind="rep") + 1
        )
        for i in range(3):
            await visitor.send({"type": "message", "client_id": f"v{i}", "body": "Hello"})
            ack = await visitor.expect("ack", client_id=f"v{i}")
        cid = ack["message"]["conversation_id"]
        await console.expect("message", message__client_id="v2")
        await console.send(
            {"type": "message", "conversation_id": cid, "client_id": "r1", "body": "Hi"}
        )
        await console.expect("ack", client_id="r1")
        after = await scrape(metered)
    for author, sent in (("visitor", 3), ("rep", 1)):
        assert (
            value(after, "frontdesk_messages_total", author=author)
            == value(before, "frontdesk_messages_total", author=author) + sent
        )
        assert (
            value(after, "frontdesk_ack_latency_seconds_count", author=author)
            == value(before, "frontdesk_ack_latency_seconds_count", author=author) + sent
        )
    closed = await scrape(metered)
    assert value(closed, "frontdesk_open_sockets", kind="visitor") == value(
        before, "frontdesk_open_sockets", kind="visitor"
    )


async def test_every_series_the_operator_watches_is_exposed(metered: Server) -> None:
    org = await metered.create_org()
    await metered.rep(org)  # an HTTP error and a bus publish or two happen on the way
    async with metered.http().get(metered.url + "/api/me") as response:
        assert response.status == 401
    names = {name for name, _ in await scrape(metered)}
    for series in (
        "frontdesk_open_sockets",
        "frontdesk_messages_total",
        "frontdesk_ack_latency_seconds_bucket",
        "frontdesk_deadline_lag_seconds",
        "frontdesk_bus_publish_seconds_count",
        "frontdesk_bus_receive_lag_seconds",
        "frontdesk_db_pool_connections",
        "frontdesk_webhook_outbox_depth",
        "frontdesk_errors_total",
    ):
        assert series in names, series
    samples = await scrape(metered)
    assert value(samples, "frontdesk_errors_total", kind="http_not_authenticated") >= 1


async def test_every_answer_has_a_request_id_and_an_error_names_it(metered: Server) -> None:
    http = metered.http()
    async with http.get(metered.url + "/api/me") as response:
        assert response.status == 401
        rid = response.headers["X-Request-Id"]
        body = await response.json()
    assert body["error"]["request_id"] == rid
    assert len(rid) == 32
    async with http.get(metered.url + "/healthz") as response:
        other = response.headers["X-Request-Id"]
    assert other != rid


async def test_a_request_id_sent_by_a_client_that_is_not_a_trusted_proxy_is_replaced(
    metered: Server,
) -> None:
    # Only 10.9.8.7 is trusted; this client (127.0.0.1) cannot choose its request id. The
    # nginx test (tests/multiprocess/test_nginx.py) shows the trusted proxy's id kept.
    async with metered.http().get(
        metered.url + "/healthz", headers={"X-Request-Id": "mine-123"}
    ) as response:
        assert response.headers["X-Request-Id"] != "mine-123"


def test_a_log_line_written_while_a_request_is_handled_carries_its_id() -> None:
    record = logging.LogRecord("frontdesk.http", logging.WARNING, "", 0, "slow", (), None)
    token = request_id.set("abc123")
    try:
        line = orjson.loads(JsonFormatter().format(record))
    finally:
        request_id.reset(token)
    assert line["request_id"] == "abc123"
    assert "request_id" not in orjson.loads(JsonFormatter().format(record))


async def test_the_grafana_dashboard_only_charts_series_that_exist(metered: Server) -> None:
    import re
    from pathlib import Path

    dashboard = Path(__file__).resolve().parents[2] / "docs" / "grafana-dashboard.json"
    exprs = [
        target["expr"]
        for panel in orjson.loads(dashboard.read_bytes())["panels"]
        for target in panel["targets"]
    ]
    charted = {name for expr in exprs for name in re.findall(r"frontdesk_[a-z_]+", expr)}
    exposed = {name for name, _ in await scrape(metered)}
    assert charted and charted <= exposed, charted - exposed
