"""CSAT: the visitor rates a chat once it ended (bad/neutral/good or 1-5, and a comment)."""

from frontdesk.features.csat.service import (
    MAX_COMMENT,
    RATE_WITHIN,
    RATED_HOOK,
    csat_scale,
    is_satisfied,
    rate_conversation,
    rating_out,
)

__all__ = [
    "MAX_COMMENT",
    "RATED_HOOK",
    "RATE_WITHIN",
    "csat_scale",
    "is_satisfied",
    "rate_conversation",
    "rating_out",
]
