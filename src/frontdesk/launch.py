"""The `frontdesk` command's entry point: `serve` takes its port before the server loads.

Loading the server's modules takes a restarted process one to three seconds (more on a busy
machine). A port nobody listens on refuses connections, so every open browser tab whose socket
dropped with the old process fails its reconnects during those seconds and backs off further
each time (web/widget/loader.ts): after a crash or a deploy, tabs come back long after the
server does (bench/reconnect_storm.py). Listening first, the way systemd's socket activation
does, turns those seconds into a wait in the kernel's accept queue (4,096 deep; a connection
beyond it has its SYN retransmitted by the client's kernel, not refused): the tabs connect
as soon as the server accepts, with no back-off spent.

The accept queue holds 4,096 (the kernel's cap, net.core.somaxconn); a reconnect storm of
10,000 tabs overflows it, and a connection whose SYN was dropped is retried by the client's
kernel 1, 3, 7 and 15 s later, so the tail of the storm waited for those timers. While the
server loads, a thread therefore accepts the connections (nothing is read from them) and holds
them; the server takes them over first thing, in the order they came.

Only this module's standard-library imports run before the socket is bound. Everything else
is `frontdesk.cli`, which tests and benchmarks call directly (they bind as before).
"""

from __future__ import annotations

import argparse
import socket
import sys
import threading
from collections.abc import Sequence

# As the server's own listening sockets (cli._serve).
BACKLOG = 4096
# At most this many connections are held while the server loads (each is a file descriptor
# and a little kernel memory); past it the kernel's accept queue takes the rest, as before.
MAX_HELD = 20_000


class EarlyListener:
    """`serve`'s listening socket, with the connections accepted while the server loaded."""

    def __init__(self, listening: socket.socket, *, max_held: int = MAX_HELD) -> None:
        self.socket = listening
        self._max_held = max_held
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._accept, name="frontdesk-early-accept", daemon=True
        )

    def start(self) -> None:
        self.socket.settimeout(0.05)  # how often the thread looks whether to stop
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set() and len(self._held) < self._max_held:
            try:
                connection, _ = self.socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # out of descriptors, or closed: the kernel's queue takes over
            self._held.append(connection)

    def hand_over(self) -> list[socket.socket]:
        """Stops accepting here; the listening socket (non-blocking now) and the connections
        held, oldest first, are the server's from now on."""
        self._stop.set()
        self._thread.join()
        self.socket.setblocking(False)
        held, self._held = self._held, []
        for connection in held:
            connection.setblocking(False)
        return held


def bind_early(argv: Sequence[str]) -> socket.socket | None:
    """The listening socket of a one-process `serve`, bound now; None for every other command
    (and where the address is not one socket: a host name with several addresses is left to
    the server, which binds each)."""
    if not argv or argv[0] != "serve":
        return None
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--reuse-port", action="store_true")
    parser.add_argument("-h", "--help", action="store_true")
    try:
        args, _ = parser.parse_known_args(argv[1:])
    except SystemExit:
        return None  # the real parser reports the mistake
    if args.help or args.workers != 1:
        return None  # the supervisor's workers bind the port themselves
    try:
        found = socket.getaddrinfo(
            args.host, args.port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except OSError:
        return None
    if len({info[4] for info in found}) != 1:
        return None
    family, kind, proto, _, address = found[0]
    listening = socket.socket(family, kind, proto)
    try:
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if args.reuse_port:
            listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        if family == socket.AF_INET6:
            listening.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        listening.bind(address)
        listening.listen(BACKLOG)
    except OSError:
        listening.close()
        return None  # the server binds again and reports the error in its own words
    listening.setblocking(False)
    return listening


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    bound = bind_early(arguments)
    listening = EarlyListener(bound) if bound is not None else None
    if listening is not None:
        listening.start()
    from frontdesk.cli import main as frontdesk_main

    return frontdesk_main(arguments, listening=listening)


if __name__ == "__main__":
    sys.exit(main())
