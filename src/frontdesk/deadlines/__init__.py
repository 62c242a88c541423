"""Durable deadlines: stored rows plus a sweeper in every process that claims due rows once."""
