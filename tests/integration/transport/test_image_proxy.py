"""The image proxy (/img) is not an open relay (issue 12 item 9): it serves only URLs signed for
content we store (previews expire), nobody anonymous can get a URL signed, and it answers only
with whole, allowed images within the size limit."""

from __future__ import annotations

import asyncio
import struct
import zlib
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from frontdesk.features.formatting import image_proxy
from tests.conftest import Backend
from tests.harness import RepClient, Server, running_server


def _png(padding: int = 0) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        return struct.pack(">I", len(data)) + kind + data + crc

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + (chunk(b"tEXt", b"c\x00" + b"x" * padding) if padding else b"")
        + chunk(b"IEND", b"")
    )


MIDDLE_PNG = _png(padding=300 * 1024)  # bigger than one read of the stream, within 5 MB


@dataclass
class ImageHost:
    url: str
    hits: Counter[str]


@pytest.fixture
async def image_host() -> AsyncIterator[ImageHost]:
    hits: Counter[str] = Counter()

    async def chunked(request: web.Request, body_parts: list[bytes]) -> web.StreamResponse:
        # No Content-Length: the proxy learns the size only by reading.
        response = web.StreamResponse(headers={"Content-Type": "image/png"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        try:
            for index, part in enumerate(body_parts):
                if index:
                    # A slow network: the rest arrives a moment later.
                    await asyncio.sleep(0.02)
                await response.write(part)
            await response.write_eof()
        except ConnectionResetError:
            pass  # the proxy hung up once it had seen enough
        return response

    async def huge_chunked(request: web.Request) -> web.StreamResponse:
        hits["huge_chunked"] += 1
        return await chunked(request, [b"\x00" * 65536] * (7 * 16))  # 7 MB

    async def middle_chunked(request: web.Request) -> web.StreamResponse:
        hits["middle_chunked"] += 1
        half = len(MIDDLE_PNG) // 2
        return await chunked(request, [MIDDLE_PNG[:half], MIDDLE_PNG[half:]])

    async def ok(_: web.Request) -> web.Response:
        hits["ok"] += 1
        return web.Response(body=_png(), content_type="image/png")

    async def svg(_: web.Request) -> web.Response:
        return web.Response(
            text='<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            content_type="image/svg+xml",
        )

    app = web.Application()
    app.router.add_get("/huge-chunked.png", huge_chunked)
    app.router.add_get("/middle-chunked.png", middle_chunked)
    app.router.add_get("/ok.png", ok)
    app.router.add_get("/drawing.svg", svg)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield ImageHost(f"http://127.0.0.1:{server.port}", hits)
    await server.close()


@pytest.fixture
async def proxy_server(backend: Backend) -> AsyncIterator[Server]:
    # allow_private_targets: the image host runs on 127.0.0.1.
    async with running_server(
        backend.database_url, backend.bus_url, backend.namespace, allow_private_targets=True
    ) as server:
        yield server


async def _preview_src(rep: RepClient, url: str) -> str:
    status, body = await rep.request("POST", "/api/markdown/preview", {"body": f"![pic]({url})"})
    assert status == 200
    return str(body["html"].split('src="', 1)[1].split('"', 1)[0].replace("&amp;", "&"))


async def test_a_chunked_image_over_the_limit_is_refused_and_not_cached(
    proxy_server: Server, image_host: ImageHost
) -> None:
    org = await proxy_server.create_org()
    rep = await proxy_server.rep(org)
    src = await _preview_src(rep, image_host.url + "/huge-chunked.png")
    http = proxy_server.http()
    for attempt in (1, 2):
        async with http.get(proxy_server.url + src) as response:
            assert response.status == 413
            assert "larger than 5 MB" in await response.text()
            assert response.headers["Cache-Control"] == "no-store"
        # Fetched again each time: the refusal was not cached (nor a truncated image).
        assert image_host.hits["huge_chunked"] == attempt


async def test_a_chunked_image_within_the_limit_is_served_whole_and_cached(
    proxy_server: Server, image_host: ImageHost
) -> None:
    org = await proxy_server.create_org()
    rep = await proxy_server.rep(org)
    src = await _preview_src(rep, image_host.url + "/middle-chunked.png")
    http = proxy_server.http()
    for _ in range(2):
        async with http.get(proxy_server.url + src) as response:
            assert response.status == 200
            assert await response.read() == MIDDLE_PNG
    assert image_host.hits["middle_chunked"] == 1


async def test_proxied_images_are_served_with_nosniff_an_image_type_and_caching_headers(
    proxy_server: Server, image_host: ImageHost
) -> None:
    org = await proxy_server.create_org()
    rep = await proxy_server.rep(org)
    http = proxy_server.http()
    async with http.get(
        proxy_server.url + await _preview_src(rep, image_host.url + "/ok.png")
    ) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "image/png"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "public, max-age=86400"
        assert response.headers["Content-Security-Policy"] == "default-src 'none'"
    # SVG can script: refused, as plain text that no browser sniffs into anything else.
    async with http.get(
        proxy_server.url + await _preview_src(rep, image_host.url + "/drawing.svg")
    ) as response:
        assert response.status == 415
        assert response.headers["Content-Type"].startswith("text/plain")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "image/svg+xml is not an allowed image type" in await response.text()


async def test_a_signature_cannot_be_forged_nor_a_previews_expiry_extended(
    proxy_server: Server, image_host: ImageHost
) -> None:
    org = await proxy_server.create_org()
    rep = await proxy_server.rep(org)
    http = proxy_server.http()
    preview = parse_qs(urlsplit(await _preview_src(rep, image_host.url + "/ok.png")).query)
    url, expires, signature = preview["u"][0], preview["e"][0], preview["s"][0]
    for query in (
        {"u": url, "s": "forged"},
        {"u": url, "s": signature},  # a preview's signature without its expiry
        {"u": url, "e": str(int(expires) + 86400), "s": signature},
        {"u": image_host.url + "/other.png", "e": expires, "s": signature},
    ):
        async with http.get(proxy_server.url + "/img?" + urlencode(query)) as response:
            assert response.status == 403
            assert await response.text() == "unsigned image URL"
    assert image_host.hits["ok"] == 0


async def test_an_anonymous_visitor_cannot_get_an_image_url_signed(
    proxy_server: Server, image_host: ImageHost
) -> None:
    org = await proxy_server.create_org()
    rep = await proxy_server.rep(org, role="admin")
    # The markdown preview needs a signed-in rep.
    anonymous = proxy_server.http()
    async with anonymous.post(
        proxy_server.url + "/api/markdown/preview", json={"body": "![x](https://a.example/b.png)"}
    ) as response:
        assert response.status == 401
    relay = image_host.url + "/ok.png"
    # A visitor's message with an image, a clickable image and a GIF link: stored, but as
    # links (a visitor chose those URLs), never as signed proxy URLs.
    async with proxy_server.visitor(org, title=f"Pricing ![x]({relay}?via=title)") as visitor:
        vid = visitor.welcome["visitor_id"]  # type: ignore[index]
        body = (
            f"look ![x]({relay}?via=message) [![y]({relay}?via=clickable)](https://a.example)\n"
            "https://media.giphy.com/media/abc123/giphy.gif"
        )
        await visitor.send({"type": "message", "client_id": "c1", "body": body})
        first = (await visitor.expect("ack", client_id="c1"))["message"]
        await visitor.send({"type": "message", "client_id": "c2", "body": body})
        second = (await visitor.expect("ack", client_id="c2"))["message"]
        status, conversation = await rep.request(
            "GET", f"/api/conversations/{first['conversation_id']}"
        )
        assert status == 200
        # A rep's invitation filled in with the visitor's page title (visitor-chosen text).
        status, invitation = await rep.request(
            "POST", f"/api/visitors/{vid}/invitations/preview", {"message": "About #page_title#"}
        )
        assert status == 200
    # First message: the careful path (opens the chat); the second: the group-commit path.
    for html in (
        first["html"],
        second["html"],
        *(m["html"] for m in conversation["messages"]),
        invitation["html"],
    ):
        assert "<img" not in html and "/img?" not in html, html
    assert f'href="{relay}?via=message"' in first["html"]
    assert f'href="{relay}?via=message"' in second["html"]
    assert image_host.hits["ok"] == 0


async def test_images_in_a_reps_stored_message_are_signed_for_good(
    proxy_server: Server, image_host: ImageHost
) -> None:
    org = await proxy_server.create_org()
    rep = await proxy_server.rep(org)
    async with proxy_server.visitor(org) as visitor:
        await visitor.send({"type": "message", "client_id": "v", "body": "Hello!"})
        cid = (await visitor.expect("ack", client_id="v"))["message"]["conversation_id"]
        status, _ = await rep.request("POST", f"/api/conversations/{cid}/accept")
        assert status == 200
        status, sent = await rep.request(
            "POST",
            f"/api/conversations/{cid}/messages",
            {"client_id": "r1", "body": f"Here: ![chart]({image_host.url}/ok.png)"},
        )
        assert status == 200
    src = sent["message"]["html"].split('src="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    query = parse_qs(urlsplit(src).query)
    assert "e" not in query and image_proxy.verify(query["u"][0], query["s"][0])
    async with proxy_server.http().get(proxy_server.url + src) as response:
        assert response.status == 200 and await response.read() == _png()


async def test_a_missing_image_is_refused_and_browsers_remember_that_for_ten_minutes(
    proxy_server: Server, image_host: ImageHost
) -> None:
    # A website without /favicon.ico would otherwise be asked again for every card rendered.
    org = await proxy_server.create_org()
    rep = await proxy_server.rep(org)
    src = await _preview_src(rep, image_host.url + "/favicon.ico")
    async with proxy_server.http().get(proxy_server.url + src) as response:
        assert response.status == 502
        assert await response.text() == "image server answered 404"
        assert response.headers["Cache-Control"] == "public, max-age=600"
