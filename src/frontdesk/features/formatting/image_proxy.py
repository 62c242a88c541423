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
import functools
import hashlib
import hmac
import time
from collections.abc import Iterable, Sequence
from urllib.parse import parse_qs, urlencode, urlsplit

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

# The current key signs; it and the previous ones verify (key rotation, docs/operations.md).
_keys: tuple[bytes, ...] = ()


def configure(secret: str, previous: Sequence[str] = ()) -> None:
    """Called once at start-up with the server secret and the previous ones still accepted
    (the same on every process)."""
    global _keys
    _keys = tuple(
        hashlib.sha256(b"image-proxy:" + key.encode()).digest() for key in (secret, *previous)
    )


def _signature(url: str, expires: str | None = None, key: bytes | None = None) -> str:
    assert _keys, "image_proxy.configure() was not called"
    signed = url if expires is None else f"{url}\n{expires}"
    digest = hmac.new(key or _keys[0], signed.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def proxied(url: str, *, preview: bool = False) -> str:
    """The relative proxy URL for an external image (clients prefix their server origin).
    Call it only for content being stored, or with preview=True (see the module docstring)."""
    if not _keys or not url.startswith(("http://", "https://")):
        return url
    if not preview:
        return f"{PROXY_PATH}?{urlencode({'u': url, 's': _signature(url)})}"
    # Rounded to the hour, so a preview typed over several minutes keeps one URL (cached).
    expires = str((int(time.time()) // PREVIEW_SECONDS + 2) * PREVIEW_SECONDS)
    query = {"u": url, "e": expires, "s": _signature(url, expires)}
    return f"{PROXY_PATH}?{urlencode(query)}"


def favicon_of(origin: str) -> str:
    """proxied(origin + "/favicon.ico"), remembered per origin and key: every visitor card and
    page view of a website asks for the same one (an HMAC and a urlencode each; issue 21)."""
    return _favicon(origin, _keys)


@functools.lru_cache(maxsize=4096)
def _favicon(origin: str, _keys_now: tuple[bytes, ...]) -> str:
    return proxied(f"{origin}/favicon.ico")


def resigned(proxy_url: str) -> str:
    """A stored proxy URL (an <img> src this server rendered) signed with the current key: see
    formatting.markdown.resign_stored. A preview's URL (with an expiry) is left as it is."""
    query = parse_qs(urlsplit(proxy_url).query)
    urls, signatures = query.get("u"), query.get("s")
    if not _keys or "e" in query or not urls or not signatures:
        return proxy_url
    if hmac.compare_digest(_signature(urls[0]), signatures[0]):
        return proxy_url
    return f"{PROXY_PATH}?{urlencode({'u': urls[0], 's': _signature(urls[0])})}"


def is_proxied(url: str | None) -> bool:
    return url is not None and url.startswith(PROXY_PATH + "?")


def verify(url: str, signature: str, expires: str | None = None) -> bool:
    """True for a signature we minted; a preview's (with `expires`) only until it expires."""
    if not _keys:
        return False
    if expires is not None and not (expires.isdigit() and int(expires) > time.time()):
        return False
    return any(hmac.compare_digest(_signature(url, expires, key), signature) for key in _keys)


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
