"""create_app(): the one place where the parts are wired together."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import hmac
import logging
import os
import time
import weakref
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, Literal

from aiohttp import web
from sqlalchemy import text

from frontdesk.bus import create_bus
from frontdesk.core import metrics, tracing
from frontdesk.core.clock import Clock, SystemClock
from frontdesk.core.ratelimit import create_rate_limiter
from frontdesk.core.schemas import Closed
from frontdesk.deadlines.service import Sweeper, oldest_due_lag
from frontdesk.features import (
    calls,
    conversations,
    copilot,
    csat,
    experiences,
    files,
    formatting,
    live_stream,
    meetings,
    privacy,
    proactive,
    reports,
    segments,
    staffing,
    telephony,
    webhooks,
)
from frontdesk.features.copilot import GreetingWriter, OpenAICompatibleModel
from frontdesk.features.enrichment import HttpFirmographicsProvider, IpDirectory
from frontdesk.features.experiences import on_offline_email
from frontdesk.features.orgs import REP_STATUS_CHANGED_HOOK, SETTINGS_CHANGED_HOOK
from frontdesk.features.reports import RollupWorker
from frontdesk.live import create_live_state, create_local_rate_limiter
from frontdesk.protocol.openapi import openapi_document
from frontdesk.runtime import Runtime
from frontdesk.settings import Settings
from frontdesk.storage.db import Database
from frontdesk.transport import (  # noqa: F401  (they register routes)
    api_admin,
    api_files,
    api_ops,
    api_reports,
    api_staffing,
    api_telephony,
    api_tools,
)
from frontdesk.transport.api import api
from frontdesk.transport.api_copilot import COPILOT_KEY
from frontdesk.transport.api_email import mount_unsubscribe_pages
from frontdesk.transport.api_files import mount_file_routes
from frontdesk.transport.api_meetings import mount_meeting_pages
from frontdesk.transport.http import (
    RUNTIME_KEY,
    add_security_headers,
    error_middleware,
    json_response,
)
from frontdesk.transport.rep_hub import RepHub
from frontdesk.transport.rep_limits import rep_limits
from frontdesk.transport.sockets import OPEN_SOCKETS_KEY, close_all
from frontdesk.transport.static_assets import mount_static
from frontdesk.transport.visitor_lean import make_runner as make_runner
from frontdesk.transport.visitor_limits import visitor_limits
from frontdesk.transport.visitor_registry import VisitorRegistry
from frontdesk.transport.widget_http import image_proxy_handler, widget_boot, widget_config
from frontdesk.transport.ws_rep import HUB_KEY, rep_socket
from frontdesk.transport.ws_visitor import REGISTRY_KEY, visitor_socket

log = logging.getLogger("frontdesk.app")
STATIC = Path(__file__).parent / "static"
# Short enough for a load balancer's probe (typically 5 s) to get an answer, not a time-out.
READINESS_TIMEOUT = 2.0


class Health(Closed):
    status: Literal["ok"]


class Readiness(Closed):
    status: Literal["ok", "unavailable"]
    # database, bus: "ok", or why not
    checks: dict[str, str]


api.describe("GET", "/healthz", response=Health, summary="Liveness: the process serves requests")
api.describe(
    "GET",
    "/readyz",
    response=Readiness,
    summary="Readiness: the database and the bus answer (503 when not)",
)


async def _database_ready(db: Database) -> None:
    async with db.read() as session:
        await session.execute(text("SELECT 1"))


async def _readiness(name: str, check: Coroutine[Any, Any, None]) -> str:
    """ "ok", or why the dependency is not ready (logged; the reason is shown to the probe)."""
    try:
        async with asyncio.timeout(READINESS_TIMEOUT):
            await check
    except TimeoutError:
        log.warning("readiness: %s did not answer within %s s", name, READINESS_TIMEOUT)
        return f"no answer within {READINESS_TIMEOUT:g} s"
    except Exception as error:
        log.warning("readiness: %s failed: %r", name, error)
        return f"failed: {type(error).__name__}"
    return "ok"


def build_runtime(settings: Settings, clock: Clock | None = None) -> Runtime:
    clock = clock or SystemClock()
    db = Database(settings.database_url)
    runtime = Runtime(
        settings=settings,
        db=db,
        bus=create_bus(settings.bus_url, settings.redis_namespace),
        live=create_live_state(settings.bus_url, clock, settings.redis_namespace),
        rate_limiter=create_rate_limiter(settings.bus_url, settings.redis_namespace),
        local_rate_limiter=create_local_rate_limiter(clock),
        clock=clock,
        sweeper=Sweeper(db, clock, settings.sweeper_interval),
    )
    _wire_features(runtime)
    return runtime


def _wire_features(runtime: Runtime) -> None:
    """Deadline handlers and cross-feature hooks, registered in one visible place."""
    sweeper = runtime.sweeper
    sweeper.register(
        conversations.KIND_INCOMING_TIMEOUT, lambda d: conversations.on_incoming_timeout(runtime, d)
    )
    sweeper.register(conversations.KIND_IDLE_END, lambda d: conversations.on_idle_end(runtime, d))
    sweeper.register(experiences.KIND_REP_WINDOW, lambda d: experiences.on_rep_window(runtime, d))
    sweeper.register(experiences.KIND_OFFLINE_EMAIL, lambda d: on_offline_email(runtime, d))
    hooks = runtime.hooks
    route_for_chat = segments.route_for_chat
    hooks["conversation.inbound_created"].append(
        functools.partial(
            experiences.on_inbound_created,
            segment_experience=segments.experience_of,
            route_for_chat=route_for_chat,
        )
    )
    hooks["conversation.accepted"].append(experiences.on_accepted)
    hooks["conversation.incoming_timed_out"].append(experiences.on_incoming_timed_out)
    hooks["conversation.incoming_timed_out"].append(experiences.on_incoming_timed_out_email)
    sweeper.register(
        experiences.KIND_MISSED_CHAT_EMAIL, lambda d: experiences.on_missed_chat_email(runtime, d)
    )
    hooks["conversation.closed"].append(
        functools.partial(experiences.on_closed, route_for_chat=route_for_chat)
    )
    # Business hours and capacity (features/staffing): a rep at capacity takes no more chats;
    # the queue moves when reps have room; a chat from outside hours starts when they open.
    hooks["conversation.accepting"].append(staffing.check_room_to_accept)
    hooks["conversation.transferring"].append(staffing.check_room_for_transfer)
    hooks[staffing.CAPACITY_CHANGED_HOOK].append(
        functools.partial(experiences.on_capacity_changed, route_for_chat=route_for_chat)
    )
    hooks[REP_STATUS_CHANGED_HOOK].append(
        functools.partial(experiences.on_rep_status_changed, route_for_chat=route_for_chat)
    )
    sweeper.register(
        staffing.KIND_HOURS_REOPEN,
        lambda d: experiences.on_hours_reopen(runtime, d, route_for_chat),
    )
    sweeper.register(
        staffing.KIND_HOLIDAY_FEED_REFRESH, lambda d: staffing.on_holiday_feed_refresh(runtime, d)
    )
    writer = GreetingWriter(
        OpenAICompatibleModel(
            runtime.settings.ai_url,
            runtime.settings.ai_model,
            runtime.settings.ai_api_key,
            runtime.settings.ai_timeout,
        )
        if runtime.settings.ai_url
        else None
    )
    sweeper.register(
        proactive.KIND_INVITATION_EXPIRE, lambda d: proactive.on_invitation_expire(runtime, d)
    )
    sweeper.register(
        proactive.KIND_AUTO_POUNCE, lambda d: proactive.on_auto_pounce(runtime, writer, d)
    )
    sweeper.register(proactive.KIND_NUDGE, lambda d: proactive.on_nudge(runtime, writer, d))
    sweeper.register(proactive.KIND_REP_TIMEOUT, lambda d: proactive.on_rep_timeout(runtime, d))
    hooks["conversation.opening"].append(proactive.on_conversation_opening)
    hooks["conversation.first_visitor_reply"].append(proactive.on_first_visitor_reply)
    hooks["conversation.rep_replied"].append(proactive.on_rep_replied)
    hooks[SETTINGS_CHANGED_HOOK].append(proactive.on_org_settings_changed)
    sweeper.register(calls.KIND_RING, lambda d: calls.on_ring_timeout(runtime, d))
    sweeper.register(calls.KIND_LIVENESS, lambda d: calls.on_liveness(runtime, d))
    sweeper.register(calls.KIND_QUEUE_TIMEOUT, lambda d: calls.on_queue_timeout(runtime, d))
    # A queued call nobody answered: its chat offers the booker or the offline form.
    hooks[calls.QUEUE_MISSED_HOOK].append(
        functools.partial(
            experiences.on_call_queue_missed, segment_experience=segments.experience_of
        )
    )
    # Before the webhook's: a chat that ends ends its call first, so the chat-end payload and
    # its transcript have the call.
    hooks["conversation.closed"].append(calls.on_conversation_closed)
    # A visitor's phone_join may name their browser call (the phone leg's call_id).
    hooks[telephony.CALL_CHECK_HOOK].append(calls.check_call_for_phone)
    # A browser call that ends hangs up the visitor's phone that joined it (by the sweeper).
    hooks[calls.CALL_ENDED_HOOK].append(telephony.on_call_ended)
    sweeper.register(telephony.KIND_HANG_UP, lambda d: telephony.on_hang_up_due(runtime, d))
    sweeper.register(webhooks.KIND_DELIVER, lambda d: webhooks.deliver(runtime, d))
    hooks["conversation.closed"].append(webhooks.on_conversation_closed)
    hooks[csat.RATED_HOOK].append(webhooks.on_conversation_rated)
    sweeper.register(
        meetings.KIND_CALENDAR_REFRESH, lambda d: meetings.on_calendar_refresh(runtime, d)
    )
    sweeper.register(meetings.KIND_MEETING_EMAIL, lambda d: meetings.on_meeting_email(runtime, d))
    # AI Copilot: past rep answers from each ended chat; website pages on a schedule.
    hooks["conversation.closed"].append(copilot.on_conversation_closed)
    sweeper.register(copilot.KIND_WEB_FETCH, lambda d: copilot.on_web_fetch(runtime, d))
    # The bot answers a waiting visitor from the knowledge when nobody can take the chat.
    sweeper.register(copilot.KIND_BOT_ANSWER, lambda d: copilot.on_bot_answer(runtime, d))
    hooks[experiences.NOBODY_AVAILABLE_HOOK].append(copilot.on_nobody_available)
    hooks[conversations.VISITOR_WAITING_HOOK].append(copilot.on_visitor_waiting)
    # Retention: each org's old data deleted in small batches (docs/operations.md).
    sweeper.register(privacy.KIND_RETENTION, lambda d: privacy.on_retention_due(runtime, d))
    # The admins' daily summary email (opt-in), once a day per admin across processes.
    sweeper.register(reports.KIND_DAILY_SUMMARY, lambda d: reports.on_daily_summary(runtime, d))
    hooks[SETTINGS_CHANGED_HOOK].append(privacy.on_org_settings_changed)
    formatting.image_proxy.configure(
        runtime.settings.secret_key, runtime.settings.secret_key_previous
    )
    runtime.ip_directory = IpDirectory.shared(
        runtime.settings.ip_data_dir, cache_dir=runtime.settings.data_dir
    )
    if runtime.settings.enrichment_url:
        runtime.firmographics = HttpFirmographicsProvider(
            runtime.settings.enrichment_url, runtime.settings.enrichment_token
        )


async def _sample_metrics(runtime: Runtime) -> None:
    """What the hot path does not count, sampled every few seconds in each process: the
    database pool, the webhook outbox, the oldest due deadline's lag, the bus's receive lag
    (a probe this process publishes to itself). One failed sample is logged and skipped."""
    probe_topic = f"metrics.probe.{os.getpid()}.{id(runtime)}"

    def on_probe(_topic: str, data: bytes) -> None:
        metrics.BUS_RECEIVE_LAG.set(max(0.0, time.monotonic() - float(data)))

    subscription = await runtime.bus.subscribe(probe_topic, on_probe)
    pool = runtime.db.engine.pool
    try:
        while True:
            try:
                size = pool.size()  # type: ignore[attr-defined]
                in_use = pool.checkedout()  # type: ignore[attr-defined]
                metrics.DB_POOL.labels("size").set(size)
                metrics.DB_POOL.labels("in_use").set(in_use)
                metrics.DB_POOL.labels("idle").set(pool.checkedin())  # type: ignore[attr-defined]
                now = runtime.clock.now()
                metrics.DEADLINE_LAG.set(await oldest_due_lag(runtime.db, now))
                async with runtime.db.read() as session:
                    metrics.WEBHOOK_OUTBOX.set(await webhooks.outbox_depth(session))
                await runtime.bus.publish_echo(probe_topic, str(time.monotonic()).encode())
            except Exception:
                log.warning("sampling metrics failed", exc_info=True)
            await asyncio.sleep(metrics.SAMPLE_INTERVAL)
    finally:
        with contextlib.suppress(Exception):
            await subscription.cancel()


def create_app(
    settings: Settings, clock: Clock | None = None, *, run_sweeper: bool = True
) -> web.Application:
    runtime = build_runtime(settings, clock)
    # Made now: a bad limit setting stops the server before it serves.
    visitor_limits(runtime)
    rep_limits(runtime)
    app = web.Application(
        middlewares=[error_middleware],
        client_max_size=1 << 20,
        # aiohttp closes a connection whose request head is not complete (or that sits idle
        # between keep-alive requests) after keepalive_timeout: that is the header-read
        # timeout against slow or half-open handshakes. Bodies have their own (read_body).
        handler_args={"keepalive_timeout": settings.http_header_timeout},
    )
    app[RUNTIME_KEY] = runtime
    app[COPILOT_KEY] = copilot.Copilot(
        runtime,
        OpenAICompatibleModel(
            settings.ai_url,
            settings.ai_model,
            settings.ai_api_key,
            settings.ai_timeout,
            max_tokens=350,
            temperature=0.2,
        )
        if settings.ai_url
        else None,
    )
    app[HUB_KEY] = RepHub(runtime)
    app[REGISTRY_KEY] = VisitorRegistry(runtime)
    app[OPEN_SOCKETS_KEY] = weakref.WeakSet()
    app.on_shutdown.append(close_all)
    app.on_response_prepare.append(add_security_headers)

    rollup_worker = RollupWorker(runtime.db, runtime.clock.now)

    async def startup(_: web.Application) -> None:
        tracing.configure(tracing.endpoint_from_environment(settings.otlp_endpoint))
        await runtime.db.start_background_checkpoints()
        await runtime.bus.start()
        await runtime.live.start()
        if run_sweeper:
            runtime.sweeper.start()
        if runtime.ip_directory is not None:
            runtime.ip_directory.start_loading()
        if run_sweeper:  # the background jobs run together (tests drive them by hand)
            app[COPILOT_KEY].indexer.start()
            rollup_worker.start()
        # Everything allocated so far lives as long as the process: keep it out of the
        # collector's way so full collections stay short under reconnect storms.
        gc.collect()
        gc.freeze()
        # Sockets and their objects are created after start-up; a full collection walks them
        # all (2.2 s pauses in the reconnect storm benchmark). Full collections ten times
        # rarer than the default keep memory bounded and pauses rare.
        gc.set_threshold(700, 10, 1000)

    async def cleanup(_: web.Application) -> None:
        # Handlers have finished or been cancelled (cli.SHUTDOWN_TIMEOUT): store what the
        # group writer still holds, then stop the rest.
        await conversations.finish_pending_writes(runtime)
        await live_stream.finish_pending_arrivals(runtime)
        await live_stream.finish_pending_page_views(runtime)
        await app[COPILOT_KEY].indexer.stop()
        files.close_image_workers(runtime)
        await rollup_worker.stop()
        await runtime.sweeper.stop()
        await runtime.bus.close()
        await runtime.live.close()
        await runtime.rate_limiter.close()
        await runtime.db.close()
        if tracing.enabled():
            await asyncio.to_thread(tracing.shutdown)  # sends the spans still buffered

    sampler: list[asyncio.Task[None]] = []

    async def start_sampler(_: web.Application) -> None:
        if settings.metrics_token:
            sampler.append(asyncio.ensure_future(_sample_metrics(runtime)))

    async def stop_sampler(_: web.Application) -> None:
        for task in sampler:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app.on_startup.append(startup)
    app.on_startup.append(start_sampler)
    app.on_cleanup.append(stop_sampler)
    app.on_cleanup.append(cleanup)

    async def healthz(_: web.Request) -> web.Response:
        """Liveness: the process serves requests. Checks nothing else on purpose, so a
        database outage does not make an orchestrator restart every healthy process."""
        return json_response(Health(status="ok"))

    async def readyz(_: web.Request) -> web.Response:
        """Readiness: the database answers `SELECT 1` and the bus answers PING (Redis; the
        in-process bus is always ready), each within READINESS_TIMEOUT seconds."""
        checks = {"database": _database_ready(runtime.db), "bus": runtime.bus.ping()}
        results: dict[str, str] = {}
        for name, check in checks.items():
            results[name] = await _readiness(name, check)
        ready = all(result == "ok" for result in results.values())
        return json_response(
            Readiness(status="ok" if ready else "unavailable", checks=results),
            status=200 if ready else 503,
        )

    async def metrics_page(request: web.Request) -> web.Response:
        """Prometheus text format, every worker's values summed (core/metrics.py). Only with
        FRONTDESK_METRICS_TOKEN set, and only for a scraper that sends it as a bearer token."""
        token = settings.metrics_token
        if not token:
            raise web.HTTPNotFound(text="metrics are off: set FRONTDESK_METRICS_TOKEN")
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            raise web.HTTPUnauthorized(
                text="send Authorization: Bearer FRONTDESK_METRICS_TOKEN",
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )
        body, content_type = metrics.render()
        return web.Response(body=body, headers={"Content-Type": content_type})

    async def openapi(_: web.Request) -> web.Response:
        return json_response(openapi_document())

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/openapi.json", openapi)
    app.router.add_get("/metrics", metrics_page)
    app.router.add_get("/ws/visitor", visitor_socket)
    app.router.add_get("/ws/rep", rep_socket)
    app.router.add_get("/widget/config", widget_config)
    app.router.add_get("/widget/boot", widget_boot)
    app.router.add_get(formatting.image_proxy.PROXY_PATH, image_proxy_handler)
    api.mount(app)
    mount_meeting_pages(app)
    mount_unsubscribe_pages(app)
    mount_file_routes(app)
    mount_static(app, STATIC)
    return app
