"""Org API tokens for scripts and CRMs: `Authorization: Bearer fd_...` on the REST API."""

from frontdesk.features.api_tokens.service import (
    TokenActor,
    authenticate_token,
    create_token,
    list_tokens,
    looks_like_token,
    revoke_token,
)

__all__ = [
    "TokenActor",
    "authenticate_token",
    "create_token",
    "list_tokens",
    "looks_like_token",
    "revoke_token",
]
