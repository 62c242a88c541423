"""Issue 15: call set-up time between two real browsers, on loopback.

A Frontdesk server (in this process: SQLite + the in-process bus), the demo website with the
widget, Dana's console and a visitor's page in Debian's Chromium with fake media devices
(driven by Playwright), in a chat. Measured:

  - set-up: Dana clicks "Video call" -> the visitor clicks "Join with video" as soon as it
    shows -> both sides receive audio and video (inbound RTP byte counters above zero, WebRTC
    getStats). p50 / p95 over N calls, direct (host candidates) and relayed (a real coturn
    started here, iceTransportPolicy "relay", per-call credentials);
  - re-join: the visitor's page loads again mid-call -> the visitor receives audio and video
    again on its new peer connection (the rep's console offers again by itself). p50 / p95;
  - rep re-join: the rep reloads the console mid-call -> the console joins the same call again
    by itself and both sides receive audio and video again, each on a new peer connection
    (the visitor does nothing). p50 / p95.

The visitor's click is made the moment the button shows, so the figure is the product's time,
not a person's. Figures are printed; nothing is asserted.

    PYTHONPATH=src .venv/bin/python bench/call_setup.py [--calls 20] [--rejoins 10] [--no-relay]
        [--only-rejoins | --only-relay]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from tests.conftest import Backend  # noqa: E402
from tests.e2e.conftest import TestBrowser  # noqa: E402
from tests.e2e.console_env import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    ConsoleEnv,
    console_env,
    expect,
    inbox_row,
    open_inbox,
    until_true,
)
from tests.support.coturn import running_coturn  # noqa: E402

from bench._common import percentile  # noqa: E402
from frontdesk.storage.db import create_engine  # noqa: E402
from frontdesk.storage.migrate import upgrade  # noqa: E402

MEDIA_ARGS = [
    *CHROMIUM_ARGS,
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--allow-loopback-in-peer-connection",
    "--autoplay-policy=no-user-gesture-required",
]
FLOWING = (
    "async () => { const c = {0}; if (!c) return false; const s = await c.inbound(); "
    "return s.audio > 0 && s.video > 0; }"
)
REP = "window.__frontdeskCall"
BENCH_REP_LIMITS = {
    kind: "1000/minute" for kind in ("call_start", "call_hangup", "call_rejoin", "call_offer")
}
BENCH_VISITOR_LIMITS = {
    kind: "1000/minute"
    for kind in (
        "call_ringing",
        "call_accept",
        "call_answer",
        "call_connected",
        "call_rejoin",
        "call_hangup",
        "call_media",
    )
}
VISITOR = "(window.__frontdeskBridge && window.__frontdeskBridge.call)"


async def _chat(env: ConsoleEnv) -> tuple[Any, Any]:
    dana = await env.console(env.reps[0], available=True, width=1280, height=800)
    visitor = await env.visitor_page("/pricing.html")
    question = f"Call me? ({secrets.token_hex(3)})"
    await visitor.get_by_role("button", name="Open chat").click()
    await visitor.get_by_role("textbox", name="Message").fill(question)
    await visitor.get_by_role("button", name="Send message").click()
    await open_inbox(dana, "Incoming")
    await inbox_row(dana, question).get_by_role("button", name=re.compile("^Accept chat")).click()
    await expect(dana).to_have_url(re.compile(r"/app/conversations/[0-9a-f]{32}$"))
    return dana, visitor


async def _flowing(page: Any, who: str) -> None:
    await until_true(page, FLOWING.replace("{0}", who), timeout=30, every=0.02)


async def _ended(dana: Any, visitor: Any) -> None:
    await expect(dana.get_by_role("button", name="End call")).to_have_count(0)
    await expect(visitor.get_by_role("button", name="End call")).to_be_hidden()
    # The box says how the last call ended for 6 s; the next call may start at once.


async def set_up_times(env: ConsoleEnv, calls: int) -> list[float]:
    dana, visitor = await _chat(env)
    times: list[float] = []
    for _ in range(calls):
        started = time.perf_counter()
        await dana.get_by_role("button", name="Video call").click()
        await visitor.get_by_role("button", name="Join with video").click()
        try:
            await asyncio.gather(_flowing(dana, REP), _flowing(visitor, VISITOR))
        except TimeoutError:
            rep_state = await dana.evaluate(f"{REP}.state()")
            visitor_state = await visitor.evaluate(f"{VISITOR}.state()")
            print(f"  call {len(times) + 1}: no media after 30 s: {rep_state} {visitor_state}")
            raise
        times.append(time.perf_counter() - started)
        await dana.get_by_role("button", name="End call").click()
        await _ended(dana, visitor)
    return times


async def rejoin_times(env: ConsoleEnv, rejoins: int) -> list[float]:
    dana, visitor = await _chat(env)
    await dana.get_by_role("button", name="Video call").click()
    await visitor.get_by_role("button", name="Join with video").click()
    await asyncio.gather(_flowing(dana, REP), _flowing(visitor, VISITOR))
    times: list[float] = []
    pages = ["/index.html", "/pricing.html"]
    for n in range(rejoins):
        started = time.perf_counter()
        await visitor.goto(env.site + pages[n % 2])
        await _flowing(visitor, VISITOR)
        times.append(time.perf_counter() - started)
    await dana.get_by_role("button", name="End call").click()
    return times


async def rep_rejoin_times(env: ConsoleEnv, rejoins: int) -> list[float]:
    dana, visitor = await _chat(env)
    await dana.get_by_role("button", name="Video call").click()
    await visitor.get_by_role("button", name="Join with video").click()
    await asyncio.gather(_flowing(dana, REP), _flowing(visitor, VISITOR))
    times: list[float] = []
    for _ in range(rejoins):
        peers = await visitor.evaluate(f"{VISITOR}.state().peers")
        started = time.perf_counter()
        await dana.reload()
        await asyncio.gather(
            # The reloaded console's own (new) peer connection, and the visitor's new one.
            _flowing(dana, REP),
            until_true(
                visitor,
                f"async (n) => {{ const c = {VISITOR}; if (c.state().peers <= n) return false; "
                "const s = await c.inbound(); return s.audio > 0 && s.video > 0; }",
                peers,
                timeout=30,
                every=0.02,
            ),
        )
        times.append(time.perf_counter() - started)
    await dana.get_by_role("button", name="End call").click()
    return times


def report(label: str, times: list[float], bar: str) -> None:
    ms = [t * 1000 for t in times]
    print(
        f"  {label:<34} n={len(ms):<3} p50 {percentile(ms, 50):7.0f} ms   "
        f"p95 {percentile(ms, 95):7.0f} ms   max {max(ms):7.0f} ms   "
        f"mean {statistics.mean(ms):7.0f} ms   ({bar})"
    )


async def main(args: argparse.Namespace) -> None:
    from playwright.async_api import async_playwright

    with tempfile.TemporaryDirectory(prefix="fd-call-bench-") as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/frontdesk.db"
        engine = create_engine(url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()
        backend = Backend("sqlite+memory", url, "memory://", "unused")
        artifacts = Path(tmp)
        secret = secrets.token_urlsafe(24)
        async with async_playwright() as playwright:
            chromium = await playwright.chromium.launch(
                executable_path=CHROMIUM, args=MEDIA_ARGS, headless=not args.headed
            )
            browser = TestBrowser(chromium)
            try:
                print(
                    f"Call set-up on loopback, {args.calls} calls each, {args.rejoins} re-joins "
                    "each (Chromium, fake devices)"
                )
                # One rep and one visitor make calls back to back here, faster than the limits
                # allow people (docs/protocol.md, Limits): the bench raises them.
                fast = {
                    "rep_frame_limits": BENCH_REP_LIMITS,
                    "visitor_frame_limits": BENCH_VISITOR_LIMITS,
                }
                if not args.only_relay:
                    async with console_env(backend, artifacts, browser, **fast) as env:
                        if not args.only_rejoins:
                            report(
                                "direct: click -> media", await set_up_times(env, args.calls), "-"
                            )
                        report(
                            "re-join after a page load",
                            await rejoin_times(env, args.rejoins),
                            "bar: p95 < 3 s",
                        )
                        report(
                            "rep re-join after a console reload",
                            await rep_rejoin_times(env, args.rejoins),
                            "bar: p95 < 3 s",
                        )
                if not args.no_relay and not args.only_rejoins:
                    with running_coturn(secret) as port:
                        relay = {
                            "turn_urls": (f"turn:127.0.0.1:{port}?transport=udp",),
                            "turn_secret": secret,
                            "ice_transport_policy": "relay",
                            **fast,
                        }
                        async with console_env(backend, artifacts, browser, **relay) as env:
                            report(
                                "relayed (coturn): click -> media",
                                await set_up_times(env, args.calls),
                                "bar: p95 < 1.5 s",
                            )
            finally:
                await browser.close_all()
                await chromium.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--rejoins", type=int, default=10)
    parser.add_argument("--no-relay", action="store_true", help="skip the coturn run")
    parser.add_argument("--only-relay", action="store_true", help="only the coturn set-ups")
    parser.add_argument(
        "--only-rejoins", action="store_true", help="only the visitor's and the rep's re-joins"
    )
    parser.add_argument("--headed", action="store_true")
    asyncio.run(main(parser.parse_args()))
