"""Conversations and their messages: stored before acknowledged, replayed by sequence number."""
