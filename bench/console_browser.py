"""Issue 4: the rep console under a busy site, in a real browser.

One `frontdesk serve` process (SQLite + in-process bus) holds N visitor sockets opened like the
widget opens them (Origin, hello with a page). An admin signs in to the console in Debian's
Chromium (driven by Playwright) and watches the live stream while this process drives U visitor
updates a second for D seconds: activity changes (active / another tab / idle) and page views
(single-page navigations), spread at random over the visitors. The server coalesces them into
at most four `batch` frames a second per console.

Figures (printed; nothing is asserted):
  - snapshot: time from sign-in to the stream showing all N visitors, and the console's own
    measure of applying the snapshot (store + render);
  - steady: per batch frame, time to apply and render it (the console's counters in
    window.__frontdeskPerf), long tasks (> 50 ms main-thread blocks, PerformanceObserver),
    animation frames (requestAnimationFrame intervals: p50, p99, share over 50 ms), while one
    column is also scrolled continuously;
  - footprint: DOM elements and JS heap after the run.

    .venv/bin/python bench/console_browser.py [--visitors 2000] [--rate 200] [--seconds 20]
                                              [--headed] [--record]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._common import (
    MACHINE,
    PASSWORD,
    PYTHON,
    SITE,
    OtherLoad,
    Servers,
    append_results,
    backend,
    cpu_of,
    frontdesk_server,
    gather_limited,
    log,
    percentile,
    raise_fd_limit,
    setup_org,
    source_label,
    wait_for_quiet,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # A console left in a background tab must still be measured at full speed.
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
]
PAGES = [
    ("/", "Northwind Analytics: product analytics on your warehouse"),
    ("/pricing", "Pricing"),
    ("/product/funnels", "Funnels"),
    ("/product/retention", "Retention"),
    ("/customers", "Customers"),
    ("/blog/scaling-analytics", "Scaling analytics without pipelines"),
    ("/careers", "Careers"),
    ("/docs/getting-started", "Getting started"),
    ("/compare/amplitude", "Northwind vs Amplitude"),
    ("/security", "Security"),
]
ACTIVITIES = ["active", "active", "active", "another_tab", "idle"]

# Installed before the console loads: long tasks and animation-frame intervals.
PROBE = """
(() => {
  const probe = { longtasks: [], longtaskAt: [], frames: [], recording: false, startedAt: 0 };
  window.__benchProbe = probe;
  try {
    new PerformanceObserver((list) => {
      if (!probe.recording) return;
      for (const e of list.getEntries()) {
        probe.longtasks.push(e.duration);
        probe.longtaskAt.push(Math.round(e.startTime - probe.startedAt));
      }
    }).observe({ type: "longtask", buffered: false });
  } catch (e) {}
  let last = performance.now();
  const tick = (t) => {
    if (probe.recording) probe.frames.push(t - last);
    last = t;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
"""


SEGMENTS = [
    ("Evaluating pricing", "#dc2626", False, "/pricing"),
    ("Product pages", "#ea580c", False, "/product/"),
    ("Comparing us", "#7c3aed", False, "/compare/"),
    ("Reading the blog", "#2563eb", False, "/blog/"),
    ("Job seekers", "#94a3b8", True, "/careers"),
]


async def create_segments(base_url: str, admin_email: str) -> int:
    """A few segments on the page URL, so the stream has several columns like a real org's."""
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        async with http.post(
            base_url + "/api/auth/login", json={"email": admin_email, "password": PASSWORD}
        ) as r:
            csrf = (await r.json())["csrf_token"]
        made = 0
        for name, color, cold, path in SEGMENTS:
            rules = {
                "match": "all",
                "conditions": [{"field": "page.url", "op": "contains", "value": path}],
            }
            async with http.post(
                base_url + "/api/segments",
                json={"name": name, "color": color, "cold": cold, "rules": rules},
                headers={"X-CSRF-Token": csrf},
            ) as r:
                made += r.status == 200
        return made + 1  # and the catch-all column


def chromium_cpu() -> float:
    """CPU seconds of every Chromium process this benchmark started (the browser, its
    renderer and GPU/utility processes)."""
    import psutil

    me = psutil.Process()
    return cpu_of([p.pid for p in me.children(recursive=True) if "chrom" in p.name().lower()])


def page_frame(i: int) -> dict[str, Any]:
    path, title = random.choice(PAGES)
    return {"url": f"{SITE}{path}?v={i}", "title": title, "referrer": "https://search.example/"}


async def open_visitor(
    http: aiohttp.ClientSession, ws_url: str, site_key: str, i: int
) -> aiohttp.ClientWebSocketResponse:
    ws = await http.ws_connect(
        f"{ws_url}/ws/visitor?site={site_key}", origin=SITE, compress=0, max_msg_size=0
    )
    hello = {
        "type": "hello",
        "token": None,
        "page": page_frame(i),
        "resumed": False,
        "last_seq": 0,
        "tab_id": f"t{i}",
    }
    await ws.send_str(orjson.dumps(hello).decode())
    while True:
        msg = await ws.receive(timeout=60)
        if msg.type != aiohttp.WSMsgType.TEXT:
            raise RuntimeError(f"visitor {i} closed before welcome: {msg.type}")
        if orjson.loads(msg.data).get("type") == "welcome":
            return ws


async def drain(ws: aiohttp.ClientWebSocketResponse) -> None:
    """Reads (and drops) what the server sends a visitor, so its socket never backs up."""
    async for _ in ws:
        pass


async def drive(
    sockets: list[aiohttp.ClientWebSocketResponse],
    rate: int,
    seconds: float,
    sent_urls: dict[str, float],
) -> int:
    """Sends `rate` updates a second for `seconds`, in 20 ms slices. Each page view goes to a
    URL used once, noted in `sent_urls` with the wall-clock time (ms) it was sent."""
    sent = 0
    slice_s = 0.02
    per_slice = rate * slice_s
    carry = 0.0
    loop = asyncio.get_running_loop()
    start = loop.time()
    next_at = start
    while loop.time() - start < seconds:
        carry += per_slice
        n = int(carry)
        carry -= n
        for _ in range(n):
            i = random.randrange(len(sockets))
            if random.random() < 0.6:
                frame = {"type": "activity", "state": random.choice(ACTIVITIES)}
            else:
                page = page_frame(10**7 + sent)
                frame = {"type": "page_view", "page": page}
                sent_urls[page["url"]] = time.time() * 1000
            try:
                await sockets[i].send_str(orjson.dumps(frame).decode())
                sent += 1
            except ConnectionError:
                pass
        next_at += slice_s
        await asyncio.sleep(max(0.0, next_at - loop.time()))
    return sent


def summarise(values: list[float]) -> str:
    if not values:
        return "none"
    return (
        f"n={len(values)} p50 {percentile(values, 50):.1f} ms, p95 {percentile(values, 95):.1f} ms, "
        f"p99 {percentile(values, 99):.1f} ms, max {max(values):.1f} ms"
    )


async def run(args: argparse.Namespace) -> str:
    from playwright.async_api import async_playwright

    raise_fd_limit()
    wait_for_quiet(args.quiet_wait)
    with backend("sqlite") as b, Servers() as servers:
        site_key, _ = setup_org(b)
        admin_email = f"admin-{uuid.uuid4().hex[:6]}@bench.example"
        b.cli(
            "create-rep",
            "--org",
            site_key,
            "--email",
            admin_email,
            "--name",
            "Bench Admin",
            "--role",
            "admin",
            "--password",
            PASSWORD,
        )
        spec = frontdesk_server(b, "console-bench")
        if args.server_profile:
            # cProfile writes the file when the server exits (Servers stops it with SIGTERM).
            spec.cmd = [PYTHON, "-m", "cProfile", "-o", args.server_profile, *spec.cmd]
        server = servers.start(spec)
        log(f"server on {server.url}; opening {args.visitors} visitor sockets")

        http = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0), timeout=aiohttp.ClientTimeout(total=None)
        )
        columns = await create_segments(server.url, admin_email)
        log(f"live stream columns: {columns}")
        sockets: list[aiohttp.ClientWebSocketResponse] = []
        drains: list[asyncio.Task[None]] = []
        try:
            t = time.monotonic()
            sockets = await gather_limited(
                [open_visitor(http, server.ws_url, site_key, i) for i in range(args.visitors)], 100
            )
            drains = [asyncio.create_task(drain(ws)) for ws in sockets]
            log(f"{len(sockets)} visitors connected in {time.monotonic() - t:.1f} s")

            async with async_playwright() as p:
                browser = await p.chromium.launch(
                    executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=not args.headed
                )
                consoles = [("this build", None)]
                if args.baseline_bundle:
                    consoles.append(("baseline", Path(args.baseline_bundle)))
                opened = [
                    await open_console(browser, server.url, admin_email, args.visitors, bundle)
                    for _, bundle in consoles
                ]
                pages = [o[0] for o in opened]
                for page in pages:
                    await start_recording(page)
                log(
                    f"stream shows {args.visitors} visitors in {len(pages)} console(s); driving {args.rate} updates/s for {args.seconds:.0f} s"
                )
                page = pages[0]
                cdp = None
                if args.profile:
                    cdp = await page.context.new_cdp_session(page)
                    await cdp.send("Profiler.enable")
                    await cdp.send("Profiler.setSamplingInterval", {"interval": 200})
                    await cdp.send("Profiler.start")
                if args.trace:
                    await browser.start_tracing(
                        page=page, path=args.trace, categories=["devtools.timeline", "v8.execute"]
                    )
                # Scroll the first column up and down while updates stream in.
                other = OtherLoad()
                other.start()
                cpu_at = (
                    time.monotonic(),
                    server.cpu_seconds(),
                    cpu_of([os.getpid()]),
                    chromium_cpu(),
                )
                scrollers = [asyncio.create_task(scroll_column(pg, args.seconds)) for pg in pages]
                sent_urls: dict[str, float] = {}
                sent = await drive(sockets, args.rate, args.seconds, sent_urls)
                for scroller in scrollers:
                    await scroller
                other_cores = other.cores()
                wall = time.monotonic() - cpu_at[0]
                server_cores = (server.cpu_seconds() - cpu_at[1]) / wall
                bench_cores = (cpu_of([os.getpid()]) - cpu_at[2]) / wall
                chromium_cores = (chromium_cpu() - cpu_at[3]) / wall
                await asyncio.sleep(1.0)
                if args.trace:
                    await browser.stop_tracing()
                    print_long_task_breakdown(Path(args.trace))
                if cdp is not None:
                    profile = (await cdp.send("Profiler.stop"))["profile"]
                    Path(args.profile).write_bytes(orjson.dumps(profile))
                    print_profile_top(profile)
                results = [await collect(pg) for pg in pages]
                if args.screenshot:
                    await page.screenshot(path=args.screenshot)
                await browser.close()
        finally:
            for ws in sockets:
                await ws.close()
            for task in drains:
                task.cancel()
            await http.close()

    lines = [
        f"## Console in the browser: {args.visitors} visitors, {args.rate} updates/s for {args.seconds:.0f} s",
        "",
        f"{time.strftime('%Y-%m-%d %H:%M')} UTC, {MACHINE}; Debian Chromium headless, SQLite + memory bus; {source_label()}"
        + (
            f"; two consoles watched the same stream at once: this build and a baseline bundle ({args.baseline_bundle})"
            if args.baseline_bundle
            else ""
        ),
        "",
        f"- updates sent {sent} ({sent / args.seconds:.0f}/s)",
        f"- CPU while driving: server {server_cores:.2f} cores, load generator + Playwright "
        f"{bench_cores:.2f}, Chromium {chromium_cores:.2f}; other processes on the machine used "
        f"{other_cores:.2f} cores meanwhile; load average {os.getloadavg()[0]:.1f}",
    ]
    for (label, _), (_, shown_after, snapshot_ms), result in zip(
        consoles, opened, results, strict=True
    ):
        lines.append(f"- console ({label}):")
        lines += [
            "  " + line for line in console_lines(args, result, sent_urls, shown_after, snapshot_ms)
        ]
    return "\n".join(lines)


async def open_console(
    browser: Any, url: str, email: str, visitors: int, bundle: Path | None
) -> tuple[Any, float, float]:
    """A console signed in as the admin, showing every visitor (idle ones too). With `bundle`
    (a static folder), its console app script is that folder's instead of the server's."""
    context = await browser.new_context(viewport={"width": 1600, "height": 1000})
    await context.add_init_script(PROBE)
    if bundle is not None:
        (app,) = [f for f in (bundle / "console").glob("app.*.js") if f.name.count(".") == 2]
        body = app.read_bytes()

        async def serve_baseline(route: Any) -> None:
            await route.fulfill(body=body, content_type="text/javascript")

        await context.route("**/static/console/app.*.js", serve_baseline)
    page = await context.new_page()
    await page.goto(url + "/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    t = time.monotonic()
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_function(
        "n => (window.__frontdeskPerf && window.__frontdeskPerf.snapshotMs > 0 && "
        "document.querySelector('.live-summary strong')?.textContent === String(n))",
        arg=visitors,
        timeout=120_000,
    )
    shown_after = time.monotonic() - t
    snapshot_ms = await page.evaluate("window.__frontdeskPerf.snapshotMs")
    # Idle visitors are hidden by default; show everyone so the columns hold all N.
    await page.get_by_role("button", name="Live stream settings").click()
    await page.get_by_role("switch", name="Show idle visitors").click()
    await page.keyboard.press("Escape")
    return page, shown_after, snapshot_ms


async def start_recording(page: Any) -> None:
    await page.evaluate(
        "() => { const p = window.__frontdeskPerf; p.applyMs.length = 0; p.trackUrls = true;"
        " p.renderedUrls.length = 0; window.__benchProbe.recording = true;"
        " window.__benchProbe.startedAt = performance.now(); }"
    )


async def collect(page: Any) -> dict[str, Any]:
    result: dict[str, Any] = await page.evaluate(
        """() => {
          const p = window.__frontdeskPerf, b = window.__benchProbe;
          b.recording = false;
          return {
            batches: p.batches, events: p.events, applyMs: p.applyMs.slice(),
            renderedUrls: p.renderedUrls.slice(),
            longtasks: b.longtasks.slice(), longtaskAt: b.longtaskAt.slice(),
            frames: b.frames.slice(),
            dom: document.getElementsByTagName('*').length,
            cards: document.querySelectorAll('.vcard').length,
            heap: performance.memory ? performance.memory.usedJSHeapSize : null,
          };
        }"""
    )
    return result


def console_lines(
    args: argparse.Namespace,
    result: dict[str, Any],
    sent_urls: dict[str, float],
    shown_after: float,
    snapshot_ms: float,
) -> list[str]:
    frames = result["frames"]
    slow = sum(1 for f in frames if f > 50)
    # Event -> screen: a page view leaves this process, the server turns it into a visitor
    # event at once, batches it (up to FRONTDESK_REP_BATCH_INTERVAL, 200 ms), and the console applies and renders the batch.
    rendered: dict[str, tuple[float, float]] = {}
    for url, at, received in result["renderedUrls"]:
        rendered.setdefault(url, (at, received))
    to_screen = [rendered[url][0] - at for url, at in sent_urls.items() if url in rendered]
    # The same path in two halves: sent -> the batch frame reached the console's socket
    # handler (server, network, and a main thread free to take the frame), and
    # received -> on screen (the console's own work, including waiting for a frame).
    to_socket = [rendered[url][1] - at for url, at in sent_urls.items() if url in rendered]
    socket_to_screen = [rendered[url][0] - rendered[url][1] for url in sent_urls if url in rendered]
    longest_task = max(result["longtasks"], default=0.0)
    p95 = percentile(to_screen, 95) if to_screen else float("inf")
    # Issue 4's bar (2,000 visitors, 200 updates/s) allowed tasks up to 100 ms; issue 21's
    # (5,000 visitors, 500 updates/s) allows none over 50 ms, i.e. no long task at all.
    verdict = "MET" if p95 <= 400 and longest_task <= 100 else "NOT MET"
    verdict21 = "MET" if p95 <= 400 and not result["longtasks"] else "NOT MET"
    return [
        f"- snapshot: all {args.visitors} visitors on screen {shown_after:.2f} s after sign-in; applying and rendering the snapshot took {snapshot_ms:.0f} ms",
        f"- the console received {result['batches']} batch frames with {result['events']} events",
        f"- page view sent -> rendered in the console: {summarise(to_screen)} "
        f"({len(to_screen)} of {len(sent_urls)} page views seen; includes up to 200 ms of batching)",
        f"  - sent -> batch frame handed to the console's socket handler: {summarise(to_socket)}",
        f"  - socket handler -> rendered: {summarise(socket_to_screen)}",
        f"- apply + render per batch: {summarise(result['applyMs'])}",
        f"- long tasks (> 50 ms): {len(result['longtasks'])}"
        + (f", longest {max(result['longtasks']):.0f} ms" if result["longtasks"] else "")
        + (
            " (at "
            + ", ".join(
                f"{at / 1000:.1f} s: {d:.0f} ms"
                for at, d in zip(result["longtaskAt"], result["longtasks"], strict=False)
            )
            + " into the run)"
            if result["longtasks"]
            else ""
        ),
        f"- bar (issue 4): event -> screen p95 <= 400 ms and no long task over 100 ms -> {verdict}",
        f"- bar (issue 21): event -> screen p95 <= 400 ms and no main-thread task over 50 ms -> {verdict21}",
        f"- animation frames while scrolling a column: {len(frames)} frames, p50 {percentile(frames, 50):.1f} ms, "
        f"p99 {percentile(frames, 99):.1f} ms, over 50 ms: {slow} ({100 * slow / max(1, len(frames)):.1f}%)"
        + (f", mean {statistics.fmean(frames):.1f} ms" if frames else ""),
        f"- footprint after the run: {result['dom']} DOM elements ({result['cards']} visitor cards mounted of {args.visitors}), "
        + (f"JS heap {result['heap'] / 2**20:.1f} MiB" if result["heap"] else "JS heap n/a"),
    ]


async def scroll_column(page: Any, seconds: float) -> None:
    end = time.monotonic() + seconds
    direction = 1
    while time.monotonic() < end:
        moved = await page.evaluate(
            """(d) => {
              const el = document.querySelector('.column-scroll');
              if (!el) return false;
              const before = el.scrollTop;
              el.scrollTop += d * 600;
              return el.scrollTop !== before;
            }""",
            direction,
        )
        if not moved:
            direction = -direction
        await asyncio.sleep(0.1)


def print_long_task_breakdown(trace: Path) -> None:
    """For each main-thread task over 50 ms in a Chrome trace: what it spent its time on."""
    events = orjson.loads(trace.read_bytes())
    events = events["traceEvents"] if isinstance(events, dict) else events
    main = {
        (e["pid"], e["tid"])
        for e in events
        if e.get("name") == "thread_name" and e.get("args", {}).get("name") == "CrRendererMain"
    }
    complete = [e for e in events if e.get("ph") == "X" and (e["pid"], e["tid"]) in main]
    tasks = [e for e in complete if e["name"] == "RunTask" and e.get("dur", 0) > 50_000]
    for task in tasks:
        start, end = task["ts"], task["ts"] + task["dur"]
        parts: dict[str, float] = {}
        for e in complete:
            if e is task or not (start <= e["ts"] < end) or e["name"] == "RunTask":
                continue
            if e["name"] in (
                "FunctionCall",
                "EventDispatch",
                "TimerFire",
                "FireAnimationFrame",
                "UpdateLayoutTree",
                "Layout",
                "Paint",
                "PrePaint",
                "Layerize",
                "MajorGC",
                "MinorGC",
                "V8.GC_MC_BACKGROUND_MARKING",
                "ParseHTML",
                "HitTest",
                "ScrollLayer",
            ):
                parts[e["name"]] = parts.get(e["name"], 0.0) + e["dur"] / 1000
        summary = ", ".join(f"{k} {v:.0f}" for k, v in sorted(parts.items(), key=lambda kv: -kv[1]))
        print(f"long task {task['dur'] / 1000:.0f} ms: {summary}")


def print_profile_top(profile: dict[str, Any], n: int = 25) -> None:
    """Self time per function from a CDP CPU profile (open the file in Chrome DevTools too)."""
    nodes = {node["id"]: node for node in profile["nodes"]}
    deltas = profile.get("timeDeltas", [])
    self_us: dict[str, float] = {}
    for sample, dt in zip(profile.get("samples", []), deltas, strict=False):
        frame = nodes[sample]["callFrame"]
        key = f"{frame['functionName'] or '(anonymous)'} {frame['url'].rsplit('/', 1)[-1]}:{frame['lineNumber']}:{frame['columnNumber']}"
        self_us[key] = self_us.get(key, 0.0) + dt
    total = sum(self_us.values()) or 1.0
    for key, us in sorted(self_us.items(), key=lambda kv: -kv[1])[:n]:
        print(f"{us / 1000:9.1f} ms {100 * us / total:5.1f}%  {key}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--visitors", type=int, default=2000)
    parser.add_argument("--rate", type=int, default=200, help="visitor updates per second")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--headed", action="store_true")
    parser.add_argument("--screenshot", help="save a screenshot of the stream at the end")
    parser.add_argument("--trace", help="write a Chrome trace of the steady phase to this file")
    parser.add_argument(
        "--profile", help="write a CDP CPU profile of the steady phase to this file"
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=180.0,
        help="wait up to this many seconds for other processes to quieten down first",
    )
    parser.add_argument(
        "--baseline-bundle",
        help="a static folder built from other console code (FRONTDESK_STATIC_OUT=DIR node "
        "web/build.mjs): a second console runs that build against the same stream, for a "
        "same-run comparison",
    )
    parser.add_argument(
        "--server-profile",
        help="run the server under cProfile and write its profile to this file (slower server)",
    )
    parser.add_argument(
        "--record", action="store_true", help="append the figures to bench/RESULTS.md"
    )
    args = parser.parse_args()
    section = asyncio.run(run(args))
    print()
    print(section)
    if args.record:
        append_results(section)


if __name__ == "__main__":
    main()
