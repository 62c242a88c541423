"""A throwaway redis-server of a test's own, which the test may stop and restart.

The shared Redis on 127.0.0.1:6379 serves every engineer's and CI job's tests at once, so a
test that needs Redis to go away runs this one instead: Debian's redis-server binary on a free
port, with no persistence (a restart loses everything, as a real Redis restart without a
dump may).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest

from tests.support.ports import free_port as _free_port


class ThrowawayRedis:
    def __init__(self, binary: str) -> None:
        self._binary = binary
        self.port = _free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        assert self._process is None, "already running"
        self._process = subprocess.Popen(
            [
                self._binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        """Kill it (SIGKILL: every connection drops at once, as in a crash)."""
        process, self._process = self._process, None
        if process is not None:
            process.kill()
            process.wait(timeout=10)

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture
def throwaway_redis() -> Iterator[ThrowawayRedis]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    server = ThrowawayRedis(binary)
    server.start()
    try:
        yield server
    finally:
        server.stop()
