"""`frontdesk serve --workers N`: N server processes on one port, watched by this one.

Each worker is a plain `frontdesk serve --reuse-port` process: the kernel spreads new
connections over the workers listening on the port (SO_REUSEPORT), so no socket passing and
no shared state in this process. The supervisor only starts workers, restarts one that dies
(with a growing pause when it keeps dying), and passes SIGTERM/SIGINT on, waiting for the
workers' graceful shutdown (docs/operations.md, "Several workers on one machine").

Workers share nothing in memory: chat state is in PostgreSQL, events and live state in Redis,
which is why --workers refuses SQLite and the in-process bus. Metrics are summed over the
workers with prometheus-client's multi-process mode: the supervisor gives every worker the
same fresh PROMETHEUS_MULTIPROC_DIR and tells the library when a worker is gone.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from types import FrameType

from frontdesk.settings import Settings, SettingsError

log = logging.getLogger("frontdesk.supervisor")

# A worker that dies is restarted after RESTART_DELAY, doubled for each death in a row, up
# to MAX_RESTART_DELAY; one that ran STABLE_AFTER seconds starts the count again.
RESTART_DELAY = 0.5
MAX_RESTART_DELAY = 30.0
STABLE_AFTER = 60.0
# A worker that dies within FAILED_START seconds FAILED_STARTS times in a row cannot start
# at all (the port is taken, the database refuses us): give up and say so.
FAILED_START = 5.0
FAILED_STARTS = 5
# How long workers get to drain (close sockets with 1001, finish writes) after SIGTERM.
STOP_TIMEOUT = 30.0
POLL = 0.1


def check_can_run_workers(settings: Settings, workers: int) -> None:
    """Several workers share state only through PostgreSQL and Redis: refuse anything else."""
    if workers < 1:
        raise SettingsError("--workers must be at least 1")
    if workers == 1:
        return
    missing = []
    if settings.is_sqlite:
        missing.append(
            "PostgreSQL (FRONTDESK_DATABASE_URL=postgresql://...; SQLite allows one "
            "writing process)"
        )
    if not settings.bus_url.startswith(("redis://", "rediss://", "unix://")):
        missing.append(
            "Redis (FRONTDESK_BUS_URL=redis://...; the in-process bus cannot reach the other "
            "workers)"
        )
    if missing:
        raise SettingsError(
            f"--workers {workers} needs " + " and ".join(missing) + ". With the defaults, run "
            "one process: frontdesk serve (docs/operations.md)"
        )


@dataclass
class _Worker:
    number: int
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    deaths_in_a_row: int = 0
    failed_starts: int = 0
    restart_at: float | None = None


@dataclass
class Supervisor:
    host: str
    port: int
    workers: int
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    stop_timeout: float = STOP_TIMEOUT
    _stopping: bool = False
    _metrics_dir: str = ""

    def _command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "frontdesk.cli",
            "serve",
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--reuse-port",
            "--supervisor-pid",
            str(os.getpid()),
        ]

    def _spawn(self, worker: _Worker) -> None:
        env = {**self.env, "PROMETHEUS_MULTIPROC_DIR": self._metrics_dir}
        # stdout and stderr are ours: every worker logs to where the supervisor logs.
        worker.process = subprocess.Popen(self._command(), env=env)
        worker.started_at = time.monotonic()
        worker.restart_at = None
        log.info("worker started", extra={"worker": worker.number, "pid": worker.process.pid})

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self._stopping = True

    def run(self) -> int:
        """Start the workers and watch them until SIGTERM or SIGINT; the exit status."""
        self._metrics_dir = tempfile.mkdtemp(prefix="frontdesk-metrics-")
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        workers = [_Worker(number) for number in range(1, self.workers + 1)]
        status = 0
        try:
            for worker in workers:
                self._spawn(worker)
            print(
                f"Frontdesk is serving on http://{self.host}:{self.port} with "
                f"{self.workers} workers (supervisor pid {os.getpid()})",
                flush=True,
            )
            while not self._stopping:
                if not self._watch(workers):
                    status = 1
                    break
                time.sleep(POLL)
        finally:
            self._stop(workers)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            shutil.rmtree(self._metrics_dir, ignore_errors=True)
        return status

    def _watch(self, workers: list[_Worker]) -> bool:
        """Restart dead workers when their pause is over; False when one cannot start."""
        now = time.monotonic()
        for worker in workers:
            process = worker.process
            if process is not None and process.poll() is not None:
                self._buried(worker, process, now)
                if worker.failed_starts >= FAILED_STARTS:
                    log.error(
                        "worker %d exited within %g s of starting %d times in a row; giving "
                        "up (see its log lines above)",
                        worker.number,
                        FAILED_START,
                        FAILED_STARTS,
                    )
                    return False
            due = worker.restart_at
            if worker.process is None and due is not None and now >= due:
                self._spawn(worker)
        return True

    def _buried(self, worker: _Worker, process: subprocess.Popen[bytes], now: float) -> None:
        from prometheus_client import multiprocess

        lived = now - worker.started_at
        worker.process = None
        # Its live gauges (open sockets) no longer count; its counters stay in the sums.
        multiprocess.mark_process_dead(process.pid, self._metrics_dir)  # type: ignore[no-untyped-call]
        worker.deaths_in_a_row = 1 if lived >= STABLE_AFTER else worker.deaths_in_a_row + 1
        worker.failed_starts = worker.failed_starts + 1 if lived < FAILED_START else 0
        delay = min(MAX_RESTART_DELAY, RESTART_DELAY * 2 ** (worker.deaths_in_a_row - 1))
        worker.restart_at = now + delay
        log.warning(
            "worker %d (pid %d) exited with status %s after %.1f s; restarting it in %.1f s",
            worker.number,
            process.pid,
            process.returncode,
            lived,
            delay,
            extra={"worker": worker.number, "pid": process.pid, "status": process.returncode},
        )

    def _stop(self, workers: list[_Worker]) -> None:
        """SIGTERM every worker, wait for their graceful shutdown, SIGKILL what is left."""
        running = [w.process for w in workers if w.process is not None]
        for process in running:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        for process in running:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("worker pid %d did not stop in time; killing it", process.pid)
                process.kill()
                process.wait()
        log.info("all workers stopped")


def supervisor_gone(expected_pid: int) -> bool:
    """In a worker: True once the supervisor that started it is gone (then the worker is an
    orphan nobody will stop or restart, and it shuts down by itself)."""
    return os.getppid() != expected_pid
