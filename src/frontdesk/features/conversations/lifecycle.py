"""A conversation's lifecycle: which statuses are open, and the deadlines that move it on."""

from __future__ import annotations

from datetime import timedelta

OPEN_STATUSES = ("incoming", "active")  # also in models.OPEN_CONDITION
# Incoming chats nobody accepts move to Recent as missed after 5 minutes (product docs).
INCOMING_TIMEOUT = timedelta(minutes=5)
# A chat whose visitor has been inactive for 10 minutes ends by itself (product docs).
IDLE_END_AFTER = timedelta(minutes=10)

KIND_INCOMING_TIMEOUT = "conversation.incoming_timeout"
KIND_IDLE_END = "conversation.idle_end"
