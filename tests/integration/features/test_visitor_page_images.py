"""A visitor's page thumbnail (og:image) and favicon reach reps only through the image proxy,
and only from the org's own website origins (issue 12 item 9): a rep's browser never loads a
URL a visitor chose, which would tell its owner the rep's IP address."""

from __future__ import annotations

import struct
import zlib
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from frontdesk.features.formatting import image_proxy
from tests.conftest import Backend
from tests.harness import SITE_ORIGIN, Server, running_server

BLOG_ORIGIN = "https://blog.customer.example"
FOREIGN = "https://tracker.example"


def _proxy_target(proxy_url: str | None) -> str:
    """The URL a relative /img?u=...&s=... proxy URL fetches, after checking its signature."""
    assert proxy_url is not None and proxy_url.startswith("/img?"), proxy_url
    query = parse_qs(urlsplit(proxy_url).query)
    assert "e" not in query  # a stored page image, not an expiring preview
    url, signature = query["u"][0], query["s"][0]
    assert image_proxy.verify(url, signature)
    return url


def _dumped(*things: Any) -> str:
    return "\n".join(orjson.dumps(thing).decode() for thing in things)


async def test_a_page_thumbnail_and_favicon_reach_consoles_only_as_proxy_urls_on_the_orgs_websites(
    server: Server,
) -> None:
    org = await server.create_org(origins=(SITE_ORIGIN, BLOG_ORIGIN))
    admin = await server.rep(org, role="admin")
    async with admin.socket() as console:
        async with server.visitor(
            org, url=SITE_ORIGIN + "/pricing", og_image=SITE_ORIGIN + "/img/og-pricing.png"
        ) as visitor:
            vid = visitor.welcome["visitor_id"]  # type: ignore[index]
            card = (await console.expect("visitor.joined", visitor__visitor_id=vid))["visitor"]
            assert _proxy_target(card["og_image"]) == SITE_ORIGIN + "/img/og-pricing.png"
            assert _proxy_target(card["favicon"]) == SITE_ORIGIN + "/favicon.ico"

            # A thumbnail on a foreign origin: no image at all (not even a proxied one).
            await visitor.send(
                {
                    "type": "page_view",
                    "page": {
                        "url": SITE_ORIGIN + "/careers",
                        "title": "Careers",
                        "referrer": None,
                        "og_image": FOREIGN + "/pixel.png?who=rep",
                    },
                }
            )
            changed = await console.expect(
                "visitor.updated", visitor_id=vid, changes__url=SITE_ORIGIN + "/careers"
            )
            assert changed["changes"]["og_image"] is None
            assert "favicon" not in changed["changes"]  # same website, same icon

            # Another of the org's websites: its own thumbnail and favicon, proxied.
            await visitor.send(
                {
                    "type": "page_view",
                    "page": {
                        "url": BLOG_ORIGIN + "/scaling",
                        "title": "Scaling",
                        "referrer": None,
                        "og_image": BLOG_ORIGIN + "/og.jpg",
                    },
                }
            )
            changed = await console.expect(
                "visitor.updated", visitor_id=vid, changes__url=BLOG_ORIGIN + "/scaling"
            )
            assert _proxy_target(changed["changes"]["og_image"]) == BLOG_ORIGIN + "/og.jpg"
            assert _proxy_target(changed["changes"]["favicon"]) == BLOG_ORIGIN + "/favicon.ico"

            # A page URL that is not on the org's websites (any client can claim one): nothing,
            # even with a thumbnail that is.
            await visitor.send(
                {
                    "type": "page_view",
                    "page": {
                        "url": FOREIGN + "/landing",
                        "title": "Elsewhere",
                        "referrer": None,
                        "og_image": SITE_ORIGIN + "/img/og-pricing.png",
                    },
                }
            )
            changed = await console.expect(
                "visitor.updated", visitor_id=vid, changes__url=FOREIGN + "/landing"
            )
            assert changed["changes"]["og_image"] is None
            assert changed["changes"]["favicon"] is None

            async with admin.socket() as fresh_console:
                assert fresh_console.snapshot is not None
                [snapshot_card] = [
                    c for c in fresh_console.snapshot["visitors"] if c["visitor_id"] == vid
                ]
                assert snapshot_card["og_image"] is None and snapshot_card["favicon"] is None
            status, visitor_360 = await admin.request("GET", f"/api/visitors/{vid}")
            assert status == 200

        # The raw image URLs never reached the rep: not in any frame of either console, the
        # snapshots or Visitor 360 (the allowed ones only inside signed proxy URLs, encoded).
        everything = _dumped(
            console.received, console.snapshot, fresh_console.received, visitor_360
        )
        assert "tracker.example/pixel.png" not in everything
        assert "tracker.example%2Fpixel.png" not in everything
        assert "://www.customer.example/img/og-pricing.png" not in everything
        assert "://blog.customer.example/og.jpg" not in everything
        assert "://www.customer.example/favicon.ico" not in everything


async def test_a_visitor_on_a_page_outside_the_orgs_websites_shows_no_images_in_the_snapshot(
    server: Server,
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    async with (
        server.visitor(
            org, url="https://evil.example/page", og_image=SITE_ORIGIN + "/og.png"
        ) as outside,
        server.visitor(
            org, url=SITE_ORIGIN + "/", og_image="https://evil.example/og.png"
        ) as foreign_image,
    ):
        async with admin.socket() as console:
            assert console.snapshot is not None
            cards = {c["visitor_id"]: c for c in console.snapshot["visitors"]}
        outside_card = cards[outside.welcome["visitor_id"]]  # type: ignore[index]
        assert outside_card["og_image"] is None and outside_card["favicon"] is None
        foreign_card = cards[foreign_image.welcome["visitor_id"]]  # type: ignore[index]
        assert foreign_card["og_image"] is None
        assert _proxy_target(foreign_card["favicon"]) == SITE_ORIGIN + "/favicon.ico"
        assert "evil.example/og.png" not in _dumped(console.snapshot)


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        return struct.pack(">I", len(data)) + kind + data + crc

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


ICO = b"\x00\x00\x01\x00\x01\x00\x01\x01\x00\x00\x01\x00\x20\x00" + b"\x00" * 40


@pytest.fixture
async def website() -> AsyncIterator[str]:
    """The customer's website (on 127.0.0.1: the tests allow private targets)."""

    async def og(_: web.Request) -> web.Response:
        return web.Response(body=_png(), content_type="image/png")

    async def favicon(_: web.Request) -> web.Response:
        return web.Response(body=ICO, content_type="image/x-icon")

    app = web.Application()
    app.router.add_get("/og.png", og)
    app.router.add_get("/favicon.ico", favicon)
    site = TestServer(app, host="127.0.0.1")
    await site.start_server()
    yield f"http://127.0.0.1:{site.port}"
    await site.close()


async def test_a_console_loads_the_thumbnail_and_favicon_through_the_proxy(
    backend: Backend, website: str
) -> None:
    async with running_server(
        backend.database_url, backend.bus_url, backend.namespace, allow_private_targets=True
    ) as server:
        org = await server.create_org(origins=(website,))
        admin = await server.rep(org, role="admin")
        async with (
            admin.socket() as console,
            server.visitor(org, url=website + "/pricing", og_image=website + "/og.png") as visitor,
        ):
            vid = visitor.welcome["visitor_id"]  # type: ignore[index]
            card = (await console.expect("visitor.joined", visitor__visitor_id=vid))["visitor"]
        # Fetched as the console's browser does: same origin, the rep's cookie along.
        async with admin.http.get(server.url + card["og_image"]) as response:
            assert response.status == 200
            assert response.headers["Content-Type"] == "image/png"
            assert await response.read() == _png()
        async with admin.http.get(server.url + card["favicon"]) as response:
            assert response.status == 200
            assert response.headers["Content-Type"] == "image/x-icon"
            assert await response.read() == ICO
