"""Chat-end webhooks: signed (Standard Webhooks), retried with backoff, durable via an outbox."""

from frontdesk.features.webhooks.service import (
    KIND_DELIVER,
    create_endpoint,
    delete_endpoint,
    deliver,
    list_endpoints,
    on_conversation_closed,
    on_conversation_rated,
    outbox_depth,
    recent_deliveries,
    update_endpoint,
    validate_target,
)

__all__ = [
    "KIND_DELIVER",
    "create_endpoint",
    "delete_endpoint",
    "deliver",
    "list_endpoints",
    "on_conversation_closed",
    "on_conversation_rated",
    "outbox_depth",
    "recent_deliveries",
    "update_endpoint",
    "validate_target",
]
