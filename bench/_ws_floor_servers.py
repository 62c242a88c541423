"""Bare WebSocket echo servers for bench/ws_server_floor.py: the least state each library holds
for one open socket (no Frontdesk code at all). Usage: python _ws_floor_servers.py KIND PORT."""

from __future__ import annotations

import asyncio
import resource
import sys
from typing import Any


async def _aiohttp(port: int) -> None:
    from aiohttp import web

    async def echo(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(compress=False)
        await ws.prepare(request)
        async for message in ws:
            await ws.send_str(message.data)
        return ws

    app = web.Application()
    app.router.add_get("/ws", echo)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port, backlog=4096).start()


async def _websockets(port: int) -> None:
    from websockets.asyncio.server import ServerConnection, serve

    async def echo(ws: ServerConnection) -> None:
        async for message in ws:
            await ws.send(message)

    await serve(echo, "127.0.0.1", port, compression=None, backlog=4096)


async def _picows(port: int) -> None:
    from picows import WSListener, WSMsgType, ws_create_server

    class Echo(WSListener):  # type: ignore[misc]
        def on_ws_frame(self, transport: Any, frame: Any) -> None:
            if frame.msg_type == WSMsgType.TEXT:
                transport.send(WSMsgType.TEXT, frame.get_payload_as_bytes())

    await ws_create_server(lambda request: Echo(), "127.0.0.1", port, backlog=4096)


async def _wsproto(port: int) -> None:
    # A plain asyncio.Protocol around wsproto's sans-IO state machine: no task per socket.
    from wsproto import ConnectionType, WSConnection
    from wsproto.events import AcceptConnection, CloseConnection, Ping, Request, TextMessage

    class Echo(asyncio.Protocol):
        __slots__ = ("transport", "ws")

        def connection_made(self, transport: Any) -> None:
            self.transport = transport
            self.ws = WSConnection(ConnectionType.SERVER)

        def data_received(self, data: bytes) -> None:
            self.ws.receive_data(data)
            for event in self.ws.events():
                if isinstance(event, Request):
                    self.transport.write(self.ws.send(AcceptConnection()))
                elif isinstance(event, TextMessage):
                    self.transport.write(self.ws.send(TextMessage(data=event.data)))
                elif isinstance(event, Ping):
                    self.transport.write(self.ws.send(event.response()))
                elif isinstance(event, CloseConnection):
                    self.transport.write(self.ws.send(event.response()))
                    self.transport.close()

    await asyncio.get_running_loop().create_server(Echo, "127.0.0.1", port, backlog=4096)


SERVERS = {"aiohttp": _aiohttp, "websockets": _websockets, "picows": _picows, "wsproto": _wsproto}


async def main(kind: str, port: int) -> None:
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    await SERVERS[kind](port)
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
