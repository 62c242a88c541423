"""External images in messages go through our server, so third parties never see visitors'
or reps' IP addresses. URLs are signed, so the proxy is not an open relay."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlencode

PROXY_PATH = "/img"
ALLOWED_TYPES = {
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/avif",
}  # no SVG: it can script
MAX_BYTES = 5 * 1024 * 1024

_key: bytes | None = None


def configure(secret: str) -> None:
    """Called once at start-up with the server secret (the same on every process)."""
    global _key
    _key = hashlib.sha256(b"image-proxy:" + secret.encode()).digest()


def _signature(url: str) -> str:
    assert _key is not None
    return (
        base64.urlsafe_b64encode(hmac.new(_key, url.encode(), hashlib.sha256).digest()[:16])
        .decode()
        .rstrip("=")
    )


def proxied(url: str) -> str:
    """The relative proxy URL for an external image (clients prefix their server origin)."""
    if _key is None or not url.startswith(("http://", "https://")):
        return url
    return f"{PROXY_PATH}?{urlencode({'u': url, 's': _signature(url)})}"


def verify(url: str, signature: str) -> bool:
    return _key is not None and hmac.compare_digest(_signature(url), signature)
