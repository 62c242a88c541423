"""Ports for in-process test servers that must know their own URL before they start.

Picking a free port, closing it and binding it again later races with the kernel, which may
hand that port to any outgoing connection in between (the suite makes thousands: PostgreSQL,
Redis, Chromium); CI once failed on exactly that ("Address already in use"). A ReservedPort
keeps the socket bound from the moment the port is chosen until the server takes it over, and
a bound port is never given to an outgoing connection.
"""

from __future__ import annotations

import random as _random
import socket


class ReservedPort:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self._socket: socket.socket | None = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, 0))
        self.port: int = int(self._socket.getsockname()[1])

    def take(self, host: str, port: int, family: socket.AddressFamily) -> socket.socket:
        """aiohttp TestServer's `socket_factory`: the reserved socket, once."""
        assert port == self.port, (port, self.port)
        taken, self._socket = self._socket, None
        assert taken is not None, "a reserved port serves one server"
        return taken

    def release(self) -> None:
        """Give the port back without serving on it (a fixture that failed before starting)."""
        if self._socket is not None:
            self._socket.close()
            self._socket = None


def server_port(port: int | ReservedPort | None) -> dict[str, object]:
    """The TestServer keyword arguments for a port given either way."""
    if isinstance(port, ReservedPort):
        return {"port": port.port, "socket_factory": port.take}
    return {"port": port}


def _ephemeral_low() -> int:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as limits:
            return int(limits.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port() -> int:
    """A port for a server in another process (which cannot take over a bound socket).

    Chosen below the kernel's ephemeral range, so no outgoing connection can take it between
    now and the moment that process binds it; free at the time of asking."""
    low = _ephemeral_low()
    for _ in range(200):
        port = _random.randrange(20000, max(20001, low))
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below the ephemeral range")
