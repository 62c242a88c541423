"""Routing: which reps see and may engage a visitor (owner first, a team, round robin)."""
