"""Conversations and their messages: stored before acknowledged, replayed by sequence number.

Other features and transport import from here (the modules behind it split the work by job:
commands, queries, the group writer, per-dialect SQL, deadlines, publishing).
"""

from frontdesk.features.conversations.commands import (
    VISITOR_WAITING_HOOK,
    Opening,
    accept,
    add_message,
    close_conversation,
    end,
    lock_visitor,
    open_call_conversation,
    open_owned_conversation,
    post_rep_message,
    post_visitor_message,
    start_conversation,
    take_for_call,
    transfer,
)
from frontdesk.features.conversations.deadlines import (
    on_idle_end,
    on_incoming_timeout,
    visitor_activity_changed,
)
from frontdesk.features.conversations.group_writer import AttachedRow, finish_pending_writes
from frontdesk.features.conversations.lifecycle import (
    IDLE_END_AFTER,
    INCOMING_TIMEOUT,
    KIND_IDLE_END,
    KIND_INCOMING_TIMEOUT,
    OPEN_STATUSES,
)
from frontdesk.features.conversations.messages import MAX_BODY, Posted, validate_body
from frontdesk.features.conversations.meta import (
    AutoPounceResolution,
    ConversationMeta,
    MetaDraft,
    Rating,
    Transfer,
    edit_meta,
)
from frontdesk.features.conversations.publish import emit_conversation_changed, visitor_conversation
from frontdesk.features.conversations.queries import (
    ANSWER_BYTES,
    Box,
    find_for_rep,
    get_conversation,
    list_for_rep,
    messages_after,
    open_conversation_for_visitor,
    open_conversations_for_visitors,
    summaries,
    summary,
)

__all__ = [
    "ANSWER_BYTES",
    "IDLE_END_AFTER",
    "INCOMING_TIMEOUT",
    "KIND_IDLE_END",
    "KIND_INCOMING_TIMEOUT",
    "MAX_BODY",
    "OPEN_STATUSES",
    "VISITOR_WAITING_HOOK",
    "AttachedRow",
    "AutoPounceResolution",
    "Box",
    "ConversationMeta",
    "MetaDraft",
    "Opening",
    "Posted",
    "Rating",
    "Transfer",
    "accept",
    "add_message",
    "close_conversation",
    "edit_meta",
    "emit_conversation_changed",
    "end",
    "find_for_rep",
    "finish_pending_writes",
    "get_conversation",
    "list_for_rep",
    "lock_visitor",
    "messages_after",
    "on_idle_end",
    "on_incoming_timeout",
    "open_call_conversation",
    "open_conversation_for_visitor",
    "open_conversations_for_visitors",
    "open_owned_conversation",
    "post_rep_message",
    "post_visitor_message",
    "start_conversation",
    "summaries",
    "summary",
    "take_for_call",
    "transfer",
    "validate_body",
    "visitor_activity_changed",
    "visitor_conversation",
]
