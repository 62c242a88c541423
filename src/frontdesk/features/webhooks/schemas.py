"""What the webhooks API sends (the payloads sent to endpoints are in docs/webhooks.md)."""

from __future__ import annotations

from frontdesk.core.schemas import Closed, IsoTime


class WebhookEndpointOut(Closed):
    id: str
    url: str
    description: str | None
    enabled: bool
    disabled_reason: str | None
    created_at: IsoTime


class NewWebhookEndpoint(WebhookEndpointOut):
    """The answer to creating an endpoint: the only time its signing secret is shown."""

    secret: str


class DeliveryOut(Closed):
    id: str
    event_id: str
    event_type: str
    status: str
    attempts: int
    last_status: int | None
    last_error: str | None
    next_attempt_at: IsoTime | None
    created_at: IsoTime
    delivered_at: IsoTime | None
