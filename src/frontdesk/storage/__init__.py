"""The SQL database: one engine, async sessions, shared column types and Alembic migrations."""
