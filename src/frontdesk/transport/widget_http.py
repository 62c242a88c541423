"""HTTP endpoints the widget and message HTML use: boot check, config, image proxy."""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web
from pydantic import BaseModel, RootModel
from yarl import URL

from frontdesk.core.errors import Forbidden, NotFound
from frontdesk.core.schemas import Closed
from frontdesk.features import formatting
from frontdesk.features.blocking import ip_blocked, visitor_blocked
from frontdesk.features.orgs import org_by_site_key
from frontdesk.features.orgs.schemas import MessengerSettings
from frontdesk.features.visitors import read_visitor_token
from frontdesk.outbound import BlockedAddress, guarded_session, literal_address_refused
from frontdesk.transport.api import api
from frontdesk.transport.http import client_ip, json_response, runtime_of
from frontdesk.transport.ws_visitor import origin_allowed

if TYPE_CHECKING:
    # The row org_by_site_key returns, named in one signature: a type only (transport imports
    # no ORM model at run time; pyproject.toml, [tool.importlinter]).
    from frontdesk.features.orgs.models import Org


class WidgetConfig(Closed):
    """The org's public messenger settings."""

    org_name: str
    idle_after_seconds: int
    messenger: MessengerSettings


class BootBlocked(Closed):
    blocked: Literal[True]


class BootOpen(WidgetConfig):
    blocked: Literal[False]


class WidgetBoot(RootModel[BootBlocked | BootOpen]):
    """Blocked (no messenger, no socket), or the public messenger settings."""


class SiteQuery(BaseModel):
    site: str


class BootQuery(SiteQuery):
    # The visitor token from a previous `welcome`, if any.
    vt: str | None = None


def _public_config(org: Org) -> WidgetConfig:
    return WidgetConfig(
        org_name=org.name,
        idle_after_seconds=org.idle_after_seconds,
        messenger=(org.settings or {}).get("messenger", {}),
    )


def _site_org(org: Org | None, origin: str | None) -> Org:
    """The widget endpoints answer only a known site key, asked from one of that org's
    websites (CORS)."""
    if org is None:
        raise NotFound("unknown site key")
    if not origin_allowed(org, origin):
        raise Forbidden("this website origin is not allowed for this site key")
    return org


def _cors(response: web.StreamResponse, origin: str | None) -> web.StreamResponse:
    response.headers["Access-Control-Allow-Origin"] = origin or ""
    response.headers["Vary"] = "Origin"
    return response


async def widget_config(request: web.Request) -> web.StreamResponse:
    """Public messenger settings for the widget; CORS admits only the org's own websites."""
    runtime = runtime_of(request)
    async with runtime.db.read() as session:
        found = await org_by_site_key(session, request.query.get("site", ""))
    origin = request.headers.get("Origin")
    org = _site_org(found, origin)
    return _cors(json_response(_public_config(org)), origin)


api.describe(
    "GET",
    "/widget/config",
    query=SiteQuery,
    response=WidgetConfig,
    summary="Public messenger settings (CORS: the org's website origins only)",
)


async def widget_boot(request: web.Request) -> web.StreamResponse:
    """Asked by the loader before it opens a socket: is this browser (or its IP) blocked?
    A blocked visitor gets no messenger and no socket. CORS admits only the org's websites."""
    runtime = runtime_of(request)
    async with runtime.db.read() as session:
        origin = request.headers.get("Origin")
        org = _site_org(await org_by_site_key(session, request.query.get("site", "")), origin)
        blocked = await ip_blocked(
            session, org.id, client_ip(request, runtime), runtime.clock.now()
        )
        token = request.query.get("vt")
        if not blocked and token:
            visitor_id = read_visitor_token(runtime.settings.secret_keys, org.id, token)
            if visitor_id:
                blocked = await visitor_blocked(session, visitor_id)
    answer: BootBlocked | BootOpen = (
        BootBlocked(blocked=True)
        if blocked
        else BootOpen(blocked=False, **_public_config(org).model_dump())
    )
    return _cors(json_response(answer), origin)


api.describe(
    "GET",
    "/widget/boot",
    query=BootQuery,
    response=WidgetBoot,
    summary="Is this browser (or its IP address) blocked? If not, the public messenger settings "
    "(CORS: the org's website origins only; the stock loader does not call it)",
)


class _ImageCache:
    """A small in-process LRU so a popular GIF is fetched once, not once per viewer."""

    def __init__(self, max_bytes: int = 32 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.items: OrderedDict[str, tuple[str, bytes]] = OrderedDict()

    def get(self, url: str) -> tuple[str, bytes] | None:
        item = self.items.get(url)
        if item is not None:
            self.items.move_to_end(url)
        return item

    def put(self, url: str, content_type: str, body: bytes) -> None:
        self.items[url] = (content_type, body)
        self.size += len(body)
        while self.size > self.max_bytes and self.items:
            _, (_, old) = self.items.popitem(last=False)
            self.size -= len(old)


_cache = _ImageCache()
MAX_REDIRECTS = 3


def _image(content_type: str, body: bytes) -> web.Response:
    return web.Response(
        body=body,
        content_type=content_type,
        headers={
            "Cache-Control": "public, max-age=86400",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'",
            "Cross-Origin-Resource-Policy": "cross-origin",
        },
    )


async def _read_limited(response: aiohttp.ClientResponse, limit: int) -> bytes | None:
    """The whole body, or None once it passes the limit. Read to the end: a single
    read(n) returns what has arrived so far (one chunk of a chunked body), not n bytes."""
    parts: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_any():
        size += len(chunk)
        if size > limit:
            return None
        parts.append(chunk)
    return b"".join(parts)


def _refusal(status: int, text: str, *, browser_cache_seconds: int = 0) -> web.Response:
    # Plain text that is never sniffed into anything else, and not cached by default: the
    # same URL may work later (a fixed image, a server back up).
    cache = f"public, max-age={browser_cache_seconds}" if browser_cache_seconds else "no-store"
    return web.Response(
        status=status,
        text=text,
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": cache},
    )


async def image_proxy_handler(request: web.Request) -> web.StreamResponse:
    url, signature = request.query.get("u", ""), request.query.get("s", "")
    if not url or not formatting.image_proxy.verify(url, signature, request.query.get("e")):
        return _refusal(403, "unsigned image URL")
    cached = _cache.get(url)
    if cached is not None:
        return _image(*cached)
    allow_private = runtime_of(request).settings.allow_private_targets
    target = url
    try:
        async with guarded_session(allow_private=allow_private, timeout=8) as http:
            # Redirects are followed by hand so every hop is checked (no hop to a private address).
            for _ in range(MAX_REDIRECTS + 1):
                parts = urlsplit(target)
                if parts.scheme not in ("http", "https") or not parts.hostname:
                    return _refusal(502, "image redirect to a non-http URL")
                if literal_address_refused(parts.hostname, allow_private):
                    return _refusal(403, "images from private addresses are refused")
                async with http.get(
                    target, allow_redirects=False, headers={"Accept": "image/*"}
                ) as response:
                    if (
                        response.status in (301, 302, 303, 307, 308)
                        and "Location" in response.headers
                    ):
                        target = str(response.url.join(URL(response.headers["Location"])))
                        continue
                    if response.status != 200:
                        # A site without /favicon.ico answers 404 for every card of every
                        # console: let browsers remember that for a while.
                        missing = response.status in (404, 410)
                        return _refusal(
                            502,
                            f"image server answered {response.status}",
                            browser_cache_seconds=600 if missing else 0,
                        )
                    content_type = (
                        response.headers.get("Content-Type", "").split(";")[0].strip().lower()
                    )
                    if content_type not in formatting.image_proxy.ALLOWED_TYPES:
                        return _refusal(
                            415, f"{content_type or 'unknown type'} is not an allowed image type"
                        )
                    if (
                        response.content_length is not None
                        and response.content_length > formatting.image_proxy.MAX_BYTES
                    ):
                        return _refusal(413, "image is larger than 5 MB")
                    body = await _read_limited(response, formatting.image_proxy.MAX_BYTES)
                    if body is None:
                        return _refusal(413, "image is larger than 5 MB")
                    _cache.put(url, content_type, body)
                    return _image(content_type, body)
            return _refusal(502, "too many redirects")
    except BlockedAddress:
        return _refusal(403, "images from private addresses are refused")
    except (aiohttp.ClientError, TimeoutError, OSError):
        return _refusal(502, "image could not be fetched")
