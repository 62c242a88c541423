"""Raw SQL for PostgreSQL: the group-commit writer's statement (see group_writer.py)."""

# PostgreSQL: one statement per message (bump the chat's sequence, insert the message), the
# statements of a group pipelined by asyncpg's fetchmany: one round trip and one commit for the
# group, and atomic (it runs as one implicit transaction). A single data-modifying CTE over
# arrays of the whole group was tried first: PostgreSQL spent about 3x more CPU executing it
# (430 against 130 microseconds a message, bench/RESULTS.md). Messages are sorted by visitor
# so every process locks chats in the same order (no deadlock between two processes' groups);
# a visitor's own messages keep their order (stable sort) and so get consecutive numbers.
# A message whose visitor has no open chat, or whose chat has not heard from its visitor yet,
# matches no row and is not written: the caller sends it down the careful path. A retried
# client id violates the unique index and fails the group as a whole (nothing is written);
# the group is then written one message at a time.
WRITE_VISITOR_MESSAGE = """
WITH bumped AS (
    UPDATE conversations AS c
    SET last_seq = c.last_seq + 1, last_message_at = $7
    WHERE c.visitor_id = $3 AND c.org_id = $2 AND c.status IN ('incoming', 'active')
        AND (c.meta ->> 'visitor_replied') = 'true'
    RETURNING c.id, c.org_id, c.visitor_id, c.owner_rep_id, c.routed_rep_ids, c.last_seq,
        (SELECT coalesce(v.name, v.email, 'Visitor') FROM visitors AS v
         WHERE v.id = c.visitor_id) AS author_name
),
inserted AS (
    INSERT INTO messages (id, org_id, conversation_id, seq, author_kind, author_rep_id, body,
        body_html, client_msg_id, internal, meta, created_at)
    SELECT $1, b.org_id, b.id, b.last_seq, 'visitor', NULL, $5, $6, $4, false, $8::json, $7
    FROM bumped AS b
)
SELECT $1::text AS message_id, id, org_id, visitor_id, owner_rep_id, routed_rep_ids,
    last_seq, author_name
FROM bumped
"""
