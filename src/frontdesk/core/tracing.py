"""OpenTelemetry traces of a message's path, when an OTLP endpoint is configured.

`FRONTDESK_OTLP_ENDPOINT` (or the standard `OTEL_EXPORTER_OTLP_ENDPOINT`) is the base URL of
an OTLP/HTTP receiver (an OpenTelemetry Collector, Jaeger, Tempo: `http://host:4318`); spans
go to `<endpoint>/v1/traces` as protobuf, in batches, from a background thread (the SDK's
BatchSpanProcessor). Without either variable `configure` imports nothing from OpenTelemetry
(its SDK, exporter and propagator are imported only once an endpoint is set) and every
`span()` is a shared do-nothing context manager: one function call and one test per traced
step.

A chat message's trace: the socket frame that carried it (`visitor frame message`,
`rep frame message`), the write (`conversations.write_group` or `conversations.write`),
its `db.commit`, the `bus.publish` of its events and, on every process that has sockets for
them, `bus.deliver` (handing them to the local sockets). The trace context crosses processes
in a header in front of the event's bytes on the bus (`with_header`, `split_header`), which
the receiving process strips whether or not it traces. HTTP requests get a span each
(`HTTP GET /api/...`, the route's pattern, not the path with its ids).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

# In front of an event's bytes on the bus: RS, the W3C traceparent, LF. Frames are JSON
# objects, so they never start with RS.
HEADER_MARK = b"\x1e"
_NULL: AbstractContextManager[Any] = contextlib.nullcontext()

_tracer: Any = None
_provider: Any = None
_propagator: Any = None


def endpoint_from_environment(configured: str | None = None) -> str | None:
    """FRONTDESK_OTLP_ENDPOINT (as read into Settings), else OTEL_EXPORTER_OTLP_ENDPOINT."""
    value = configured or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or ""
    return value.strip() or None


def configure(endpoint: str | None, *, service_instance: str | None = None) -> bool:
    """Starts exporting spans to `endpoint` (an OTLP/HTTP base URL); True if tracing is on.
    Without an endpoint nothing is imported and tracing stays off."""
    global _tracer, _provider, _propagator
    if not endpoint or _tracer is not None:
        return _tracer is not None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    attributes: dict[str, str] = {"service.name": os.environ.get("OTEL_SERVICE_NAME", "frontdesk")}
    attributes["service.instance.id"] = service_instance or f"{os.uname().nodename}:{os.getpid()}"
    provider = TracerProvider(resource=Resource.create(attributes))
    url = endpoint.rstrip("/")
    if not url.endswith("/v1/traces"):
        url += "/v1/traces"
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=url)))
    _provider = provider
    _tracer = provider.get_tracer("frontdesk")
    _propagator = TraceContextTextMapPropagator()
    return True


def shutdown() -> None:
    """Sends the spans still buffered (server shutdown)."""
    global _tracer, _provider
    if _provider is not None:
        _provider.shutdown()
    _tracer = _provider = None


def enabled() -> bool:
    return _tracer is not None


def span(
    name: str,
    attributes: Mapping[str, Any] | None = None,
    *,
    kind: str = "internal",
    parent: object | None = None,
    links: Sequence[object] = (),
) -> AbstractContextManager[Any]:
    """A span around a step, the current span's child (or `parent`'s, a context from
    `current_context` or `split_header`); `links` are other contexts it also belongs to."""
    if _tracer is None:
        return _NULL
    return _started(name, attributes, kind, parent, links)


@contextlib.contextmanager
def _started(
    name: str,
    attributes: Mapping[str, Any] | None,
    kind: str,
    parent: object | None,
    links: Sequence[object],
) -> Iterator[Any]:
    from opentelemetry import trace

    span_links = [
        trace.Link(context)
        for context in (trace.get_current_span(c).get_span_context() for c in links)  # type: ignore[arg-type]
        if context.is_valid
    ]
    with _tracer.start_as_current_span(
        name,
        context=parent,
        kind=getattr(trace.SpanKind, kind.upper()),
        attributes=dict(attributes or {}),
        links=span_links,
    ) as current:
        yield current


def current_context() -> object | None:
    """The current trace context, to carry to another task (None when tracing is off)."""
    if _tracer is None:
        return None
    from opentelemetry import context

    return context.get_current()


def set_attribute(current: Any, key: str, value: Any) -> None:
    if current is not None:
        current.set_attribute(key, value)


def with_header(data: bytes) -> bytes:
    """The event's bytes with the current span's context in front (tracing on, a span
    current); the bytes as they are otherwise."""
    if _propagator is None:
        return data
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    traceparent = carrier.get("traceparent")
    if not traceparent:
        return data
    return HEADER_MARK + traceparent.encode() + b"\n" + data


def split_header(data: bytes) -> tuple[bytes, object | None]:
    """The event's bytes without the header, and the sender's context (None when this
    process does not trace, or there was no header)."""
    if not data.startswith(HEADER_MARK):
        return data, None
    end = data.find(b"\n")
    if end < 0:
        return data, None
    if _propagator is None:
        return data[end + 1 :], None
    parent = _propagator.extract({"traceparent": data[1:end].decode("ascii", "replace")})
    return data[end + 1 :], parent
