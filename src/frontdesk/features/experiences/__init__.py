"""Inbound-chat experiences: rep window, bot greeting, identity capture, hand-off, timeout, offline."""

from frontdesk.features.experiences.email import (
    list_offline_messages,
    on_offline_email,
)
from frontdesk.features.experiences.service import (
    KIND_OFFLINE_EMAIL,
    KIND_REP_WINDOW,
    SegmentExperience,
    create_experience,
    delete_experience,
    leave_offline_message,
    list_experiences,
    on_accepted,
    on_capacity_changed,
    on_closed,
    on_hours_reopen,
    on_inbound_created,
    on_incoming_timed_out,
    on_rep_status_changed,
    on_rep_window,
    release_queue,
    update_experience,
)

__all__ = [
    "KIND_OFFLINE_EMAIL",
    "KIND_REP_WINDOW",
    "SegmentExperience",
    "create_experience",
    "delete_experience",
    "leave_offline_message",
    "list_experiences",
    "list_offline_messages",
    "on_accepted",
    "on_capacity_changed",
    "on_closed",
    "on_hours_reopen",
    "on_inbound_created",
    "on_incoming_timed_out",
    "on_offline_email",
    "on_rep_status_changed",
    "on_rep_window",
    "release_queue",
    "update_experience",
]
