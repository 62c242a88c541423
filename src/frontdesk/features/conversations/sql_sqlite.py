"""Raw SQL for SQLite: the group-commit writer's statements (see group_writer.py)."""

# SQLite: the same work as PostgreSQL's statement below, as a short transaction on the
# sqlite3 connection itself (statements there are function calls on this thread, not round
# trips). SQLAlchemy's per-statement machinery cost about four times SQLite's own work here
# (bench/RESULTS.md), so the group goes straight to the driver, with the values stored in the
# formats SQLAlchemy uses for these columns (tests read them back through the ORM).
BUMP_OPEN_CHAT = """
UPDATE conversations SET last_seq = last_seq + 1, last_message_at = ?
WHERE visitor_id = ? AND org_id = ? AND status IN ('incoming', 'active')
    AND json_extract(meta, '$.visitor_replied') = 1
RETURNING id, org_id, visitor_id, owner_rep_id, routed_rep_ids, last_seq,
    (SELECT coalesce(v.name, v.email, 'Visitor') FROM visitors AS v
     WHERE v.id = conversations.visitor_id)
"""
INSERT_VISITOR_MESSAGE = """
INSERT INTO messages (id, org_id, conversation_id, seq, author_kind, author_rep_id, body,
    body_html, client_msg_id, internal, meta, created_at)
VALUES (?, ?, ?, ?, 'visitor', NULL, ?, ?, ?, 0, '{}', ?)
"""
