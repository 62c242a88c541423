"""Inbound-chat experiences: rep window, bot greeting, identity capture, hand-off, timeout, offline."""

from frontdesk.features.experiences.email import email_status, on_offline_email
from frontdesk.features.experiences.service import (
    DEFAULTS,
    KIND_OFFLINE_EMAIL,
    KIND_REP_WINDOW,
    SegmentExperience,
    default_experience,
    experience_out,
    get_experience,
    leave_offline_message,
    on_accepted,
    on_closed,
    on_inbound_created,
    on_incoming_timed_out,
    on_rep_window,
    validate_experience,
)

__all__ = [
    "DEFAULTS",
    "KIND_OFFLINE_EMAIL",
    "KIND_REP_WINDOW",
    "SegmentExperience",
    "default_experience",
    "email_status",
    "experience_out",
    "get_experience",
    "leave_offline_message",
    "on_accepted",
    "on_closed",
    "on_inbound_created",
    "on_incoming_timed_out",
    "on_offline_email",
    "on_rep_window",
    "validate_experience",
]
