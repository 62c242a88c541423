"""The OpenAI-compatible client against a local server that speaks that API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from frontdesk.features.copilot.greetings import (
    GreetingWriter,
    OpenAICompatibleModel,
    VisitorContext,
    check_text,
)

CONTEXT = VisitorContext(
    company="Initech",
    page_title="Pricing",
    page_url="https://acme.example/pricing",
    segment="Target accounts",
    first_name=None,
    rep_first_name="Dana",
)


@pytest.fixture
async def model_server() -> AsyncIterator[Callable[[Callable[[web.Request], object]], object]]:
    servers: list[TestServer] = []

    async def start(handler: Callable[[web.Request], object]) -> str:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", handler)  # type: ignore[arg-type]
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        servers.append(server)
        return f"http://127.0.0.1:{server.port}/v1"

    yield start  # type: ignore[misc]
    for server in servers:
        await server.close()


def _answer(text: str) -> dict[str, object]:
    return {
        "id": "x",
        "object": "chat.completion",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
        ],
    }


async def test_a_good_answer_is_used_as_written(model_server: Callable[..., object]) -> None:
    seen: list[dict[str, object]] = []

    async def good(request: web.Request) -> web.Response:
        seen.append(await request.json())
        assert request.headers["Authorization"] == "Bearer key-123"
        return web.json_response(
            _answer("Hi Initech team! Dana here. Comparing plans? Happy to help.")
        )

    url = await model_server(good)  # type: ignore[operator]
    written = await GreetingWriter(
        OpenAICompatibleModel(url, "small-model", "key-123", timeout=2)
    ).write("greeting", CONTEXT, [])
    assert (written.source, written.text) == (
        "model",
        "Hi Initech team! Dana here. Comparing plans? Happy to help.",
    )
    assert seen[0]["model"] == "small-model"
    assert "Initech" in str(seen[0]["messages"])


@pytest.mark.parametrize(
    ("behaviour", "why"),
    [
        ("slow", "TimeoutError"),
        ("malformed", "Expecting"),  # JSON decode error text
        ("placeholder", "placeholder"),
        ("foreign_link", "not allowed"),
        ("server_error", "HTTP 500"),
        ("no_choices", "choices"),
    ],
)
async def test_bad_or_slow_answers_fall_back_to_templates_without_holding_up_the_pounce(
    model_server: Callable[..., object], behaviour: str, why: str
) -> None:
    async def bad(request: web.Request) -> web.Response:
        if behaviour == "slow":
            await asyncio.sleep(3)
            return web.json_response(_answer("too late"))
        if behaviour == "malformed":
            return web.Response(text='{"choices": [', content_type="application/json")
        if behaviour == "placeholder":
            return web.json_response(_answer("Hi [Company Name] team! I'm {rep_name}."))
        if behaviour == "foreign_link":
            return web.json_response(_answer("Hi! See https://evil.example/offer for a deal."))
        if behaviour == "server_error":
            return web.Response(status=500, text="boom")
        return web.json_response({"choices": []})

    url = await model_server(bad)  # type: ignore[operator]
    started = asyncio.get_running_loop().time()
    written = await GreetingWriter(OpenAICompatibleModel(url, "m", None, timeout=0.5)).write(
        "greeting", CONTEXT, ["acme.example"]
    )
    elapsed = asyncio.get_running_loop().time() - started
    assert written.source == "template"
    assert (
        written.text
        == "Hi Initech team! Dana here. Comparing plans? Happy to help you find the right fit."
    )
    assert written.rejected is not None and why.lower() in written.rejected.lower()
    assert elapsed < 2.0  # the 0.5 s timeout, not the slow server, decides


def test_generated_text_is_checked_for_length_placeholders_and_links() -> None:
    assert check_text("Hi! Dana here.", []) is None
    assert check_text("x" * 300, []) == "too long (300 characters)"
    assert check_text("Hello #first_name#!", []) == "a placeholder is left in"
    assert check_text("See https://docs.acme.example/start", ["acme.example"]) is None
    assert (
        check_text("See https://acme.example.evil.com/", ["acme.example"])
        == "link to acme.example.evil.com is not allowed"
    )


async def test_without_a_configured_model_templates_write_greetings_from_page_and_company() -> None:
    writer = GreetingWriter(None)
    blog = VisitorContext(
        company=None,
        page_title="How we scaled",
        page_url="https://acme.example/blog/scaling",
        segment=None,
        first_name=None,
        rep_first_name="Sam",
    )
    assert (
        await writer.write("greeting", blog, [])
    ).text == "Hi! Enjoying the read? Sam here if you want the short version."
    assert (
        await writer.write("nudge", CONTEXT, [])
    ).text == "Still around, Initech team? Happy to answer a quick question."
