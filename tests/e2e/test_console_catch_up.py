"""A console that missed part of a long chat gets it back whole, in Debian's Chromium.

Each answer to the console's `resume` carries at most about 256 KB of messages, the earliest
first (ANSWER_BYTES, features/conversations/queries.py): the console asks for the next piece
while its copy stops short of the conversation's last seq, two answers on their way at most.
Before, one answer carried the whole chat; over 1 MB unread the server cut the socket off
(4408), and the console asked for the same again on every reconnect, without end.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from tests.conftest import Backend
from tests.e2e.console_env import BROWSER_MARKS, ConsoleEnv, console_env, expect
from tests.e2e.test_widget_e2e import eventually
from tests.harness import PASSWORD, Socket

pytest.importorskip("playwright.async_api")
pytestmark = BROWSER_MARKS

# 70 messages of 9,000 characters: about 1.3 MB of frames with their HTML, over the 1 MB a
# socket may have unread (sockets.MAX_BUFFERED_BYTES) if it came as one answer.
LONG = [f"{n} " + "long question " * 640 for n in range(70)]

SEQS_SHOWN = """() => [...document.querySelectorAll('[aria-label="Transcript"] [data-seq]')]
  .map((e) => Number(e.getAttribute('data-seq')))"""


@pytest_asyncio.fixture(loop_scope="session")
async def env(
    sqlite_memory_backend: Backend, artifacts_dir: Path, browser: Any
) -> AsyncIterator[ConsoleEnv]:
    # The visitor's messages come faster than a person types them (the test's long chat).
    async with console_env(
        sqlite_memory_backend,
        artifacts_dir,
        browser,
        visitor_frame_limits={"message": "200/10 seconds"},
    ) as e:
        yield e


class RepSocketTap:
    """Between the console and the server: records the frames the console sends, and while
    `cut` is set, drops the chat's `message` frames on their way to the console (as a bus
    that lost them would)."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.cut = False
        self.refuse = False  # the server cannot be reached: every new socket closes at once
        self.dropped = 0
        self.page_sides: list[Any] = []

    def __call__(self, ws: Any) -> None:
        if self.refuse:
            asyncio.get_running_loop().create_task(ws.close(code=1006))
            return
        server = ws.connect_to_server()
        self.page_sides.append(ws)

        def down(raw: str | bytes) -> None:
            if self.cut and json.loads(raw).get("type") == "message":
                self.dropped += 1
                return
            ws.send(raw)

        def up(raw: str | bytes) -> None:
            self.sent.append(json.loads(raw))
            server.send(raw)

        server.on_message(down)
        ws.on_message(up)

    async def all_dropped(self) -> bool:
        """Every message of the long chat has reached the tap (and gone no further)."""
        return self.dropped >= len(LONG)

    def resumes(self) -> list[int]:
        return [f["after_seq"] for f in self.sent if f["type"] == "resume"]


async def console_with_tap(env: ConsoleEnv) -> tuple[Any, RepSocketTap]:
    """A rep's console, signed in and live, its socket tapped."""
    tap = RepSocketTap()
    context = await env.browser.new_context(viewport={"width": 1280, "height": 800})
    await context.route_web_socket(re.compile(r".*/ws/rep$"), tap)
    rep = await context.new_page()
    await rep.goto(env.server.url + "/login")
    await rep.get_by_label("Email").fill(env.reps[0].email)
    await rep.get_by_label("Password").fill(PASSWORD)
    await rep.get_by_role("button", name="Sign in").click()
    await expect(rep.get_by_role("status", name="Connection: Live")).to_be_visible(timeout=10_000)
    return rep, tap


async def open_chat_with_tap(env: ConsoleEnv, visitor: Socket) -> tuple[Any, RepSocketTap, str]:
    """A rep's console, its socket tapped, showing the visitor's chat (accepted over HTTP)."""
    rep, tap = await console_with_tap(env)
    await visitor.send({"type": "message", "client_id": uuid.uuid4().hex, "body": "hello"})
    cid = str((await visitor.expect("ack"))["message"]["conversation_id"])
    api = await env.api(env.reps[0])
    status, body = await api.request("POST", f"/api/conversations/{cid}/accept")
    assert status == 200, body
    await rep.goto(f"{env.server.url}/app/conversations/{cid}")
    await expect(rep.get_by_role("log", name="Transcript")).to_contain_text("hello")
    # The page's new socket is live (its snapshot came), so the chat's frames go to it.
    await expect(rep.get_by_role("status", name="Connection: Live")).to_be_visible(timeout=10_000)
    return rep, tap, cid


async def write_long_chat(visitor: Socket) -> int:
    for body in LONG:
        await visitor.send({"type": "message", "client_id": uuid.uuid4().hex, "body": body})
    last = 0
    for _ in LONG:
        last = (await visitor.expect("ack", timeout=30))["message"]["seq"]
    return int(last)


async def miss_a_long_chat(env: ConsoleEnv, visitor: Socket) -> tuple[Any, RepSocketTap, int, int]:
    """A console showing the visitor's chat, whose socket loses the long chat's every message
    on the way. Returns the console, its tap, how many sockets it had opened, the last seq."""
    rep, tap, _ = await open_chat_with_tap(env, visitor)
    sockets = len(tap.page_sides)
    tap.cut = True
    last_seq = await write_long_chat(visitor)
    assert await eventually(tap.all_dropped, timeout=15, what="the long chat to be lost")
    tap.cut = False
    return rep, tap, sockets, last_seq


async def whole(rep: Any, last_seq: int) -> list[int]:
    async def shown() -> list[int]:
        seqs: list[int] = await rep.evaluate(SEQS_SHOWN)
        return seqs if seqs and seqs[-1] == last_seq and len(seqs) == last_seq else []

    result: list[int] = await eventually(shown, timeout=30, what="the whole chat")
    return result


async def test_a_console_that_lost_a_long_chat_on_the_bus_gets_it_back_in_pieces(
    env: ConsoleEnv,
) -> None:
    async with env.visitor_socket() as visitor:
        rep, tap, sockets, _ = await miss_a_long_chat(env, visitor)
        await visitor.send({"type": "message", "client_id": uuid.uuid4().hex, "body": "still?"})
        last_seq = int((await visitor.expect("ack", timeout=10))["message"]["seq"])

        # The frame above the gap shows it: the console asks from where its copy stops, then
        # for the next piece after each answer, until every message shows once, in order.
        assert await whole(rep, last_seq) == list(range(1, last_seq + 1))
        transcript = rep.get_by_role("log", name="Transcript")
        await expect(transcript).to_contain_text("still?")
        asked = tap.resumes()
        assert 5 <= len(asked) <= 9 and asked == sorted(set(asked)), asked
        assert len(tap.page_sides) == sockets, "the socket was cut off and reconnected"
        await expect(rep.get_by_role("status", name="Connection: Live")).to_be_visible()
        await asyncio.sleep(1)
        assert tap.resumes() == asked, "it kept asking"


async def test_a_console_that_reconnects_after_a_long_chat_shows_it_whole(
    env: ConsoleEnv,
) -> None:
    async with env.visitor_socket() as visitor:
        rep, tap, sockets, last_seq = await miss_a_long_chat(env, visitor)
        # The connection drops; the console reconnects by itself, and its snapshot says how
        # far the chat has got.
        tap.sent.clear()
        await tap.page_sides[-1].close(code=4000)
        assert await whole(rep, last_seq) == list(range(1, last_seq + 1))
        asked = tap.resumes()
        assert 5 <= len(asked) <= 9 and asked == sorted(set(asked)), asked
        assert [f["last_seqs"] for f in tap.sent if f["type"] == "hello"] == [{}]
        await expect(rep.get_by_role("status", name="Connection: Live")).to_be_visible()
        assert len(tap.page_sides) == sockets + 1, "one reconnect, not a loop of them"


# In-app navigation, as a click on a link in the console does (router.ts).
GO_TO = """(path) => { history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate')); }"""


async def test_a_console_keeps_the_last_30_chats_it_opened_and_catches_up_only_those(
    env: ConsoleEnv,
) -> None:
    kept = 30  # store.ts TRANSCRIPTS_KEPT
    async with contextlib.AsyncExitStack() as stack:
        visitors = [await stack.enter_async_context(env.visitor_socket()) for _ in range(kept + 5)]
        chats = []
        for n, visitor in enumerate(visitors):
            await visitor.send(
                {"type": "message", "client_id": uuid.uuid4().hex, "body": f"hi {n}"}
            )
            chats.append(str((await visitor.expect("ack"))["message"]["conversation_id"]))
        rep, tap = await console_with_tap(env)
        transcript = rep.get_by_role("log", name="Transcript")
        for n, cid in enumerate(chats):  # the rep looks at each chat in turn, in the console
            await rep.evaluate(GO_TO, f"/app/conversations/{cid}")
            await expect(transcript).to_contain_text(f"hi {n}")

        # The network goes away; meanwhile every visitor writes again.
        tap.refuse = True
        tap.sent.clear()
        await tap.page_sides[-1].close(code=4000)
        await expect(rep.get_by_role("status", name="Connection: Live")).not_to_be_visible()
        for n, visitor in enumerate(visitors):
            await visitor.send(
                {"type": "message", "client_id": uuid.uuid4().hex, "body": f"again {n}"}
            )
            await visitor.expect("ack")
        tap.refuse = False

        # Back: it catches up the 30 chats opened last (the one on screen among them), not
        # every chat opened since the page loaded; the first 5 load whole when opened again.
        await expect(transcript).to_contain_text(f"again {len(chats) - 1}", timeout=30_000)

        async def all_asked() -> set[str]:
            asked = {f["conversation_id"] for f in tap.sent if f["type"] == "resume"}
            return asked if len(asked) >= kept else set()

        assert await eventually(all_asked, timeout=20, what="the kept chats to catch up") == set(
            chats[-kept:]
        )
        await asyncio.sleep(1)
        assert {f["conversation_id"] for f in tap.sent if f["type"] == "resume"} == set(
            chats[-kept:]
        ), "it asked for a chat it no longer keeps"
        await rep.evaluate(GO_TO, f"/app/conversations/{chats[0]}")
        await expect(transcript).to_contain_text("again 0")
        await expect(transcript).to_contain_text("hi 0")


@pytest.mark.parametrize("width", [390, 360])
async def test_on_a_phone_the_reconnecting_notice_fits_and_leaves_the_page_s_name_whole(
    env: ConsoleEnv, width: int
) -> None:
    rep, tap = await console_with_tap(env)
    await rep.set_viewport_size({"width": width, "height": 844})
    await rep.evaluate(GO_TO, "/app/conversations")
    title = rep.get_by_role("heading", level=1)
    await expect(title).to_have_text("Conversations")

    tap.refuse = True  # the network goes away
    await tap.page_sides[-1].close(code=4000)
    notice = rep.get_by_role("status").filter(has_text="updates paused")
    await expect(notice).to_be_visible()
    await expect(notice).to_contain_text("updates paused")
    assert await title.evaluate("el => el.scrollWidth <= el.clientWidth"), "the title is cut off"
    box = await notice.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    assert await notice.evaluate("el => el.scrollWidth <= el.clientWidth"), "the notice is cut"
    await env.shot(rep, f"console-reconnecting-{width}")

    tap.refuse = False  # back: the console reconnects by itself and the notice goes
    await expect(rep.get_by_role("status", name="Connection: Live")).to_be_visible(timeout=20_000)
    await expect(notice).not_to_be_visible()
