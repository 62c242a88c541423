"""Chat-end webhooks as Standard Webhooks: an outbox row per endpoint in the same transaction
as the conversation's end, delivered by a durable deadline, retried with backoff under the
same event id, and an endpoint that answers 410 Gone is disabled."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import orjson
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.core.errors import NotFound, ValidationFailed
from frontdesk.core.ids import new_id
from frontdesk.deadlines import service as deadlines
from frontdesk.deadlines.service import DueDeadline
from frontdesk.features import calls, conversations, csat, meetings
from frontdesk.features.accounts.models import Account
from frontdesk.features.conversations.models import Conversation
from frontdesk.features.orgs import Authenticated
from frontdesk.features.orgs.models import Rep
from frontdesk.features.visitors import latest_visit
from frontdesk.features.visitors.models import Visitor
from frontdesk.features.webhooks.models import WebhookDelivery, WebhookEndpoint
from frontdesk.features.webhooks.schemas import DeliveryOut, NewWebhookEndpoint, WebhookEndpointOut
from frontdesk.outbound import (
    BlockedAddress,
    PublicOnlyResolver,
    guarded_session,
    literal_address_refused,
)
from frontdesk.runtime import Runtime, UnitOfWork

log = logging.getLogger("frontdesk.webhooks")

KIND_DELIVER = "webhook.deliver"
# Seconds to wait before each retry; after the last one the delivery is given up.
BACKOFF = (5, 30, 120, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600)
EVENT_TYPE = "conversation.ended"
# The visitor rated the chat after it ended (features/csat): the same payload, `csat` filled.
RATED_EVENT_TYPE = "conversation.rated"


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def sign(secret: str, event_id: str, timestamp: int, body: bytes) -> str:
    """The webhook-signature header value: "v1,<base64 HMAC-SHA256 of id.timestamp.body>"."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{event_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


async def validate_target(url: str, allow_private: bool) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValidationFailed("a webhook URL must be an http(s) URL")
    if literal_address_refused(parts.hostname, allow_private):
        raise ValidationFailed(
            f"{parts.hostname} is a private or loopback address; webhooks go to public addresses only"
        )
    if not allow_private:
        resolver = PublicOnlyResolver(False)
        try:
            await resolver.resolve(parts.hostname, parts.port or 443)
        except BlockedAddress as exc:
            raise ValidationFailed(str(exc)) from None
        except OSError:
            raise ValidationFailed(f"{parts.hostname} does not resolve") from None
        finally:
            await resolver.close()
    return url.strip()


def endpoint_out(endpoint: WebhookEndpoint) -> WebhookEndpointOut:
    return WebhookEndpointOut(
        id=endpoint.id,
        url=endpoint.url,
        description=endpoint.description,
        enabled=endpoint.enabled,
        disabled_reason=endpoint.disabled_reason,
        created_at=endpoint.created_at.isoformat(),
    )


def new_endpoint_out(endpoint: WebhookEndpoint) -> NewWebhookEndpoint:
    """The endpoint with its signing secret: only in the answer that created it."""
    return NewWebhookEndpoint(**endpoint_out(endpoint).model_dump(), secret=endpoint.secret)


def delivery_out(delivery: WebhookDelivery) -> DeliveryOut:
    return DeliveryOut(
        id=delivery.id,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        status=delivery.status,
        attempts=delivery.attempts,
        last_status=delivery.last_status,
        last_error=delivery.last_error,
        next_attempt_at=delivery.next_attempt_at.isoformat() if delivery.next_attempt_at else None,
        created_at=delivery.created_at.isoformat(),
        delivered_at=delivery.delivered_at.isoformat() if delivery.delivered_at else None,
    )


async def get_endpoint(
    session: AsyncSession, actor: Authenticated, endpoint_id: str
) -> WebhookEndpoint:
    endpoint = await session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.org_id != actor.org_id:
        raise NotFound("webhook endpoint not found")
    return endpoint


async def list_endpoints(session: AsyncSession, org_id: str) -> list[WebhookEndpointOut]:
    rows = await session.execute(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.org_id == org_id)
        .order_by(WebhookEndpoint.created_at)
    )
    return [endpoint_out(e) for e in rows.scalars()]


async def create_endpoint(
    session: AsyncSession, org_id: str, url: str, description: str | None, now: datetime
) -> NewWebhookEndpoint:
    """A new endpoint for a checked `url` (validate_target), with its signing secret."""
    endpoint = WebhookEndpoint(
        id=new_id(),
        org_id=org_id,
        url=url,
        secret=new_secret(),
        description=description,
        enabled=True,
        created_at=now,
    )
    session.add(endpoint)
    return new_endpoint_out(endpoint)


async def update_endpoint(
    session: AsyncSession,
    actor: Authenticated,
    endpoint_id: str,
    *,
    url: str | None,
    description: str | None,
    enabled: bool | None,
) -> WebhookEndpointOut:
    """Change what is given (None: unchanged); `url` checked by validate_target already."""
    endpoint = await get_endpoint(session, actor, endpoint_id)
    if url:
        endpoint.url = url
    if description is not None:
        endpoint.description = description
    if enabled is not None:
        endpoint.enabled = enabled
        endpoint.disabled_reason = None if enabled else "disabled by an admin"
    return endpoint_out(endpoint)


async def delete_endpoint(session: AsyncSession, actor: Authenticated, endpoint_id: str) -> None:
    await session.delete(await get_endpoint(session, actor, endpoint_id))


async def recent_deliveries(
    session: AsyncSession, actor: Authenticated, endpoint_id: str
) -> list[DeliveryOut]:
    """The endpoint's last 100 deliveries, newest first."""
    endpoint = await get_endpoint(session, actor, endpoint_id)
    rows = await session.execute(
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id)
        .order_by(WebhookDelivery.created_at.desc())
        .limit(100)
    )
    return [delivery_out(d) for d in rows.scalars()]


async def chat_end_payload(
    work: UnitOfWork, conversation: Conversation, event_type: str = EVENT_TYPE
) -> dict[str, Any]:
    session = work.session
    visitor = await session.get(Visitor, conversation.visitor_id)
    visit = await latest_visit(session, conversation.visitor_id)
    account = await session.get(Account, visit.account_id) if visit and visit.account_id else None
    rep = await session.get(Rep, conversation.owner_rep_id) if conversation.owner_rep_id else None
    transcript = await conversations.messages_after(
        session, conversation, 0, include_internal=False, limit=10_000
    )
    summary = await conversations.summary(session, conversation)
    call_list = (await calls.calls_of_conversations(session, [conversation.id])).get(
        conversation.id, []
    )
    return {
        "type": event_type,
        "timestamp": work.now_clock.now().isoformat(),
        "data": {
            "conversation": {
                "id": conversation.id,
                "status": conversation.status,
                "origin": conversation.origin,
                "created_at": conversation.created_at.isoformat(),
                "accepted_at": conversation.accepted_at.isoformat()
                if conversation.accepted_at
                else None,
                "ended_at": conversation.ended_at.isoformat() if conversation.ended_at else None,
                "ended_reason": conversation.ended_reason,
                "classification": summary.classification.model_dump(mode="json"),
                # The visitor's rating: null when the chat ends (they rate it afterwards, which
                # sends `conversation.rated` with this filled in).
                "csat": csat.rating_out(conversation.meta.csat),
            },
            "transcript": [
                {
                    "seq": m.seq,
                    "author_kind": m.author_kind,
                    "author_name": m.author_name,
                    "body": m.body,
                    "created_at": m.created_at.isoformat(),
                }
                for m in transcript
            ],
            # Voice and video calls in the chat (not recorded: who, when, how long, how ended).
            "calls": calls.webhook_calls(call_list),
            "visitor": {
                "id": visitor.id,
                "name": visitor.name,
                "email": visitor.email,
                "identity_status": visitor.identity_status,
                "landing_url": visit.landing_url if visit else None,
                "referrer": visit.referrer if visit else None,
                "utm": {
                    "source": visit.utm_source,
                    "medium": visit.utm_medium,
                    "campaign": visit.utm_campaign,
                }
                if visit
                else {},
                "company": ((visit.enrichment or {}).get("company") or {}).get("value")
                if visit
                else None,
            }
            if visitor
            else None,
            "account": {
                "id": account.id,
                "name": account.name,
                "domain": account.domain,
                "target_account": account.target_account,
                "open_pipeline": account.open_pipeline,
            }
            if account
            else None,
            "rep": {"id": rep.id, "name": rep.name, "email": rep.email} if rep else None,
            # Meetings booked from this chat (with their status: a cancelled one stays listed).
            "meetings": [
                m.model_dump(mode="json")
                for m in await meetings.meetings_for_conversation(
                    session, conversation.org_id, conversation.id
                )
            ],
        },
    }


async def on_conversation_closed(work: UnitOfWork, conversation: Conversation) -> None:
    """Write one outbox row per enabled endpoint, in the transaction that ends the chat."""
    await _enqueue(work, conversation, EVENT_TYPE)


async def on_conversation_rated(work: UnitOfWork, conversation: Conversation) -> None:
    """`conversation.rated`, in the transaction that stores the rating (csat.RATED_HOOK)."""
    await _enqueue(work, conversation, RATED_EVENT_TYPE)


async def _enqueue(work: UnitOfWork, conversation: Conversation, event_type: str) -> None:
    endpoints = list(
        (
            await work.session.execute(
                select(WebhookEndpoint).where(
                    WebhookEndpoint.org_id == conversation.org_id, WebhookEndpoint.enabled.is_(True)
                )
            )
        ).scalars()
    )
    if not endpoints:
        return
    now = work.now_clock.now()
    body = orjson.dumps(await chat_end_payload(work, conversation, event_type)).decode()
    event_id = "msg_" + new_id()
    for endpoint in endpoints:
        delivery = WebhookDelivery(
            id=new_id(),
            org_id=conversation.org_id,
            endpoint_id=endpoint.id,
            event_id=event_id,
            event_type=event_type,
            payload=body,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        work.session.add(delivery)
        await work.session.flush()
        await deadlines.schedule(
            work.session,
            kind=KIND_DELIVER,
            subject_id=delivery.id,
            due_at=now,
            now=now,
            org_id=conversation.org_id,
        )
    work.after_commit.append(work.runtime.sweeper.poke)


async def deliver(runtime: Runtime, deadline: DueDeadline) -> None:
    async with runtime.db.read() as session:
        delivery = await session.get(WebhookDelivery, deadline.subject_id)
        endpoint = await session.get(WebhookEndpoint, delivery.endpoint_id) if delivery else None
    if delivery is None or delivery.status != "pending":
        return
    now = runtime.clock.now()
    if endpoint is None or not endpoint.enabled:
        await _finish(runtime, delivery.id, status="dropped", error="endpoint disabled", now=now)
        return
    timestamp = int(now.timestamp())
    body = delivery.payload.encode()
    headers = {
        "content-type": "application/json",
        "user-agent": "Frontdesk-Webhooks/1",
        "webhook-id": delivery.event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(endpoint.secret, delivery.event_id, timestamp, body),
    }
    allow_private = runtime.settings.allow_private_targets
    status: int | None = None
    error: str | None = None
    host = urlsplit(endpoint.url).hostname or ""
    if literal_address_refused(host, allow_private):
        error = f"{host} is a private or loopback address"
    else:
        try:
            async with (
                guarded_session(allow_private=allow_private, timeout=10) as http,
                http.post(
                    endpoint.url, data=body, headers=headers, allow_redirects=False
                ) as response,
            ):
                status = response.status
        except BlockedAddress as exc:
            error = str(exc)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
    attempts = delivery.attempts + 1
    if status is not None and 200 <= status < 300:
        await _finish(
            runtime, delivery.id, status="delivered", http_status=status, attempts=attempts, now=now
        )
        return
    if status == 410:
        # The receiver says it is gone for good: stop sending to it (an admin can re-enable).
        async with runtime.db.transaction() as session:
            stored = await session.get(WebhookEndpoint, endpoint.id)
            if stored is not None:
                stored.enabled = False
                stored.disabled_reason = f"answered 410 Gone at {now:%Y-%m-%d %H:%M} UTC"
        await _finish(
            runtime,
            delivery.id,
            status="failed",
            http_status=410,
            error="410 Gone: endpoint disabled",
            attempts=attempts,
            now=now,
        )
        return
    if attempts > len(BACKOFF):
        await _finish(
            runtime,
            delivery.id,
            status="failed",
            http_status=status,
            error=error,
            attempts=attempts,
            now=now,
        )
        return
    retry_at = now + timedelta(seconds=BACKOFF[attempts - 1])
    async with runtime.db.transaction() as session:
        stored_delivery = await session.get(WebhookDelivery, delivery.id)
        if stored_delivery is None:
            return
        stored_delivery.attempts = attempts
        stored_delivery.last_status = status
        stored_delivery.last_error = error or (f"HTTP {status}" if status else None)
        stored_delivery.next_attempt_at = retry_at
        await deadlines.schedule(
            session,
            kind=KIND_DELIVER,
            subject_id=delivery.id,
            due_at=retry_at,
            now=now,
            org_id=delivery.org_id,
        )


async def _finish(
    runtime: Runtime,
    delivery_id: str,
    *,
    status: str,
    now: datetime,
    http_status: int | None = None,
    error: str | None = None,
    attempts: int | None = None,
) -> None:
    async with runtime.db.transaction() as session:
        delivery = await session.get(WebhookDelivery, delivery_id)
        if delivery is None:
            return
        delivery.status = status
        delivery.last_status = http_status
        delivery.last_error = error
        delivery.next_attempt_at = None
        if attempts is not None:
            delivery.attempts = attempts
        if status == "delivered":
            delivery.delivered_at = now


async def outbox_depth(session: AsyncSession) -> int:
    """Deliveries still waiting to be sent, over every org (the webhook-outbox metric)."""
    return int(
        (
            await session.execute(
                select(func.count())
                .select_from(WebhookDelivery)
                .where(WebhookDelivery.status == "pending")
            )
        ).scalar_one()
    )
