"""Visitor tokens: '<visitor id>.<signature>' signed with the server secret and the org id."""

from __future__ import annotations

import base64
import hashlib
import hmac


def _signature(secret: str, org_id: str, visitor_id: str) -> str:
    digest = hmac.new(
        secret.encode(), f"visitor:{org_id}:{visitor_id}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def issue_visitor_token(secret: str, org_id: str, visitor_id: str) -> str:
    return f"{visitor_id}.{_signature(secret, org_id, visitor_id)}"


def read_visitor_token(secret: str, org_id: str, token: str) -> str | None:
    """The visitor id, or None when the token is malformed or was signed for another org."""
    visitor_id, _, signature = token.partition(".")
    if len(visitor_id) != 32 or not signature:
        return None
    if not hmac.compare_digest(signature, _signature(secret, org_id, visitor_id)):
        return None
    return visitor_id


def identity_hash(identity_secret: str, email: str) -> str:
    """What the customer's backend computes for identify(): HMAC-SHA256 hex of the email."""
    return hmac.new(identity_secret.encode(), email.encode(), hashlib.sha256).hexdigest()
