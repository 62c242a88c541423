"""Widget weight and page impact: gzip sizes against budgets and a peer, layout shift, long tasks.

    .venv/bin/python bench/widget_budget.py [--runs 5] [--no-browser] [--no-peer] [--record]

1. gzip -9 sizes of widget.js (budget 3 KB) and messenger.js (budget 30 KB, DOMPurify included),
   built fresh from web/ with esbuild.
2. The same measure of a peer's published widget: `npm pack @papercups-io/chat-widget` into a
   temporary folder, gzip its main bundle. (That bundle leaves out its dependencies, React,
   theme-ui and framer-motion, and draws the chat in an iframe served from the vendor's app:
   what a visitor really downloads is larger, so the ratio flatters the peer.)
3. Chromium (Debian's, through Playwright) loads a page of the demo site with 4x CPU
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
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


# web/build.mjs's options for the two widget bundles, built alone: a half-edited console must
# not stop this benchmark.
BUILD_WIDGET = """
import { build } from "esbuild";
const common = { bundle: true, minify: true, target: ["es2020"], legalComments: "none", format: "iife", logLevel: "error" };
await build({ ...common, entryPoints: ["widget/loader.ts"], outfile: "../src/frontdesk/static/widget.js" });
await build({ ...common, entryPoints: ["widget/messenger.ts"], outfile: "../src/frontdesk/static/messenger.js" });
"""


def build_widget() -> None:
    subprocess.run(["node", "--input-type=module", "-e", BUILD_WIDGET], cwd=WEB, check=True)
    if SRC_OVERRIDE:  # the snapshot's server must serve the bundles measured here
        target = Path(SRC_OVERRIDE) / "frontdesk" / "static"
        target.mkdir(parents=True, exist_ok=True)
        for name in ("widget.js", "messenger.js"):
            shutil.copyfile(STATIC / name, target / name)


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
def demo_server() -> Iterator[str]:
    """`frontdesk demo` on free ports with a throwaway data dir; yields the demo site URL."""
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
            for line in proc.stdout:
                if "Demo website:" in line:
                    match = re.search(r"(http://\S+?)/?\s", line + " ")
                    assert match
                    yield match.group(1)
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
    loader = (STATIC / "widget.js").read_bytes()
    messenger = (STATIC / "messenger.js").read_bytes()
    lines = [
        f"widget.js     {len(loader):>7,} B raw  {gz(loader):>6,} B gzip  budget {LOADER_BUDGET:,}  "
        f"{'OK' if gz(loader) <= LOADER_BUDGET else 'OVER'}",
        f"messenger.js  {len(messenger):>7,} B raw  {gz(messenger):>6,} B gzip  budget {MESSENGER_BUDGET:,}  "
        f"{'OK' if gz(messenger) <= MESSENGER_BUDGET else 'OVER'}",
    ]
    if not args.no_peer:
        name, raw, packed = peer_bundle_size()
        lines += [
            f"peer {name}  {raw:,} B raw  {packed:,} B gzip (dependencies not included)",
            f"ratio on every page: widget.js / peer = {gz(loader) / packed:.2f}; "
            f"after opening: (widget.js + messenger.js) / peer = {(gz(loader) + gz(messenger)) / packed:.2f}",
        ]
    if not args.no_browser:
        # Other engineers' tests share these 2 cores: wait for a quiet moment, report the load.
        wait_for_quiet()
        other = OtherLoad()
        other.start()
        with demo_server() as site:
            impacts = {rate: page_impact(site, args.runs, rate) for rate in (1, 4)}
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
