"""Shortcuts: saved replies reps insert with "/name" (private ones, and org ones admins own)."""
