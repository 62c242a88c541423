"""The admin audit log: who changed an org's setup, what, and when."""

from frontdesk.features.audit.service import list_entries, record, redact

__all__ = ["list_entries", "record", "redact"]
