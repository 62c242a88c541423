"""Widget weight and page impact: sizes on the wire against budgets and a peer, bytes a browser
receives on a first and a repeat visit, layout shift, long tasks.

    .venv/bin/python bench/widget_budget.py [--runs 5] [--no-browser] [--no-peer] [--record]

1. Sizes of widget.js (budget 3 KB gzip) and messenger.js (budget 30 KB gzip, DOMPurify
   included) as the server sends them: built fresh from web/ by web/build.mjs, which also
   writes the gzip (level 9) and brotli (quality 11) files the server serves.
2. gzip -9 of a peer's published widget: `npm pack @papercups-io/chat-widget` into a
   temporary folder, gzip its main bundle. (That bundle leaves out its dependencies, React,
   theme-ui and framer-motion, and draws the chat in an iframe served from the vendor's app:
   what a visitor really downloads is larger, so the ratio flatters the peer.)
3. Bytes on the wire (headers and body, as Chromium received them: the Network domain's
   encodedDataLength) for the widget on a first visit (cold cache) and a repeat visit (the next
   page, warm cache), the messenger opened each time; the same for the rep console's page and
   files (/login); and what revalidating the loader costs once its 5 minutes are up (a raw
   HTTP request with Chromium's Accept-Encoding and the ETag it got: a 304).
4. Chromium (Debian's, through Playwright) loads a page of the demo site with 4x CPU
   throttling (and without), with and without the widget, and reads PerformanceObserver entries:
   'layout-shift' (sum, the CLS input) and 'longtask' (count and longest). The loader should
   add no layout shift and no long task over 50 ms. (The launcher is drawn when the first
   `welcome` arrives: a run waits for it before reading the entries.)

It prints figures and does not assert; --record appends a dated section to bench/RESULTS.md.
FRONTDESK_BENCH_SRC=DIR runs the demo server from a snapshot of src/ (see bench/README.md).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gzip
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (
    MACHINE,
    SRC_OVERRIDE,
    OtherLoad,
    append_results,
    free_port,
    source_label,
    wait_for_quiet,
)

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "src" / "frontdesk" / "static"
WEB = ROOT / "web"
LOADER_BUDGET = 3 * 1024
MESSENGER_BUDGET = 30 * 1024
PEER = "@papercups-io/chat-widget"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Registered before any page script: buffered observers see entries from the very start.
OBSERVE = """
window.__perf = { shifts: [], longtasks: [], launcherAt: null };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (!e.hadRecentInput) window.__perf.shifts.push(e.value);
}).observe({ type: "layout-shift", buffered: true });
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__perf.longtasks.push([e.startTime, e.duration]);
}).observe({ type: "longtask", buffered: true });
// Long animation frames name the scripts that ran in them (Chrome 123+): the loader's share.
window.__perf.loaf = [];
try {
  new PerformanceObserver((list) => {
    for (const f of list.getEntries())
      for (const s of f.scripts || [])
        if ((s.sourceURL || "").endsWith("/widget.js")) window.__perf.loaf.push([f.duration, s.duration, s.invoker]);
  }).observe({ type: "long-animation-frame", buffered: true });
} catch {}
new MutationObserver((_, obs) => {
  if (document.querySelector("frontdesk-messenger")) {
    window.__perf.launcherAt = performance.now();
    obs.disconnect();
  }
}).observe(document, { childList: true, subtree: true });
"""


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def build_widget() -> None:
    """web/build.mjs for the widget only (a half-edited console must not stop this benchmark)."""
    subprocess.run(["node", "build.mjs", "widget"], cwd=WEB, check=True, stdout=subprocess.DEVNULL)
    if SRC_OVERRIDE:  # the snapshot's server must serve the bundles measured here
        target = Path(SRC_OVERRIDE) / "frontdesk" / "static"
        target.mkdir(parents=True, exist_ok=True)
        for path in STATIC.glob("*"):
            if path.is_file():
                shutil.copyfile(path, target / path.name)


def served_sizes(name: str) -> tuple[int, int, int]:
    """(identity, gzip, brotli) bytes of a built file: the bodies the server sends."""
    path = STATIC / name
    return tuple(  # type: ignore[return-value]
        (path.with_name(path.name + suffix)).stat().st_size for suffix in ("", ".gz", ".br")
    )


def peer_bundle_size() -> tuple[str, int, int]:
    """(name@version and file, raw bytes, gzip bytes) of the peer's main bundle."""
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            ["npm", "pack", PEER, "--silent"], cwd=tmp, check=True, capture_output=True, text=True
        )
        tarball = Path(tmp) / out.stdout.strip().splitlines()[-1]
        subprocess.run(["tar", "xzf", tarball.name], cwd=tmp, check=True)
        meta = json.loads((Path(tmp) / "package" / "package.json").read_text())
        main = meta.get("main") or "index.js"
        data = (Path(tmp) / "package" / main).read_bytes()
        return f"{meta['name']}@{meta['version']} {main}", len(data), gz(data)


@contextlib.contextmanager
def demo_server() -> Iterator[tuple[str, str]]:
    """`frontdesk demo` on free ports with a throwaway data dir; yields the demo site's URL and
    the Frontdesk server's."""
    port, site_port = free_port(), free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "FRONTDESK_DATA_DIR": data_dir, "FRONTDESK_LOG_LEVEL": "WARNING"}
        if SRC_OVERRIDE:
            env["PYTHONPATH"] = SRC_OVERRIDE
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "frontdesk.cli",
                "demo",
                "--port",
                str(port),
                "--site-port",
                str(site_port),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            assert proc.stdout is not None
            console = ""
            for line in proc.stdout:
                match = re.search(r"(http://\S+?)/?\s", line + " ")
                if "Rep console:" in line and match:
                    console = match.group(1)
                if "Demo website:" in line:
                    assert match and console
                    yield match.group(1), console
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError("frontdesk demo did not start")
            else:
                raise RuntimeError("frontdesk demo exited early")
        finally:
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
            if proc.poll() is None:
                proc.kill()


class WireLog:
    """What one page received, from Chromium's Network domain: per request the URL, status,
    content encoding, whether a cache answered, and the bytes on the wire (encodedDataLength:
    headers and body as received, 0 from the cache)."""

    def __init__(self, cdp: Any) -> None:
        self.requests: dict[str, dict[str, Any]] = {}
        self.accept_encoding = ""
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.requestWillBeSentExtraInfo", self._sent_headers)
        cdp.on("Network.requestServedFromCache", self._from_memory)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.responseReceivedExtraInfo", self._wire_status)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.send("Network.enable")

    def _entry(self, event: dict[str, Any]) -> dict[str, Any]:
        return self.requests.setdefault(
            event["requestId"], {"cache": None, "bytes": None, "status": None, "encoding": None}
        )

    def _sent(self, event: dict[str, Any]) -> None:
        self._entry(event)["url"] = event["request"]["url"]

    def _sent_headers(self, event: dict[str, Any]) -> None:
        headers = {k.lower(): v for k, v in event.get("headers", {}).items()}
        self.accept_encoding = headers.get("accept-encoding", self.accept_encoding)

    def _from_memory(self, event: dict[str, Any]) -> None:
        self._entry(event)["cache"] = "memory cache"

    def _response(self, event: dict[str, Any]) -> None:
        entry, response = self._entry(event), event["response"]
        entry["status"] = response["status"]
        headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
        entry["encoding"] = headers.get("content-encoding", "identity")
        entry["etag"] = headers.get("etag")
        if response.get("fromDiskCache"):
            entry["cache"] = entry["cache"] or "disk cache"

    def _wire_status(self, event: dict[str, Any]) -> None:
        # what came over the network: a 304 here is reported as the cached 200 elsewhere
        self._entry(event)["wire_status"] = event["statusCode"]

    def _finished(self, event: dict[str, Any]) -> None:
        self._entry(event)["bytes"] = int(event["encodedDataLength"])

    def matching(self, pattern: str) -> list[dict[str, Any]]:
        return [r for r in self.requests.values() if re.search(pattern, r.get("url", ""))]


WIDGET_FILES = {"widget.js": r"/widget\.js$", "messenger": r"/static/messenger\.[A-Z0-9]+\.js$"}
CONSOLE_FILES = {
    "page": r"/login$",
    "app.js": r"/static/console/app\.[A-Z0-9]+\.js$",
    "console.css": r"/static/console/console\.[A-Z0-9]+\.css$",
}


def _describe(log_: WireLog, files: dict[str, str], page: Any) -> tuple[str, int, dict[str, str]]:
    """One line per file, total bytes on the wire, and the ETags seen."""
    deadline = time.monotonic() + 10
    while True:  # network events arrive asynchronously: wait until each file has finished
        found = {name: log_.matching(pattern) for name, pattern in files.items()}
        if all(found.values()) and all(r["bytes"] is not None for rs in found.values() for r in rs):
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"not all of {list(files)} arrived: {found}")
        page.wait_for_timeout(50)
    parts, total, etags = [], 0, {}
    for name, rs in found.items():
        r = rs[-1]
        total += sum(x["bytes"] for x in rs)
        if r.get("etag"):
            etags[name] = r["etag"]
        status = r.get("wire_status") or r["status"]
        if r["cache"]:
            how = r["cache"]
        elif status == 304:
            how = "304, revalidated"
        else:
            how = f"{status} {r['encoding']}"
        parts.append(f"{name} {r['bytes']:,} B ({how})")
    return "; ".join(parts), total, etags


def raw_get(url: str, headers: dict[str, str]) -> tuple[int, int]:
    """(status, bytes received) of one GET over a plain socket: the whole response as sent."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    request = f"GET {parts.path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n"
    request += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    with socket.create_connection((host, port), timeout=10) as conn:
        conn.sendall(request.encode())
        received = b""
        while chunk := conn.recv(65536):
            received += chunk
    return int(received.split(b" ", 2)[1]), len(received)


def wire_bytes(site: str, console: str) -> list[str]:
    """Bytes a browser receives for the widget and the console: a first visit (cold cache) and
    a repeat visit (a new tab of the same browser: warm cache)."""
    from playwright.sync_api import sync_playwright

    lines: list[str] = []
    accept = ""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            etags: dict[str, str] = {}
            for label, path in (
                ("first visit", "/pricing.html"),
                ("repeat visit", "/careers.html"),
            ):
                page = context.new_page()
                wire = WireLog(context.new_cdp_session(page))
                page.goto(site + path, wait_until="load")
                page.wait_for_function("!!document.querySelector('frontdesk-messenger')")
                page.evaluate("window.Frontdesk.open()")  # the visitor opens the messenger
                page.wait_for_function("!!window.__frontdeskBridge?.impl", timeout=15000)
                text, total, seen = _describe(wire, WIDGET_FILES, page)
                etags.update(seen)
                accept = wire.accept_encoding
                lines.append(f"  widget, {label} ({path}, messenger opened): {total:,} B: {text}")
                page.close()
            status, size = raw_get(
                console + "/widget.js",
                {"Accept-Encoding": accept, "If-None-Match": etags["widget.js"]},
            )
            lines.append(
                f"  widget, a visit after the loader's 5 minutes: the loader is revalidated "
                f"({status}, {size:,} B), the messenger still comes from the cache (immutable)"
            )
            context.close()
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            for label in ("first visit", "repeat visit"):
                page = context.new_page()
                wire = WireLog(context.new_cdp_session(page))
                page.goto(console + "/login", wait_until="load")
                page.wait_for_load_state("networkidle")
                text, total, _ = _describe(wire, CONSOLE_FILES, page)
                lines.append(f"  console /login, {label}: {total:,} B: {text}")
                page.close()
            context.close()
            lines.insert(0, f"  (Chromium's Accept-Encoding here: {accept})")
        finally:
            browser.close()
    return lines


def page_impact(site: str, runs: int, cpu_rate: int) -> dict[str, dict[str, Any]]:
    from playwright.sync_api import Route, sync_playwright

    worst_invoker: dict[int, str] = {}  # which widget.js callback was the longest (LoAF invoker)
    results: dict[str, dict[str, list[float]]] = {
        "without widget": {"cls": [], "longtasks": [], "longest": []},
        "with widget": {
            "cls": [],
            "longtasks": [],
            "longest": [],
            "loader": [],
            "loader_long": [],
            "loaf": [],
        },
    }
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for _ in range(runs):
                for label in results:
                    context = browser.new_context(viewport={"width": 1280, "height": 800})
                    context.add_init_script(OBSERVE)
                    if label == "without widget":
                        context.route(re.compile(r".*/widget\.js$"), lambda route: route.abort())
                    else:
                        # The same bytes between two performance marks: the loader's own run time.
                        def wrap(route: Route) -> None:
                            body = route.fetch().text()
                            route.fulfill(
                                body="performance.mark('fd-start');"
                                + body
                                + ";performance.mark('fd-end');",
                                content_type="application/javascript",
                            )

                        context.route(re.compile(r".*/widget\.js$"), wrap)
                    page = context.new_page()
                    cdp = context.new_cdp_session(page)
                    cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu_rate})
                    page.goto(site + "/pricing.html", wait_until="load")
                    if label == "with widget":
                        page.wait_for_function("window.__perf.launcherAt !== null", timeout=15000)
                    page.wait_for_timeout(1500)  # let late shifts and tasks land
                    perf = page.evaluate("window.__perf")
                    tasks = perf["longtasks"]
                    r = results[label]
                    r["cls"].append(sum(perf["shifts"]))
                    r["longtasks"].append(len(tasks))
                    r["longest"].append(max((d for _, d in tasks), default=0.0))
                    if label == "with widget":
                        start, end = page.evaluate(
                            "['fd-start', 'fd-end'].map(n => performance.getEntriesByName(n)[0].startTime)"
                        )
                        r["loader"].append(end - start)
                        # the longest task the loader ran in, whoever else made it long
                        r["loader_long"].append(
                            max(
                                (d for t0, d in tasks if t0 <= start and t0 + d >= end), default=0.0
                            )
                        )
                        longest = max(perf["loaf"], key=lambda entry: entry[1], default=None)
                        r["loaf"].append(longest[1] if longest else 0.0)
                        if longest and longest[1] >= max(r["loaf"]):
                            worst_invoker[cpu_rate] = str(longest[2])
                    context.close()
        finally:
            browser.close()
    return {
        label: {k: statistics.median(v) for k, v in r.items()}
        | {"max longest": max(r["longest"])}
        | (
            {
                "max loader_long": max(r["loader_long"]),
                "max loaf": max(r["loaf"]),
                "worst in": worst_invoker.get(cpu_rate, "-"),
            }
            if "loaf" in r
            else {}
        )
        for label, r in results.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--record", action="store_true", help="append to bench/RESULTS.md")
    args = parser.parse_args()

    build_widget()
    messenger_file = json.loads((STATIC / "manifest.json").read_text())["messenger.js"]
    loader_raw, loader_gz, loader_br = served_sizes("widget.js")
    messenger_raw, messenger_gz, messenger_br = served_sizes(messenger_file)
    lines = [
        "bodies as served (identity / gzip / brotli):",
        f"widget.js     {loader_raw:>7,} B raw  {loader_gz:>6,} B gzip  {loader_br:>6,} B brotli  "
        f"budget {LOADER_BUDGET:,} gzip  {'OK' if loader_gz <= LOADER_BUDGET else 'OVER'}",
        f"messenger.js  {messenger_raw:>7,} B raw  {messenger_gz:>6,} B gzip  {messenger_br:>6,} B brotli  "
        f"budget {MESSENGER_BUDGET:,} gzip  {'OK' if messenger_gz <= MESSENGER_BUDGET else 'OVER'}"
        f"  ({messenger_file})",
    ]
    if not args.no_peer:
        name, raw, packed = peer_bundle_size()
        lines += [
            f"peer {name}  {raw:,} B raw  {packed:,} B gzip (dependencies not included)",
            f"ratio on every page: widget.js / peer = {loader_gz / packed:.2f}; "
            f"after opening: (widget.js + messenger.js) / peer = {(loader_gz + messenger_gz) / packed:.2f}",
        ]
    if not args.no_browser:
        # Other engineers' tests share these 2 cores: wait for a quiet moment, report the load.
        wait_for_quiet()
        other = OtherLoad()
        other.start()
        with demo_server() as (site, console):
            wire = wire_bytes(site, console)
            impacts = {rate: page_impact(site, args.runs, rate) for rate in (1, 4)}
        lines.append("bytes on the wire (headers and body), Chromium:")
        lines += wire
        lines.append(f"(other processes used {other.cores():.2f} cores on average meanwhile)")
        for rate, impact in impacts.items():
            lines.append(
                f"Chromium, {args.runs} runs, CPU throttling {rate}x, demo /pricing.html, medians:"
            )
            for label, m in impact.items():
                lines.append(
                    f"  {label:<15} layout shift {m['cls']:.4f}, long tasks {m['longtasks']:.0f} "
                    f"(longest {m['longest']:.0f} ms, worst run {m['max longest']:.0f} ms)"
                )
                if "loader" in m:
                    task = (
                        "none over 50 ms"
                        if m["max loader_long"] == 0
                        else f"median {m['loader_long']:.0f} ms, worst {m['max loader_long']:.0f} ms"
                    )
                    lines.append(
                        f"  {'':<15} loader's first task (marks around widget.js) {m['loader']:.1f} ms; "
                        f"long task holding it: {task}; longest widget.js callback inside a long "
                        f"animation frame (any task: script, timer, socket event): {m['loaf']:.1f} ms "
                        f"(worst {m['max loaf']:.1f}, in {m['worst in']})"
                    )
    print("\n".join(lines))
    if args.record:
        append_results(
            f"## Widget budget and page impact, {dt.date.today().isoformat()}\n\n"
            f"Machine: {MACHINE} ({os.cpu_count()} cores seen), {platform.system()} "
            f"{platform.machine()}, Debian Chromium. {source_label()}. Command: "
            f"`.venv/bin/python bench/widget_budget.py --runs {args.runs} --record`.\n\n"
            "```\n" + "\n".join(lines) + "\n```\n"
        )
        print("appended to bench/RESULTS.md")


if __name__ == "__main__":
    main()
