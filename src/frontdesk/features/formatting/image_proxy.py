"""External images go through our server, so third parties never see visitors' or reps' IP
addresses.

The proxy is not an open relay: it serves only URLs carrying our signature, and signatures are
minted only for images in content we store and show, each time it is stored:
- images in reps' messages, shortcuts, invitations and bot text (signed users wrote them;
  visitors' messages never show images, see markdown.py);
- a visitor's page thumbnail (og:image) and favicon, and only on the org's own website
  origins (live_stream/cards.py), so an anonymous caller can at most make us fetch from the
  org's website.
A preview (markdown, a shortcut filled in, an invitation) is not stored yet: its images get
signatures that expire within two hours (`preview=True`), so a signed-in rep's preview is not
a lasting relay either. No endpoint signs a URL it is handed on its own.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Iterable
from urllib.parse import urlencode, urlsplit

PROXY_PATH = "/img"
ALLOWED_TYPES = {
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/avif",
    "image/x-icon",  # favicon.ico
    "image/vnd.microsoft.icon",
}  # no SVG: it can script
MAX_BYTES = 5 * 1024 * 1024
PREVIEW_SECONDS = 3600  # a preview's images work for one to two hours

_key: bytes | None = None


def configure(secret: str) -> None:
    """Called once at start-up with the server secret (the same on every process)."""
    global _key
    _key = hashlib.sha256(b"image-proxy:" + secret.encode()).digest()


def _signature(url: str, expires: str | None = None) -> str:
    assert _key is not None
    signed = url if expires is None else f"{url}\n{expires}"
    return (
        base64.urlsafe_b64encode(hmac.new(_key, signed.encode(), hashlib.sha256).digest()[:16])
        .decode()
        .rstrip("=")
    )


def proxied(url: str, *, preview: bool = False) -> str:
    """The relative proxy URL for an external image (clients prefix their server origin).
    Call it only for content being stored, or with preview=True (see the module docstring)."""
    if _key is None or not url.startswith(("http://", "https://")):
        return url
    if not preview:
        return f"{PROXY_PATH}?{urlencode({'u': url, 's': _signature(url)})}"
    # Rounded to the hour, so a preview typed over several minutes keeps one URL (cached).
    expires = str((int(time.time()) // PREVIEW_SECONDS + 2) * PREVIEW_SECONDS)
    query = {"u": url, "e": expires, "s": _signature(url, expires)}
    return f"{PROXY_PATH}?{urlencode(query)}"


def is_proxied(url: str | None) -> bool:
    return url is not None and url.startswith(PROXY_PATH + "?")


def verify(url: str, signature: str, expires: str | None = None) -> bool:
    """True for a signature we minted; a preview's (with `expires`) only until it expires."""
    if _key is None:
        return False
    if expires is not None and not (expires.isdigit() and int(expires) > time.time()):
        return False
    return hmac.compare_digest(_signature(url, expires), signature)


def origin_of(url: str) -> str | None:
    """'https://Example.com:443/a?b' -> 'https://example.com' (as org website origins are
    stored); None for anything but a plain http(s) URL (credentials in it included)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if parts.username is not None or parts.password is not None:
        return None
    default_port = 443 if parts.scheme == "https" else 80
    suffix = f":{port}" if port and port != default_port else ""
    return f"{parts.scheme}://{parts.hostname.lower()}{suffix}"


def on_origins(url: str | None, origins: Iterable[str]) -> bool:
    origin = origin_of(url) if url else None
    return origin is not None and origin in set(origins)
