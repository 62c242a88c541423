"""Visitor tokens: '<visitor id>.<signature>' signed with the server secret and the org id.

A token is issued with the current secret key and read with any of the keys the settings list
(`Settings.secret_keys`: the current one, then FRONTDESK_SECRET_KEY_PREVIOUS), so rotating the
key does not make every returning visitor new: each welcome hands out a token signed with the
current key, and the widget stores it in place of the old one."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence


def _signature(secret: str, org_id: str, visitor_id: str) -> str:
    digest = hmac.new(
        secret.encode(), f"visitor:{org_id}:{visitor_id}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def issue_visitor_token(secret: str, org_id: str, visitor_id: str) -> str:
    return f"{visitor_id}.{_signature(secret, org_id, visitor_id)}"


def read_visitor_token(secrets: str | Sequence[str], org_id: str, token: str) -> str | None:
    """The visitor id, or None when the token is malformed, was signed for another org, or with
    none of the `secrets` (one key, or the current key and the previous ones)."""
    visitor_id, _, signature = token.partition(".")
    if len(visitor_id) != 32 or not signature:
        return None
    keys = (secrets,) if isinstance(secrets, str) else secrets
    for key in keys:
        if hmac.compare_digest(signature, _signature(key, org_id, visitor_id)):
            return visitor_id
    return None


def identity_hash(identity_secret: str, email: str) -> str:
    """What the customer's backend computes for identify(): HMAC-SHA256 hex of the email."""
    return hmac.new(identity_secret.encode(), email.encode(), hashlib.sha256).hexdigest()
