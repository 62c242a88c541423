"""Files in chat (issue 20): what a 5 MB photo costs the server, and whether uploads hurt chat.

1. `clean`: the image work alone, in this process: decode a 5 MB JPEG (4032 x 3024, a phone
   photo's size), re-encode it without metadata and make its thumbnail (features/files/images.py),
   wall time and CPU time, 5 runs.
2. `upload`: one `frontdesk serve` on SQLite: one visitor sends the photo through
   `POST /widget/files`; time from request to answer, and the server's CPU per upload, split
   into its event loop's thread and its other threads. Measured once the server has settled
   (right after it starts it loads the IP directory in a thread, about a second of CPU, which
   earlier runs counted as upload work) and after one warm-up upload (reported apart: the first
   message's statements are compiled, the image worker starts).
3. `chat`: a visitor chats at 50 messages a second (message -> ack round trip) for `--seconds`,
   once alone and once while 20 other visitors (each with a chat already open) upload the photo.
   `--mode burst` (default): the 20 send it at the same moment (20 concurrent uploads), and again
   a second after the last of them is answered; only chat messages sent while a burst is in
   flight count. `--mode sustained`: each uploader sends again as soon as its last upload is
   answered, for the whole window: a closed loop that keeps this machine's 2 cores full
   whatever the server does (the image worker alone takes one), so it measures the machine's
   saturation as much as the server.
   Bar: chat p99 with the uploads <= 2x its value without. The uploads are sent by a separate
   client process: sent from the chat client's own event loop (as before 2026-12-04, bot
   branch), 100 MB of multipart bodies delayed the client's reading of its own acks, and the
   ratio measured the client as much as the server. `--rounds` repeats alone/with pairs; each
   pair's ratio is printed, with the load average and the cores other processes used.
4. `--loop-lag`: the server runs with probes of its own event loop (bench/_loop_lag_server.py):
   how late a 2 ms timer wakes up (p50, p99, max: includes time the process waited for a core),
   and every callback that held the loop for 1 ms or more of its thread's CPU time (robust to
   the machine's load), per window: how long the loop was held at a stretch while 20 uploads
   streamed in. The probes cost CPU: per-upload CPU is measured without them.
5. `--file document`: the same steps with a document as large as the photo (notes.pdf, stored
   as sent): the uploads without the image worker's core, to tell its share of the chat's tail
   from the reading of the uploads themselves.
6. `--neighbour`: in each round, a third window: the chat with no uploads at all, beside a
   process at SCHED_IDLE (the image worker's CPU priority) that cleans the photo in a loop, as a
   worker does under sustained uploads. How much a core busy with nothing but JPEG decoding, at
   the lowest priority Linux has, costs the chat on this machine: the floor of `--mode
   sustained` with photos, whatever the server does.

Figures only; nothing asserts on them.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import multiprocessing
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
import orjson
from PIL import Image

from bench._common import (
    BENCH_DIR,
    FRONTDESK_COMMAND,
    MACHINE,
    PYTHON,
    SITE,
    OtherLoad,
    Server,
    Servers,
    backend,
    frontdesk_server,
    percentile,
    setup_org,
    source_label,
    visitor_socket,
)
from frontdesk.features.files import clean_image


def photo(target_bytes: int = 5_000_000) -> bytes:
    """A 12-megapixel JPEG of about 5 MB: smooth gradients with noise, as a photo compresses."""
    width, height = 4032, 3024
    base = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    noise = Image.effect_noise((width, height), 40).convert("RGB")
    image = Image.blend(base, noise, 0.35)
    for quality in (95, 90, 85, 80):
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=quality)
        if out.tell() <= target_bytes * 1.2:
            break
    return out.getvalue()


def document(size: int) -> bytes:
    """A PDF's worth of bytes, as large as the photo: stored as sent, no image work."""
    return b"%PDF-1.7\n" + random.Random(3).randbytes(size)


def bench_clean(data: bytes) -> None:
    walls, cpus = [], []
    for _ in range(5):
        wall, cpu = time.perf_counter(), time.process_time()
        cleaned = clean_image(data)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    print(
        f"clean: {len(data) / 1e6:.1f} MB JPEG {cleaned.width}x{cleaned.height} -> "
        f"{len(cleaned.data) / 1e6:.1f} MB + thumbnail {len(cleaned.thumbnail) / 1e3:.0f} KB; "
        f"wall median {statistics.median(walls) * 1000:.0f} ms, "
        f"CPU median {statistics.median(cpus) * 1000:.0f} ms"
    )


class Refused(Exception):
    """The server said no (a 503 when its image queue is full is counted, not fatal)."""

    def __init__(self, status: int) -> None:
        super().__init__(f"upload refused: {status}")
        self.status = status


async def upload(
    http: aiohttp.ClientSession, url: str, site: str, token: str, data: bytes, name: str
) -> float:
    form = aiohttp.FormData(quote_fields=False)
    form.add_field("client_id", f"{random.getrandbits(64):x}")
    form.add_field("file", io.BytesIO(data), filename=name)
    started = time.perf_counter()
    async with http.post(
        f"{url}/widget/files",
        params={"site": site, "vt": token},
        data=form,
        headers={"Origin": SITE},
    ) as response:
        await response.read()
        if response.status != 200:
            raise Refused(response.status)
    return time.perf_counter() - started


async def chat_p99(
    ws: aiohttp.ClientWebSocketResponse,
    seconds: float,
    rate: float = 50,
    sent_at: list[float] | None = None,
) -> list[float]:
    """Open loop at `rate` messages a second; round trip message -> ack, in ms. With `sent_at`,
    each latency's send time (unix seconds) is appended to it, in the same order."""
    sent: dict[str, float] = {}
    wall: dict[str, float] = {}
    latencies: list[float] = []

    async def reader() -> None:
        while True:
            msg = await ws.receive()
            if msg.type != aiohttp.WSMsgType.TEXT:
                return
            frame = orjson.loads(msg.data)
            if frame.get("type") == "ack":
                at = sent.pop(frame["client_id"], None)
                if at is not None:
                    latencies.append((time.perf_counter() - at) * 1000)
                    if sent_at is not None:
                        sent_at.append(wall.pop(frame["client_id"]))

    task = asyncio.create_task(reader())
    start = time.perf_counter()
    n = 0
    while time.perf_counter() - start < seconds:
        client_id = f"m{random.getrandbits(64):x}"
        sent[client_id] = time.perf_counter()
        wall[client_id] = time.time()
        await ws.send_str(
            orjson.dumps({"type": "message", "client_id": client_id, "body": f"hello {n}"}).decode()
        )
        n += 1
        await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
    await asyncio.sleep(1)
    task.cancel()
    return latencies


async def _upload_for(
    url: str, site: str, tokens: list[str], data: bytes, name: str, seconds: float
) -> tuple[list[float], dict[int, int]]:
    done: list[float] = []
    refused: dict[int, int] = {}
    stop = time.perf_counter() + seconds

    async def keep_uploading(http: aiohttp.ClientSession, token: str) -> None:
        while time.perf_counter() < stop:
            try:
                done.append(await upload(http, url, site, token, data, name))
            except Refused as error:
                refused[error.status] = refused.get(error.status, 0) + 1
                await asyncio.sleep(0.5)

    async with aiohttp.ClientSession() as http:
        await asyncio.gather(*(keep_uploading(http, t) for t in tokens))
    return done, refused


async def _bursts_for(
    url: str, site: str, tokens: list[str], data: bytes, name: str, seconds: float, pause: float
) -> tuple[list[float], dict[int, int], list[tuple[float, float]]]:
    """Bursts: every uploader sends the photo once, all at the same moment (len(tokens)
    concurrent uploads); when the last is answered (its thumbnail made), `pause` seconds, then
    the next burst, until `seconds` have passed. Returns the uploads' durations, refusals, and
    each burst's window (unix start, unix end of its last answer)."""
    done: list[float] = []
    refused: dict[int, int] = {}
    windows: list[tuple[float, float]] = []
    stop = time.perf_counter() + seconds

    async def once(http: aiohttp.ClientSession, token: str) -> None:
        try:
            done.append(await upload(http, url, site, token, data, name))
        except Refused as error:
            refused[error.status] = refused.get(error.status, 0) + 1

    connector = aiohttp.TCPConnector(limit=len(tokens))
    async with aiohttp.ClientSession(connector=connector) as http:
        while time.perf_counter() < stop:
            started = time.time()
            await asyncio.gather(*(once(http, t) for t in tokens))
            windows.append((started, time.time()))
            await asyncio.sleep(pause)
    return done, refused, windows


def _neighbour_process(data: bytes, seconds: float) -> None:
    """Cleans the photo in a loop for `seconds` at SCHED_IDLE: an image worker kept busy, with
    no upload and no server involved (6. in the module's docstring)."""
    os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        clean_image(data)


def _uploader_process(
    url: str,
    site: str,
    tokens: list[str],
    data: bytes,
    name: str,
    seconds: float,
    out: Any,
    nice: int,
    burst_pause: float | None = None,
    go: Any = None,
) -> None:
    """The uploads, from their own process (and event loop): durations and refusals sent back
    on `out` (an error's text if it failed). `nice`: added to the process's nice value (a real
    server's uploads come from other machines; here the client shares the server's 2 cores)."""
    if nice:
        os.nice(nice)
    try:
        if go is not None:
            go.wait()  # the chat is running: the first burst starts now
        if burst_pause is None:
            out.send((*asyncio.run(_upload_for(url, site, tokens, data, name, seconds)), None))
        else:
            out.send(asyncio.run(_bursts_for(url, site, tokens, data, name, seconds, burst_pause)))
    except BaseException as error:
        out.send(f"uploader failed: {type(error).__name__}: {error}")
        raise


def _cpu_with_workers(pid: int) -> float:
    """CPU seconds of the server process and its children (the image workers)."""
    import psutil

    total = 0.0
    process = psutil.Process(pid)
    for each in [process, *process.children(recursive=True)]:
        try:
            t = each.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += t.user + t.system
    return total


def _process_cpu(pid: int | None) -> float:
    """CPU seconds of one process so far (0 once it is gone)."""
    import psutil

    try:
        t = psutil.Process(pid).cpu_times()
    except psutil.NoSuchProcess:
        return 0.0
    return float(t.user + t.system)


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min)"


def _threads_cpu(pid: int) -> dict[int, float]:
    import psutil

    return {t.id: t.user_time + t.system_time for t in psutil.Process(pid).threads()}


def _settled(server: Server, timeout: float = 60) -> float:
    """Waits until the idle server uses under 3 % of a core (its start-up work, such as loading
    the IP directory in a thread, is done); the seconds waited."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        cpu = server.cpu_seconds()
        time.sleep(1.0)
        if server.cpu_seconds() - cpu < 0.03:
            break
    return time.perf_counter() - started


def _lag(probes: dict[str, Any], start: float, end: float) -> str:
    lags = [lag for at, lag in probes["lag"] if start <= at <= end]
    held = sorted(
        ((used, what) for at, used, what in probes["held"] if start <= at <= end), reverse=True
    )
    if not lags:
        return "loop lag: no samples"
    longest = ", ".join(f"{what} {used:.1f}" for used, what in held[:3]) or "none"
    return (
        f"loop lag p50 {percentile(lags, 50):.1f} ms, p99 {percentile(lags, 99):.1f} ms, "
        f"max {max(lags):.1f} ms ({sum(1 for x in lags if x > 10)} of {len(lags)} wake-ups "
        f"over 10 ms late); callbacks holding the loop (its thread's CPU time) >= 1 ms: "
        f"{len(held)}, >= 5 ms: {sum(1 for u, _ in held if u >= 5)}, >= 10 ms: "
        f"{sum(1 for u, _ in held if u >= 10)}; longest (ms): {longest}"
        f"\n  {_stalls(probes, start, end)}\n  {_turns(probes, start, end)}"
        f"\n  {_steps(probes, start, end)}"
    )


def _steps(probes: dict[str, Any], start: float, end: float) -> str:
    """Callbacks of 1 ms or more of CPU, summed by what ran (a task's step: between which
    awaits), the largest first."""
    steps: dict[str, list[float]] = {}
    for at, used, what in probes["held"]:
        if start <= at <= end:
            steps.setdefault(what, []).append(used)
    ranked = sorted(steps.items(), key=lambda kv: -sum(kv[1]))[:8]
    return "steps of 1 ms or more of CPU, by what ran (count, total ms, max ms):\n" + "\n".join(
        f"    {len(v):4d} {sum(v):7.1f} {max(v):5.1f}  {k}" for k, v in ranked
    )


def _turns(probes: dict[str, Any], start: float, end: float) -> str:
    """Turns of the loop that ran callbacks for 5 ms or more, and what those callbacks were."""
    turns = [t for t in probes.get("turns", []) if start <= t[0] <= end]
    if not turns:
        return "turns of the loop with 5 ms or more of callbacks: none"
    kinds: dict[str, float] = {}
    for _, _, _, _, top in turns:
        for what, ms in top:
            kinds[what] = kinds.get(what, 0.0) + ms
    worst = max(turns, key=lambda t: t[1] - t[2])
    return (
        f"turns of the loop with 5 ms or more of callbacks: {len(turns)}, "
        f"{sum(t[1] - t[2] for t in turns):.0f} ms of callbacks in all, "
        f"{statistics.median(t[3] for t in turns):.0f} callbacks each (median); by kind (ms): "
        + ", ".join(f"{k} {v:.0f}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])[:6])
        + f"; longest {worst[1] - worst[2]:.1f} ms, {worst[3]} callbacks: "
        + ", ".join(f"{k} {v:.1f}" for k, v in worst[4])
    )


def _stalls(probes: dict[str, Any], start: float, end: float) -> str:
    """Callbacks of 5 ms or more of wall time, by where the time went."""
    stalls = [s for s in probes.get("stalls", []) if start <= s[0] <= end]
    if not stalls:
        return "callbacks of 5 ms or more (wall): none"
    wall = sum(s[1] for s in stalls)
    cpu = sum(s[2] for s in stalls)
    queued = sum(s[3] for s in stalls)
    worst = sorted(stalls, key=lambda s: -s[1])[:3]
    return (
        f"callbacks of 5 ms or more (wall): {len(stalls)}, {wall:.0f} ms in all: its thread's "
        f"CPU {cpu:.0f} ms, waiting for a core {queued:.0f} ms, blocked or asleep "
        f"{wall - cpu - queued:.0f} ms; longest: "
        + "; ".join(
            f"{w:.1f} ms (CPU {c:.1f}, queued {q:.1f}) {what}" for _, w, c, q, what in worst
        )
    )


# Seconds between the end of one burst (its last upload answered) and the next.
BURST_PAUSE = 1.0


async def run(
    seconds: float,
    uploaders: int,
    rounds: int = 1,
    loop_lag: bool = False,
    nice_uploads: int = 0,
    mode: str = "burst",
    kind: str = "photo",
    neighbour: bool = False,
) -> None:
    data = jpeg = photo()
    bench_clean(data)
    name = "photo.jpg"
    if kind == "document":
        data, name = document(len(data)), "notes.pdf"
        print(f"the uploads are a {len(data) / 1e6:.1f} MB document ({name}): no image work")
    with backend("sqlite") as b, Servers() as servers:
        b.env.update(
            {
                "FRONTDESK_FILE_UPLOADS_PER_VISITOR": "100000/hour",
                "FRONTDESK_FILE_UPLOADS_PER_IP": "100000/hour",
                "FRONTDESK_FILE_UPLOAD_MB_PER_VISITOR": "1000000",
                "FRONTDESK_FILE_UPLOAD_MB_PER_IP": "1000000",
            }
        )
        site, _ = setup_org(b)
        lag_file = b.workdir / "loop_lag.json"
        command = frontdesk_server(b, "files")
        if loop_lag:
            command.cmd = [
                PYTHON,
                str(BENCH_DIR / "_loop_lag_server.py"),
                str(lag_file),
                *command.cmd[len(FRONTDESK_COMMAND) :],
            ]
        server = servers.start(command)
        waited = _settled(server)
        windows: list[tuple[str, float, float]] = []
        async with aiohttp.ClientSession() as http:
            chatter, _ = await visitor_socket(http, server, site)
            # one message first: the chat exists, later messages take the group writer
            await chatter.send_str(
                orjson.dumps({"type": "message", "client_id": "first", "body": "hi"}).decode()
            )
            await asyncio.sleep(0.5)
            sockets = [await visitor_socket(http, server, site) for _ in range(uploaders)]
            tokens = [w["token"] for _, w in sockets]
            # Each uploader has its chat open already: a chat's first message (opening it:
            # routing, deadlines, the console's summaries) costs the server ~18 ms of CPU in
            # one step on SQLite whatever it carries, which is not what this measures.
            for ws, _ in sockets:
                await ws.send_str(
                    orjson.dumps({"type": "message", "client_id": "open", "body": "hi"}).decode()
                )
                while orjson.loads((await ws.receive()).data).get("type") != "ack":
                    pass

            cpu = server.cpu_seconds()
            first = await upload(http, server.url, site, tokens[0], data, name)
            first_cpu = server.cpu_seconds() - cpu
            singles = 10
            threads, cpu = _threads_cpu(server.pid), server.cpu_seconds()
            one = [
                await upload(http, server.url, site, tokens[0], data, name) for _ in range(singles)
            ]
            per_upload_cpu = (server.cpu_seconds() - cpu) / singles
            loop_thread = (_threads_cpu(server.pid)[server.pid] - threads[server.pid]) / singles
            print(
                f"upload: (server settled after {waited:.0f} s; first upload {first * 1000:.0f} "
                f"ms, server CPU {first_cpu * 1000:.0f} ms) then {singles} one at a time: "
                f"request -> answer median {statistics.median(one) * 1000:.0f} ms; server CPU "
                f"per upload {per_upload_cpu * 1000:.1f} ms (event loop's thread "
                f"{loop_thread * 1000:.1f} ms, other threads "
                f"{(per_upload_cpu - loop_thread) * 1000:.1f} ms); {_load()}"
            )

            ratios: list[float] = []
            ctx = multiprocessing.get_context("spawn")
            for round_ in range(1, rounds + 1):
                others = OtherLoad()
                others.start()
                at = time.time()
                alone = await chat_p99(chatter, seconds)
                windows.append((f"round {round_} alone", at, time.time()))
                others_alone = others.cores()
                receive, send = ctx.Pipe(duplex=False)
                burst = mode == "burst"
                # Started before the chat (handing the photo to a new process holds this
                # process's loop for a moment), and told when to begin.
                go = ctx.Event() if burst else None
                worker = ctx.Process(
                    target=_uploader_process,
                    args=(
                        server.url,
                        site,
                        tokens,
                        data,
                        name,
                        max(1.0, seconds - 4.0) if burst else seconds + 1.0,
                        send,
                        nice_uploads,
                        BURST_PAUSE if burst else None,
                        go,
                    ),
                )
                sent_at: list[float] = []
                worker.start()
                send.close()  # the child's copy stays open: recv() ends if the child dies
                if go is not None:
                    await asyncio.sleep(2.0)  # the process is up
                    # The chat runs throughout; only its messages sent while a burst was in
                    # flight (first upload sent -> last one answered) are counted.
                    chatting = asyncio.create_task(chat_p99(chatter, seconds, sent_at=sent_at))
                    await asyncio.sleep(0.5)
                    go.set()
                if not burst:
                    await asyncio.sleep(1.0)  # the process is up and its uploads are under way
                cpu = server.cpu_seconds()
                cpu_all = _cpu_with_workers(server.pid)
                uploader_cpu = _process_cpu(worker.pid)
                others.start()
                at = time.time()
                busy = await (chatting if burst else chat_p99(chatter, seconds))
                uploader_cores = max(0.0, _process_cpu(worker.pid) - uploader_cpu) / (
                    time.time() - at
                )
                windows.append((f"round {round_} with {uploaders} uploads", at, time.time()))
                others_busy = others.cores()
                used = server.cpu_seconds() - cpu
                used_all = _cpu_with_workers(server.pid) - cpu_all
                result = await asyncio.to_thread(receive.recv)
                await asyncio.to_thread(worker.join)
                if isinstance(result, str):
                    raise RuntimeError(result)
                done, refused, bursts = result
                burst_note = ""
                if bursts is not None:
                    busy = [
                        latency
                        for latency, sent in zip(busy, sent_at, strict=True)
                        if any(start <= sent <= end for start, end in bursts)
                    ]
                    lengths = [end - start for start, end in bursts]
                    burst_note = (
                        f"; {len(bursts)} bursts of {uploaders} concurrent uploads, each "
                        f"{min(lengths):.1f}-{max(lengths):.1f} s from the first sent to the "
                        f"last answered (chat counted inside them only)"
                    )
                ratio = percentile(busy, 99) / percentile(alone, 99)
                ratios.append(ratio)
                if neighbour:
                    beside = ctx.Process(target=_neighbour_process, args=(jpeg, seconds + 4))
                    beside.start()
                    await asyncio.sleep(2.0)  # it is up and decoding
                    others.start()
                    quiet_cpu = server.cpu_seconds()
                    beside_cpu, at = _process_cpu(beside.pid), time.time()
                    with_neighbour = await chat_p99(chatter, seconds)
                    beside_cores = (_process_cpu(beside.pid) - beside_cpu) / (time.time() - at)
                    neighbour_note = (
                        f"; with no uploads beside a SCHED_IDLE process cleaning the photo in "
                        f"a loop: p50 {percentile(with_neighbour, 50):.1f} ms, p99 "
                        f"{percentile(with_neighbour, 99):.1f} ms, "
                        f"{percentile(with_neighbour, 99) / percentile(alone, 99):.2f}x alone "
                        f"(server process {(server.cpu_seconds() - quiet_cpu) / seconds:.2f} "
                        f"cores, the neighbour {beside_cores:.2f}, other processes "
                        f"{others.cores():.2f})"
                    )
                    await asyncio.to_thread(beside.join)
                    burst_note += neighbour_note
                print(
                    f"round {round_}: chat at 50 msg/s alone p50 {percentile(alone, 50):.1f} ms, "
                    f"p99 {percentile(alone, 99):.1f} ms ({len(alone)} acks); with {uploaders} "
                    f"concurrent uploads ({mode}) p50 {percentile(busy, 50):.1f} ms, p99 "
                    f"{percentile(busy, 99):.1f} ms ({len(busy)} acks); {len(done)} uploads "
                    f"({sum(refused.values())} refused: {refused}), each p50 {percentile(done, 50) * 1000:.0f} ms; server process {used / seconds:.2f} "
                    f"cores, with its image workers {used_all / seconds:.2f} cores; p99 ratio {ratio:.2f}x; {_load()}; "
                    f"other processes used {others_alone:.2f} cores alone, {others_busy:.2f} with"
                    f"; uploading client {uploader_cores:.2f} cores"
                    + (f" (nice +{nice_uploads})" if nice_uploads else "")
                    + burst_note
                )
            ratio = statistics.median(ratios)
            print(
                f"p99 with uploads / without, median of {rounds} round(s): {ratio:.2f}x "
                f"(each: {', '.join(f'{r:.2f}' for r in ratios)}; bar <= 2x: "
                f"{'met' if ratio <= 2 else 'NOT met'})"
            )
            for ws, _ in sockets:
                await ws.close()
            await chatter.close()
        if loop_lag:
            server.stop()
            probes = orjson.loads(lag_file.read_bytes())
            for name, start, end in windows:
                print(f"{name}: {_lag(probes, start, end)}")
            print("where callbacks over 5 ms were (samples, innermost frame first):")
            for stack, count in probes["long_steps"][:8]:
                print(f"  {count:5d}  {stack}")
    print(f"({MACHINE}; {source_label()})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--uploaders", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--loop-lag", action="store_true", help="probe the server's event loop (4. above)"
    )
    parser.add_argument(
        "--nice-uploads",
        type=int,
        default=0,
        help="run the uploading client process this much nicer (19: lowest); a real server's "
        "uploads come from other machines, here they take CPU from the server's 2 cores",
    )
    parser.add_argument(
        "--mode",
        choices=("burst", "sustained"),
        default="burst",
        help="burst: the uploaders each send the photo at the same moment (20 concurrent "
        "uploads), again after each burst is done, and only chat messages sent during a burst "
        "count; sustained: every uploader uploads again as soon as its last one is answered, "
        "for the whole window (the machine's 2 cores stay full, whatever the server does)",
    )
    parser.add_argument(
        "--file",
        choices=("photo", "document"),
        default="photo",
        help="photo: the 5 MB JPEG (cleaned and thumbnailed by the image worker); document: as "
        "many bytes named notes.pdf, stored as sent (the uploads without the image work)",
    )
    parser.add_argument(
        "--neighbour",
        action="store_true",
        help="a third window per round: the chat without uploads beside a SCHED_IDLE process "
        "that cleans the photo in a loop (6. above)",
    )
    args = parser.parse_args()
    asyncio.run(
        run(
            args.seconds,
            args.uploaders,
            args.rounds,
            args.loop_lag,
            args.nice_uploads,
            args.mode,
            args.file,
            args.neighbour,
        )
    )


if __name__ == "__main__":
    main()
