"""Signed, short-lived URLs for chat files: `/files/{id}/{variant}?e=EXPIRES&s=SIGNATURE`.

Whoever holds a URL may fetch the file until it expires, so URLs are handed only to the
conversation's visitor and the org's reps who may see the chat (service.links_for_*), and live
for minutes. Signed with FRONTDESK_SECRET_KEY (a key derived for this use alone); a URL signed
with a key still listed in FRONTDESK_SECRET_KEY_PREVIOUS verifies during a rotation, as visitor
tokens and image-proxy URLs do (docs/operations.md, "Rotating the secret key").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from typing import Literal

Variant = Literal["file", "thumb"]
VARIANTS: tuple[Variant, ...] = ("file", "thumb")
# URLs work for 10 to 15 minutes: the expiry is rounded up to 5 minutes, so one viewer asking
# again a minute later gets the same URL (and the browser's cached copy).
LINK_SECONDS = 600
ROUND_SECONDS = 300


def _key(secret: str) -> bytes:
    return hashlib.sha256(b"chat-file:" + secret.encode()).digest()


def _signature(secret: str, file_id: str, variant: str, expires: int) -> str:
    message = f"{file_id}\n{variant}\n{expires}".encode()
    digest = hmac.new(_key(secret), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def expiry(now: float) -> int:
    return (int(now + LINK_SECONDS) // ROUND_SECONDS + 1) * ROUND_SECONDS


def signed_path(secret: str, file_id: str, variant: Variant, expires: int) -> str:
    """The URL path and query (clients prefix the server's origin)."""
    return (
        f"/files/{file_id}/{variant}?e={expires}&s={_signature(secret, file_id, variant, expires)}"
    )


def verify(
    secrets: Sequence[str], file_id: str, variant: str, expires: str, signature: str, now: float
) -> Literal["ok", "expired", "bad"]:
    """'ok' for a signature made with any of `secrets` that has not expired."""
    if variant not in VARIANTS or not expires.isdigit() or len(expires) > 12:
        return "bad"
    when = int(expires)
    if not any(
        hmac.compare_digest(_signature(secret, file_id, variant, when), signature)
        for secret in secrets
    ):
        return "bad"
    # Also refuse an expiry further out than we ever mint (a leaked key would be no excuse).
    if when <= now or when > now + LINK_SECONDS + 2 * ROUND_SECONDS:
        return "expired"
    return "ok"
