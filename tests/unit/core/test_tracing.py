"""Tracing costs nothing when no OTLP endpoint is configured, and the bus header it adds is
stripped by every process, tracing or not."""

from __future__ import annotations

import subprocess
import sys

from frontdesk.bus.base import TopicHandlers
from frontdesk.core import tracing


def test_without_an_endpoint_no_tracer_is_made_or_exported_to_and_spans_do_nothing() -> None:
    # redis-py imports parts of OpenTelemetry itself when they are installed (its own
    # observability hooks, off unless configured); Frontdesk's tracer provider, SDK tracing
    # and exporter are never imported without an endpoint.
    code = (
        "import sys, frontdesk.app\n"
        "from frontdesk.core import tracing\n"
        "assert tracing.configure(tracing.endpoint_from_environment(None)) is False\n"
        "with tracing.span('x') as s: assert s is None\n"
        "assert tracing.with_header(b'{}') == b'{}'\n"
        "print(sorted(m for m in sys.modules\n"
        "    if m.startswith(('opentelemetry.sdk.trace', 'opentelemetry.exporter'))))\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(sys.path)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_standard_variable_is_used_when_frontdesks_own_is_unset(monkeypatch: object) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")
    assert tracing.endpoint_from_environment(None) == "http://collector:4318"
    assert tracing.endpoint_from_environment("http://mine:4318") == "http://mine:4318"
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", " ")
    assert tracing.endpoint_from_environment(None) is None


def test_a_process_that_does_not_trace_strips_the_header_before_its_sockets_see_the_event() -> None:
    assert not tracing.enabled()
    seen: list[bytes] = []
    handlers = TopicHandlers()
    handlers.add("org.1", lambda _topic, data: seen.append(data))
    traceparent = b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    handlers.dispatch("org.1", tracing.HEADER_MARK + traceparent + b"\n" + b'{"type":"x"}')
    handlers.dispatch("org.1", b'{"type":"y"}')
    assert seen == [b'{"type":"x"}', b'{"type":"y"}']
    assert tracing.split_header(b'{"type":"z"}') == (b'{"type":"z"}', None)
