"""Prometheus metrics (prometheus-client), served at /metrics (docs/operations.md, Metrics).

The hot path only increments: a counter or a histogram bucket per chat message, a gauge per
socket opened or closed. What needs a query (the database pool, the webhook outbox, how late
the oldest due deadline is, the bus's round trip) is sampled every SAMPLE_INTERVAL seconds by
one background task per process (app.py), never per request.

With `frontdesk serve --workers N` the supervisor sets PROMETHEUS_MULTIPROC_DIR before the
workers start (prometheus-client reads it when it is imported): each worker writes its values
to files there, and whichever worker answers /metrics sums them (gauges as their
`multiprocess_mode` says). Without it, values live in this process only.
"""

from __future__ import annotations

import os
from contextlib import suppress

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

SAMPLE_INTERVAL = 5.0

OPEN_SOCKETS = Gauge(
    "frontdesk_open_sockets",
    "Open WebSockets, by kind (visitor, rep)",
    ["kind"],
    multiprocess_mode="livesum",
)
MESSAGES = Counter(
    "frontdesk_messages",
    "Chat messages stored and acknowledged, by author kind (visitor, rep); rate() gives "
    "messages per second",
    ["author"],
)
ACK_LATENCY = Histogram(
    "frontdesk_ack_latency_seconds",
    "From a chat message frame's arrival to its acknowledgement being queued, by author kind",
    ["author"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
DEADLINE_LAG = Gauge(
    "frontdesk_deadline_lag_seconds",
    "How long the oldest due deadline (timer) has been waiting to fire; 0 when none is due",
    multiprocess_mode="livemostrecent",
)
BUS_PUBLISH = Histogram(
    "frontdesk_bus_publish_seconds",
    "Time to hand a batch of stored events to the bus (Redis PUBLISH)",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
)
BUS_RECEIVE_LAG = Gauge(
    "frontdesk_bus_receive_lag_seconds",
    "Publish-to-receive time of the latest probe event this process sent itself over the bus",
    multiprocess_mode="livemax",
)
DB_POOL = Gauge(
    "frontdesk_db_pool_connections",
    "Database connections by state (in_use, idle, size: the pool's configured size)",
    ["state"],
    multiprocess_mode="livesum",
)
for _state in ("in_use", "idle", "size"):
    DB_POOL.labels(_state)  # exposed (as 0) before the first sample
WEBHOOK_OUTBOX = Gauge(
    "frontdesk_webhook_outbox_depth",
    "Webhook deliveries waiting to be sent (status pending)",
    multiprocess_mode="livemostrecent",
)
ERRORS = Counter(
    "frontdesk_errors",
    "Errors by kind: HTTP answers by error code (http_internal, http_unavailable, ...), "
    "WebSocket frames and sockets that failed (ws_frame, ws_socket), bus publishes that "
    "failed (bus_publish), deadline handlers that failed (deadline)",
    ["kind"],
)


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def render() -> tuple[bytes, str]:
    """The exposition text and its content type: this process's values, or every worker's
    summed when running under `--workers` (multi-process mode)."""
    directory = multiprocess_dir()
    if directory is None:
        return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
    return generate_latest(registry), CONTENT_TYPE_LATEST


def count_error(kind: str) -> None:
    with suppress(Exception):  # a metric must never turn into the error it counts
        ERRORS.labels(kind).inc()
