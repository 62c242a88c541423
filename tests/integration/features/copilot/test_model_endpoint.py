"""With an OpenAI-compatible endpoint (a local fake started here): grounded answers cite their
sources; an answer with a fact not in the passages, a placeholder, a foreign link, or a
timeout falls back to the offline result, with the reason logged."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from frontdesk.transport.api_copilot import COPILOT_KEY
from tests.conftest import Backend
from tests.harness import Server, running_server

KNOWLEDGE = """# Refund policy
We refund the full amount of your first payment when you ask within 30 days of it. Write to billing@tidewater.example.

# Payment methods
We accept Visa, Mastercard and American Express cards, and SEPA direct debit.
"""
Reply = Callable[[dict[str, Any]], Awaitable[str]]


class FakeModel:
    """Speaks POST /v1/chat/completions; answers with whatever the test sets."""

    def __init__(self) -> None:
        self.reply: Reply | None = None
        self.requests: list[dict[str, Any]] = []
        self.server: TestServer | None = None

    async def start(self) -> str:
        async def completions(request: web.Request) -> web.Response:
            body = await request.json()
            self.requests.append(body)
            assert self.reply is not None
            text = await self.reply(body)
            return web.json_response(
                {"choices": [{"index": 0, "message": {"role": "assistant", "content": text}}]}
            )

        app = web.Application()
        app.router.add_post("/v1/chat/completions", completions)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        return f"http://127.0.0.1:{self.server.port}/v1"

    def answer(self, text: str, delay: float = 0.0) -> None:
        async def reply(_: dict[str, Any]) -> str:
            if delay:
                await asyncio.sleep(delay)
            return text

        self.reply = reply


@pytest.fixture
async def with_model(sqlite_memory_backend: Backend) -> AsyncIterator[tuple[Server, FakeModel]]:
    model = FakeModel()
    url = await model.start()
    async with running_server(
        sqlite_memory_backend.database_url, "memory://", "unused", ai_url=url, ai_timeout=0.5
    ) as server:
        yield server, model
    assert model.server is not None
    await model.server.close()


async def _org_with_knowledge(server: Server) -> Any:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    await admin.request(
        "POST", "/api/copilot/knowledge/import", {"format": "markdown", "text": KNOWLEDGE}
    )
    await server.app[COPILOT_KEY].indexer.run_until_done()
    return admin


async def test_a_grounded_answer_is_shown_first_with_the_sources_it_cites(
    with_model: tuple[Server, FakeModel],
) -> None:
    server, model = with_model
    admin = await _org_with_knowledge(server)
    model.answer("Yes: if you ask within 30 days, we refund your first payment in full [1].")
    status, answer = await admin.request(
        "POST", "/api/copilot/suggest", {"question": "Can I get my money back?"}
    )
    assert status == 200 and answer["fallback_reason"] is None
    first = answer["suggestions"][0]
    assert first["origin"] == "model" and first["text"].endswith("[1].")
    assert [s["title"] for s in first["sources"]] == ["Refund policy"]
    # the model was given the passages, numbered, and told to cite them
    prompt = str(model.requests[0]["messages"])
    assert "[1] Refund policy" in prompt and "Cite every fact" in prompt
    # the offline answer is still offered below it
    assert answer["suggestions"][1]["origin"] == "knowledge"


@pytest.mark.parametrize(
    ("model_text", "delay", "reason"),
    [
        ("We refund within 60 days of purchase [1].", 0.0, "the number 60 is not in the sources"),
        ("Sure, Klarna handles refunds within 30 days [1].", 0.0, "the name 'Klarna'"),
        ("Hi [Name], refunds are possible within 30 days [1].", 0.0, "a placeholder is left in"),
        ("See https://refunds-r-us.example/form within 30 days [1].", 0.0, "refunds-r-us.example"),
        ("We refund within 30 days [1].", 2.0, "did not answer in time"),
    ],
)
async def test_a_model_answer_that_is_not_grounded_falls_back_to_the_offline_answer(
    with_model: tuple[Server, FakeModel],
    caplog: pytest.LogCaptureFixture,
    model_text: str,
    delay: float,
    reason: str,
) -> None:
    server, model = with_model
    admin = await _org_with_knowledge(server)
    model.answer(model_text, delay)
    with caplog.at_level(logging.INFO, logger="frontdesk.copilot"):
        status, answer = await admin.request(
            "POST", "/api/copilot/suggest", {"question": "Can I get my money back?"}
        )
    assert status == 200
    assert reason in answer["fallback_reason"]
    assert [s["origin"] for s in answer["suggestions"]] == ["knowledge"]
    assert "30 days" in answer["suggestions"][0]["text"]
    logged = [r for r in caplog.records if r.name == "frontdesk.copilot"]
    assert any(reason in str(getattr(r, "reason", "")) for r in logged), logged


async def test_expand_and_tune_use_the_model_only_when_it_keeps_the_facts(
    with_model: tuple[Server, FakeModel], caplog: pytest.LogCaptureFixture
) -> None:
    server, model = with_model
    admin = await _org_with_knowledge(server)
    notes = "- Growth $99/month\n- Priya calls 12 March"
    model.answer("Hi! Growth is $99 a month, and Priya will call you on 12 March.")
    status, written = await admin.request("POST", "/api/copilot/expand", {"notes": notes})
    assert (status, written["origin"], written["fallback_reason"]) == (200, "model", None)
    assert (written["knowledge"], written["sources"]) == ("not_used", [])
    # a few-shot prompt: examples of notes and the message made of them, then the notes
    system, user = model.requests[-1]["messages"][:2]
    assert system["content"].count("Example notes:") == 3 and user["content"].endswith(notes)
    model.answer("Hi! Growth is $89 a month, and Priya will call you on 12 March.")
    with caplog.at_level(logging.INFO, logger="frontdesk.copilot"):
        status, written = await admin.request("POST", "/api/copilot/expand", {"notes": notes})
    assert written["origin"] == "rules" and "$99" in written["fallback_reason"]
    assert "$99/month" in written["text"] and "Priya" in written["text"]
    model.answer("Yes you can get a refund, see https://elsewhere.example/r")
    status, tuned = await admin.request(
        "POST", "/api/copilot/tune", {"text": "hey u can get a refund thx", "tone": "casual"}
    )
    assert tuned["origin"] == "rules" and "elsewhere.example" in tuned["fallback_reason"]
    assert tuned["text"] == "Hey, you can get a refund. Thanks!"
