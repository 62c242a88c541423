"""Proactive engagement: pounce, invitations (with 2-minute expiry) and AI auto pounce."""
