"""Real `frontdesk serve` processes sharing one PostgreSQL database and one Redis."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import (
    PG_HOST,
    PG_PORT,
    REDIS_HOST,
    REDIS_PORT,
    _create_pg_database,
    _drop_pg_database,
    require_postgres,
    require_redis,
)
from tests.support.ports import free_port

FRONTDESK = str(Path(sys.executable).parent / "frontdesk")
ROOT = Path(__file__).resolve().parents[2]
# `frontdesk serve` on the cluster's shared, movable clock (the seam lives in the test tree).
SERVE_WITH_CLOCK = [sys.executable, "-m", "tests.support.serve_with_clock"]


@dataclass
class Cluster:
    env: dict[str, str]
    clock_file: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    logs: dict[str, Path] = field(default_factory=dict)
    log_dir: Path = Path(".")

    def run_cli(self, *args: str) -> str:
        result = subprocess.run(
            [FRONTDESK, *args], env=self.env, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    def start(self, name: str, port: int | None = None) -> str:
        port = port or self.ports.get(name) or free_port()
        self.ports[name] = port
        log = self.log_dir / f"{name}.log"
        self.logs[name] = log
        # The process gets its own copy of the file descriptor: ours is closed at once.
        with log.open("ab") as handle:
            self.processes[name] = subprocess.Popen(
                [
                    *SERVE_WITH_CLOCK,
                    str(self.clock_file),
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                cwd=ROOT,
                env=self.env,
                stdout=handle,
                stderr=handle,
            )
        # 60 s: on a loaded 2-core machine (other test runs beside this one) importing the
        # server alone has taken over 20 s.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    return self.url(name)
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{name} did not start: {log.read_text()[-2000:]}")

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def kill(self, name: str) -> None:
        process = self.processes.pop(name)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def move_clock(self, seconds: float) -> None:
        current = float(self.clock_file.read_text() or 0)
        self.clock_file.write_text(str(current + seconds))

    def stop_all(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    with running_cluster(tmp_path) as c:
        yield c


@contextmanager
def running_cluster(tmp_path: Path) -> Iterator[Cluster]:
    """A fresh PostgreSQL database and Redis namespace for server processes to share (also
    used by tests/e2e/test_calls_two_processes.py)."""
    require_postgres()
    require_redis()
    name = f"frontdesk_mp_{uuid.uuid4().hex[:10]}"
    url = _create_pg_database(name)
    clock_file = tmp_path / "clock-offset"
    clock_file.write_text("0")
    env = {
        **os.environ,
        "FRONTDESK_ENV": "production",
        "FRONTDESK_DATABASE_URL": url,
        "FRONTDESK_BUS_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/0",
        "FRONTDESK_REDIS_NAMESPACE": f"fdmp{uuid.uuid4().hex[:8]}",
        "FRONTDESK_SECRET_KEY": "multi-process-test-secret-" + uuid.uuid4().hex,
        "FRONTDESK_SWEEPER_INTERVAL": "0.1",
        "FRONTDESK_LOG_LEVEL": "INFO",
    }
    c = Cluster(env=env, clock_file=clock_file, log_dir=tmp_path)
    c.run_cli("migrate")
    try:
        yield c
    finally:
        c.stop_all()
        _drop_pg_database(name)


__all__ = ["PG_HOST", "PG_PORT", "Cluster", "running_cluster"]
