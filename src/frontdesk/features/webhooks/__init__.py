"""Chat-end webhooks: signed (Standard Webhooks), retried with backoff, durable via an outbox."""

from frontdesk.features.webhooks.service import (
    KIND_DELIVER,
    deliver,
    delivery_out,
    endpoint_out,
    get_endpoint,
    new_endpoint_out,
    new_secret,
    on_conversation_closed,
    validate_target,
)

__all__ = [
    "KIND_DELIVER",
    "deliver",
    "delivery_out",
    "endpoint_out",
    "get_endpoint",
    "new_endpoint_out",
    "new_secret",
    "on_conversation_closed",
    "validate_target",
]
