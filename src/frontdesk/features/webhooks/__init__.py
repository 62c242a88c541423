"""Chat-end webhooks: signed (Standard Webhooks), retried with backoff, durable via an outbox."""
