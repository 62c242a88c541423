"""50 concurrent calls' signalling through one server process (issue 15): added server CPU per call.

One `frontdesk serve` process on PostgreSQL + Redis. 50 visitors each chat with one of 5 reps
(10 chats each, all on the one process). Two windows of the same length are measured on the
server process's CPU time:
  - idle: the 50 visitor sockets and 5 rep sockets connected, chats open, no call;
  - calls: all 50 calls at once, each the frames a real call sends: call_start, call_ringing,
    call_accept, an offer and an answer (5 KB SDPs), 12 ICE candidates each way, media state,
    call_connected, then keepalives from both sides every 5 s and a hang-up at the end.
Added CPU per call = (calls window - idle window) / 50. Media itself never passes through the
server (WebRTC), so this is the whole of a call's cost to it. Loopback only.

    .venv/bin/python bench/call_signalling.py [--calls 50] [--seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import time
from typing import Any

import aiohttp
import orjson

from bench._common import (
    MACHINE,
    RepClient,
    Servers,
    append_results,
    backend,
    boost_priority,
    cpu_of,
    frontdesk_server,
    log,
    new_rep,
    percentile,
    setup_org,
    source_label,
    visitor_socket,
)

SDP = "v=0\r\n" + "a=x-bench:" + "0" * 5000 + "\r\n"
CANDIDATE = {
    "candidate": "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host",
    "sdpMid": "0",
    "sdpMLineIndex": 0,
}


async def expect(ws: aiohttp.ClientWebSocketResponse, kind: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        msg = await ws.receive(timeout=max(0.1, deadline - time.monotonic()))
        if msg.type != aiohttp.WSMsgType.TEXT:
            raise RuntimeError(f"socket closed waiting for {kind}")
        frame = orjson.loads(msg.data)
        frames = frame["events"] if frame.get("type") == "batch" else [frame]
        for f in frames:
            if f.get("type") == kind:
                return f
            if f.get("type") == "error":
                raise RuntimeError(f"refused: {f}")


async def one_call(
    rep: RepClient,
    rep_ws: aiohttp.ClientWebSocketResponse,
    visitor: aiohttp.ClientWebSocketResponse,
    cid: str,
    n: int,
    seconds: float,
    lock: asyncio.Lock,
) -> float:
    """One call's signalling, start to hang-up; returns its set-up time (start -> active)."""
    started = time.perf_counter()
    async with lock:  # one rep socket: its frames are read by one waiter at a time
        await rep_ws.send_str(
            orjson.dumps(
                {"type": "call_start", "conversation_id": cid, "media": "audio", "leg": f"l{n}"}
            ).decode()
        )
        call_id = (await expect(rep_ws, "call_ice"))["call_id"]
    await expect(visitor, "call")
    send_v = visitor.send_str
    await send_v(orjson.dumps({"type": "call_ringing", "call_id": call_id}).decode())
    await send_v(
        orjson.dumps(
            {"type": "call_accept", "call_id": call_id, "media": "audio", "tab_id": "t"}
        ).decode()
    )
    await expect(visitor, "call_ice")
    await rep_ws.send_str(
        orjson.dumps({"type": "call_offer", "call_id": call_id, "sdp": SDP}).decode()
    )
    await expect(visitor, "call_offer")
    await send_v(orjson.dumps({"type": "call_answer", "call_id": call_id, "sdp": SDP}).decode())
    for _ in range(12):
        frame = {"type": "call_candidate", "call_id": call_id, "candidate": CANDIDATE}
        await rep_ws.send_str(orjson.dumps(frame).decode())
        await send_v(orjson.dumps(frame).decode())
    media = {"type": "call_media", "call_id": call_id, "mic": True, "camera": False}
    await rep_ws.send_str(orjson.dumps(media).decode())
    await send_v(orjson.dumps(media).decode())
    await send_v(orjson.dumps({"type": "call_connected", "call_id": call_id}).decode())
    setup = time.perf_counter() - started
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        await asyncio.sleep(5)
        alive = {"type": "call_keepalive", "call_id": call_id, "media_connected": True}
        await rep_ws.send_str(orjson.dumps(alive).decode())
        await send_v(orjson.dumps(alive).decode())
    await send_v(orjson.dumps({"type": "call_hangup", "call_id": call_id}).decode())
    return setup


async def drain(ws: aiohttp.ClientWebSocketResponse, stop: asyncio.Event) -> None:
    with contextlib.suppress(Exception):
        while not stop.is_set():
            await ws.receive(timeout=1)


async def main_async(args: argparse.Namespace) -> str:
    reps_n = 5
    with backend("pg") as b, Servers() as servers:
        site_key, emails = setup_org(b, reps=reps_n)
        server = servers.start(frontdesk_server(b, "calls"))
        reps = [await new_rep(server, e) for e in emails]
        for rep in reps:
            async with rep.http.patch(
                server.url + "/api/me/status",
                json={"availability": "available"},
                headers={"X-CSRF-Token": rep.csrf},
            ) as r:
                assert r.status == 200, await r.text()
            await rep.open_socket()
        http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        visitors = []
        chats = []
        for n in range(args.calls):
            ws, _ = await visitor_socket(http, server, site_key)
            await ws.send_str(
                orjson.dumps({"type": "message", "client_id": "m", "body": "hi"}).decode()
            )
            cid = (await expect(ws, "ack"))["message"]["conversation_id"]
            await reps[n % reps_n].accept(cid)
            visitors.append(ws)
            chats.append(cid)
        log(f"{args.calls} chats open on one process")
        # Idle window: everything connected, no call.
        stop = asyncio.Event()
        drains = [asyncio.create_task(drain(w, stop)) for w in visitors] + [
            asyncio.create_task(drain(r.ws, stop)) for r in reps if r.ws is not None
        ]
        await asyncio.sleep(2)
        before = cpu_of([server.pid])
        await asyncio.sleep(args.seconds + 5)
        idle = cpu_of([server.pid]) - before
        stop.set()
        await asyncio.gather(*drains)
        log(f"idle window: {idle:.2f} s CPU")
        locks = [asyncio.Lock() for _ in reps]
        rep_drain_stop = asyncio.Event()
        before = cpu_of([server.pid])
        t0 = time.monotonic()
        setups = await asyncio.gather(
            *(
                one_call(
                    reps[n % reps_n],
                    reps[n % reps_n].ws,  # type: ignore[arg-type]
                    visitors[n],
                    chats[n],
                    n,
                    args.seconds,
                    locks[n % reps_n],
                )
                for n in range(args.calls)
            )
        )
        window = time.monotonic() - t0
        busy = cpu_of([server.pid]) - before
        rep_drain_stop.set()
        idle_same = idle * window / (args.seconds + 5)
        per_call = (busy - idle_same) / args.calls
        for ws in visitors:
            await ws.close()
        await http.close()
        for rep in reps:
            await rep.close()
    today = dt.date.today().isoformat()
    return (
        f"## Calls: {args.calls} concurrent calls' signalling through one process (issue 15) - {today}\n\n"
        f"`bench/call_signalling.py --calls {args.calls} --seconds {args.seconds}` on {MACHINE}, "
        f"{source_label()}; one `frontdesk serve` on PostgreSQL + Redis, 5 reps with "
        f"{args.calls // reps_n} calls each, every call's real frames (start, ringing, accept, "
        "5 KB offer and answer, 12 candidates each way, media state, connected, keepalives "
        "every 5 s from both sides, hang-up).\n\n"
        f"| | value |\n| --- | --- |\n"
        f"| calls window (all {args.calls} calls, set-up to hang-up) | {window:.1f} s, server CPU {busy:.2f} s |\n"
        f"| idle window, same sockets and chats, no call (scaled to the calls window) | {idle_same:.2f} s |\n"
        f"| **added server CPU per call** | **{per_call * 1000:.1f} ms** over a {args.seconds} s call "
        f"({per_call / window * 100:.3f} % of a core while it lasts) |\n"
        f"| signalling set-up, call_start -> connected (client side, all at once) | p50 "
        f"{percentile(setups, 50) * 1000:.0f} ms, p95 {percentile(setups, 95) * 1000:.0f} ms |\n\n"
        "The machine is shared with other jobs (test suites, browsers): one run, indicative.\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    boost_priority()
    section = asyncio.run(main_async(args))
    print(section)
    if not args.no_record:
        append_results(section)


if __name__ == "__main__":
    main()
