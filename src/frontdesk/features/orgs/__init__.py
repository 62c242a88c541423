"""Organisations, their reps, rep sign-in sessions and roles."""
