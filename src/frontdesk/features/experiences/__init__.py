"""Inbound-chat experiences: rep window, bot greeting, identity capture, hand-off, timeout, offline."""

from frontdesk.features.experiences.email import (
    KIND_MISSED_CHAT_EMAIL,
    list_offline_messages,
    missed_chat_message,
    on_incoming_timed_out_email,
    on_missed_chat_email,
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
    on_closed,
    on_inbound_created,
    on_incoming_timed_out,
    on_rep_window,
    update_experience,
)

__all__ = [
    "KIND_MISSED_CHAT_EMAIL",
    "KIND_OFFLINE_EMAIL",
    "KIND_REP_WINDOW",
    "SegmentExperience",
    "create_experience",
    "delete_experience",
    "leave_offline_message",
    "list_experiences",
    "list_offline_messages",
    "missed_chat_message",
    "on_accepted",
    "on_closed",
    "on_inbound_created",
    "on_incoming_timed_out",
    "on_incoming_timed_out_email",
    "on_missed_chat_email",
    "on_offline_email",
    "on_rep_window",
    "update_experience",
]
