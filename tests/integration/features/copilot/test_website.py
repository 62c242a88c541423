"""Website pages as knowledge: fetched from the org's sitemap, text extracted, re-fetched on
schedule after a change; pages elsewhere and private addresses are refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from frontdesk.features.copilot.website import extract
from tests.conftest import Backend
from tests.harness import Server, running_server

PAGE = """<!doctype html><html><head><title>Pricing - Tidewater</title>
<style>.x{{color:red}}</style><script>var secret = "not text";</script></head>
<body><nav><a href="/">Home</a> <a href="/pricing">Pricing</a></nav>
<main><h1>Pricing</h1><p>The Growth plan costs <strong>{price}</strong> per month.</p>
<ul><li>Up to 10 team members</li><li>2 million events</li></ul></main>
<footer>© Tidewater</footer></body></html>"""


class Site:
    """The org's website on 127.0.0.1: a sitemap, two pages, and a link elsewhere."""

    def __init__(self) -> None:
        self.price = "$99"
        self.server: TestServer | None = None
        self.hits: list[str] = []

    @property
    def origin(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.port}"

    async def start(self) -> None:
        async def sitemap(request: web.Request) -> web.Response:
            self.hits.append(request.path)
            body = (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<url><loc>{self.origin}/pricing</loc></url>"
                f"<url><loc>{self.origin}/moved</loc></url>"
                "<url><loc>https://elsewhere.example/page</loc></url>"
                "</urlset>"
            )
            return web.Response(text=body, content_type="application/xml")

        async def pricing(request: web.Request) -> web.Response:
            self.hits.append(request.path)
            return web.Response(text=PAGE.format(price=self.price), content_type="text/html")

        async def moved(request: web.Request) -> web.Response:
            self.hits.append(request.path)
            raise web.HTTPFound("https://elsewhere.example/landing")

        app = web.Application()
        app.router.add_get("/sitemap.xml", sitemap)
        app.router.add_get("/pricing", pricing)
        app.router.add_get("/moved", moved)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    s = Site()
    await s.start()
    yield s
    assert s.server is not None
    await s.server.close()


def test_page_text_is_the_main_content_without_scripts_navigation_or_footer() -> None:
    title, text = extract(PAGE.format(price="$99"))
    assert title == "Pricing - Tidewater"
    assert text == (
        "Pricing\n\nThe Growth plan costs $99 per month.\n\nUp to 10 team members\n\n2 million events"
    )


async def test_pages_from_the_sitemap_are_fetched_and_fetched_again_after_a_change(
    backend: Backend, site: Site
) -> None:
    # The test site runs on 127.0.0.1, so this server allows private targets (as an operator can).
    async with running_server(
        backend.database_url, backend.bus_url, backend.namespace, allow_private_targets=True
    ) as server:
        org = await server.create_org(origins=(site.origin,))
        admin = await server.rep(org, role="admin")
        status, source = await admin.request(
            "POST",
            "/api/copilot/sources",
            {"kind": "sitemap", "urls": [f"{site.origin}/sitemap.xml"], "refresh_hours": 6},
        )
        assert status == 200 and source["status"] == "pending"
        await server.runtime.sweeper.run_due()
        status, sources = await admin.request("GET", "/api/copilot/sources")
        fetched = sources["sources"][0]
        assert (fetched["status"], fetched["pages_fetched"]) == ("ok", 1)
        # the page elsewhere was never asked for; the redirect away from the site was refused
        assert "elsewhere.example" in fetched["last_error"]
        assert "/moved" in site.hits
        await _answer_is(server, admin, "How much is the Growth plan?", "$99")

        site.price = "$109"
        server.clock.advance(timedelta(hours=5).total_seconds())  # type: ignore[attr-defined]
        await server.runtime.sweeper.run_due()
        await _answer_is(server, admin, "How much is the Growth plan?", "$99")
        server.clock.advance(timedelta(hours=1, seconds=1).total_seconds())  # type: ignore[attr-defined]
        await server.runtime.sweeper.run_due()
        await _answer_is(server, admin, "How much is the Growth plan?", "$109")
        status, listed = await admin.request("GET", "/api/copilot/knowledge?kind=page")
        assert [(i["url"], i["title"]) for i in listed["items"]] == [
            (f"{site.origin}/pricing", "Pricing - Tidewater")
        ]


async def _answer_is(server: Server, admin: object, question: str, expected: str) -> None:
    status, answer = await admin.request("POST", "/api/copilot/suggest", {"question": question})  # type: ignore[attr-defined]
    assert status == 200
    snippet = answer["closest"][0]["snippet"]
    assert expected + " per month" in snippet, snippet
    assert answer["closest"][0]["source"]["url"].endswith("/pricing")


async def test_a_page_on_another_origin_or_a_private_address_is_refused(
    server: Server, site: Site
) -> None:
    # This server does not allow private targets (the default).
    org = await server.create_org(origins=("https://www.tidewater.example", site.origin))
    admin = await server.rep(org, role="admin")
    status, body = await admin.request(
        "POST", "/api/copilot/sources", {"kind": "urls", "urls": ["https://elsewhere.example/faq"]}
    )
    assert status == 422 and "not on your website" in body["error"]["message"]
    status, body = await admin.request(
        "POST", "/api/copilot/sources", {"kind": "urls", "urls": [f"{site.origin}/pricing"]}
    )
    assert status == 422 and "private or loopback" in body["error"]["message"]
    assert site.hits == []
    rep = await server.rep(org)
    status, _ = await rep.request(
        "POST", "/api/copilot/sources", {"kind": "urls", "urls": ["https://www.tidewater.example/"]}
    )
    assert status == 403
