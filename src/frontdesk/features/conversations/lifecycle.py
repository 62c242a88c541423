"""A conversation's lifecycle: which statuses are open, and the deadlines that move it on."""

from __future__ import annotations

from datetime import timedelta

# Spelled out again where SQL needs them: models.OPEN_CONDITION (the one-open-chat index) and
# the group writer's statements (sql_sqlite.py, sql_postgres.py).
OPEN_STATUSES = ("incoming", "active")
# Incoming chats nobody accepts move to Recent as missed after 5 minutes (product docs).
INCOMING_TIMEOUT = timedelta(minutes=5)
# A chat whose visitor has been inactive for 10 minutes ends by itself (product docs).
IDLE_END_AFTER = timedelta(minutes=10)

KIND_INCOMING_TIMEOUT = "conversation.incoming_timeout"
KIND_IDLE_END = "conversation.idle_end"
