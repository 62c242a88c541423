"""`frontdesk serve` listens before the server has loaded (issue 21, reconnect storms): browser
tabs that reconnect while a restarted process starts wait in its queue instead of being
refused and backing off, and are answered, in order, once it serves."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

from frontdesk.launch import bind_early
from tests.support.ports import free_port

FRONTDESK = str(Path(sys.executable).parent / "frontdesk")
SRC = str(Path(__file__).resolve().parents[2] / "src")


def _connect_as_soon_as_possible(port: int, limit: float) -> socket.socket:
    deadline = time.monotonic() + limit
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=30)
        except ConnectionRefusedError:
            assert time.monotonic() < deadline, "nothing listened on the port"
            time.sleep(0.01)


def _health(connection: socket.socket) -> bytes:
    connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    answer = b""
    while chunk := connection.recv(65536):
        answer += chunk
    return answer


def test_connections_made_while_the_server_loads_are_answered_once_it_serves(
    tmp_path: Path,
) -> None:
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_")}
    environment.update(
        PYTHONPATH=SRC,
        FRONTDESK_DATABASE_URL=f"sqlite:///{tmp_path}/fd.db",
        FRONTDESK_DATA_DIR=str(tmp_path),
        FRONTDESK_SECRET_KEY=secrets.token_urlsafe(32),
    )
    assert subprocess.run([FRONTDESK, "migrate"], env=environment, timeout=120).returncode == 0
    server = subprocess.Popen(
        [FRONTDESK, "serve", "--port", str(port)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    early: list[socket.socket] = []
    try:
        early.append(_connect_as_soon_as_possible(port, 60))
        early += [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(5)]
        # Connected before the server said it serves: the port was taken before it loaded.
        assert server.poll() is None
        assert server.stdout is not None
        os.set_blocking(server.stdout.fileno(), False)
        try:
            printed = os.read(server.stdout.fileno(), 65536)
        except BlockingIOError:
            printed = b""
        assert b"is serving" not in printed, printed
        for connection in early:
            answer = _health(connection)
            assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    finally:
        for connection in early:
            connection.close()
        server.terminate()
        server.wait(timeout=30)
        if server.stdout is not None:
            server.stdout.close()


def test_only_a_one_process_serve_binds_early() -> None:
    port = free_port()
    assert bind_early(["migrate"]) is None
    assert bind_early(["serve", "--port", str(port), "--workers", "2"]) is None
    assert bind_early(["serve", "--help"]) is None
    bound = bind_early(["serve", "--host", "127.0.0.1", "--port", str(port)])
    assert bound is not None
    with bound:
        assert bound.getsockname() == ("127.0.0.1", port)
        # Taken: a second one cannot bind and leaves the error to the server's own words.
        assert bind_early(["serve", "--port", str(port)]) is None


def test_connections_held_while_loading_are_bounded_and_handed_over_in_order() -> None:
    from frontdesk.launch import EarlyListener

    bound = bind_early(["serve", "--host", "127.0.0.1", "--port", str(free_port())])
    assert bound is not None
    listener = EarlyListener(bound, max_held=3)
    listener.start()
    clients = [socket.create_connection(bound.getsockname(), timeout=5) for _ in range(5)]
    try:
        deadline = time.monotonic() + 5
        while len(listener._held) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)  # room for a fourth, which must not be taken
        held = listener.hand_over()
        assert len(held) == 3
        assert [c.getpeername() for c in held] == [c.getsockname() for c in clients[:3]]
        # The other two wait in the kernel's queue for the server's own accept.
        later = [bound.accept()[0] for _ in range(2)]
        assert [c.getpeername() for c in later] == [c.getsockname() for c in clients[3:]]
        for connection in held + later:
            connection.close()
    finally:
        for client in clients:
            client.close()
        bound.close()
