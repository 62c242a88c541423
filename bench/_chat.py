"""Open conversations for the chat benchmarks: visitors that each have a chat accepted by a rep.

Each visitor sends a first message (creating an incoming conversation), a rep accepts it over
the HTTP API, and every rep then opens its console socket (hello -> snapshot). With several
server processes, visitors and reps are spread over them so that each conversation's visitor
and owning rep sit on different processes (every chat message crosses Redis).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp
import orjson

from bench._common import RepClient, Server, gather_limited, log, new_rep, visitor_socket


@dataclass
class ChatWorld:
    servers: list[Server]
    visitors: list[aiohttp.ClientWebSocketResponse] = field(default_factory=list)
    visitor_server: list[int] = field(default_factory=list)
    conversation_ids: list[str] = field(default_factory=list)
    owner: list[int] = field(default_factory=list)  # rep index owning visitor i's chat
    reps: list[RepClient] = field(default_factory=list)
    rep_server: list[int] = field(default_factory=list)
    http: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        await gather_limited([ws.close() for ws in self.visitors], 200)
        for rep in self.reps:
            await rep.close()
        if self.http is not None:
            await self.http.close()


def _assign_owner(i: int, world: ChatWorld, n_reps: int) -> int:
    if len(world.servers) == 1:
        return i % n_reps
    # An owner on another process than the visitor's.
    candidates = [r for r in range(n_reps) if world.rep_server[r] != world.visitor_server[i]]
    return candidates[i % len(candidates)]


async def build_world(
    servers: list[Server], site_key: str, emails: list[str], n_visitors: int
) -> ChatWorld:
    world = ChatWorld(servers)
    n_reps = len(emails)
    world.rep_server = [r % len(servers) for r in range(n_reps)]
    world.visitor_server = [i % len(servers) for i in range(n_visitors)]
    world.http = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0), timeout=aiohttp.ClientTimeout(total=None)
    )
    t0 = time.monotonic()
    world.reps = [
        await new_rep(servers[world.rep_server[r]], email) for r, email in enumerate(emails)
    ]

    async def one_visitor(i: int) -> tuple[aiohttp.ClientWebSocketResponse, str]:
        assert world.http is not None
        ws, _ = await visitor_socket(world.http, servers[world.visitor_server[i]], site_key)
        await ws.send_str(
            orjson.dumps(
                {"type": "message", "client_id": f"first-{i}", "body": "Hi, is anyone there?"}
            ).decode()
        )
        while True:
            msg = await ws.receive(timeout=60)
            if msg.type != aiohttp.WSMsgType.TEXT:
                raise RuntimeError(f"visitor {i} closed: {msg.type}")
            frame = orjson.loads(msg.data)
            if frame["type"] == "ack":
                return ws, frame["message"]["conversation_id"]
            if frame["type"] == "error":
                raise RuntimeError(f"visitor {i}: {frame}")

    results = await gather_limited([one_visitor(i) for i in range(n_visitors)], 50)
    world.visitors = [ws for ws, _ in results]
    world.conversation_ids = [cid for _, cid in results]
    log(f"{n_visitors} visitors connected with a conversation each in {time.monotonic() - t0:.1f}s")
    world.owner = [_assign_owner(i, world, n_reps) for i in range(n_visitors)]
    await gather_limited(
        [world.reps[world.owner[i]].accept(world.conversation_ids[i]) for i in range(n_visitors)],
        20,
    )
    for rep in world.reps:
        await rep.open_socket()
    log(f"conversations accepted and {n_reps} rep sockets open after {time.monotonic() - t0:.1f}s")
    return world


async def drain(
    ws: aiohttp.ClientWebSocketResponse,
    on_frame: Callable[[str, float], None],
    clock: Callable[[], float] = time.perf_counter,
) -> None:
    """Reads a socket until it closes, handing each text frame and its arrival time on."""
    while True:
        msg = await ws.receive()
        if msg.type == aiohttp.WSMsgType.TEXT:
            on_frame(msg.data, clock())
        elif msg.type in (
            aiohttp.WSMsgType.CLOSE,
            aiohttp.WSMsgType.CLOSING,
            aiohttp.WSMsgType.CLOSED,
            aiohttp.WSMsgType.ERROR,
        ):
            return


def start_readers(
    sockets: list[aiohttp.ClientWebSocketResponse],
    make_handler: Callable[[int], Callable[[str, float], None]],
) -> list[asyncio.Task[None]]:
    return [asyncio.create_task(drain(ws, make_handler(i))) for i, ws in enumerate(sockets)]
