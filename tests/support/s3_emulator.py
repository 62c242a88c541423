"""A real S3 API on 127.0.0.1 for the file storage tests: moto's server (a dev dependency,
`moto[server]`) started as its own process, the way an S3-compatible store runs beside
Frontdesk, and stopped afterwards."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from tests.support.ports import free_port as _free_port

ACCESS_KEY = "frontdesk-test"
SECRET_KEY = "frontdesk-test-secret"


@dataclass(frozen=True)
class S3Emulator:
    endpoint_url: str

    def client(self) -> object:
        import boto3

        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name="us-east-1",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )


@contextmanager
def running_s3_emulator() -> Iterator[S3Emulator]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "moto's S3 server did not start: "
                        + (process.stderr.read().decode() if process.stderr else "")
                    ) from None
                time.sleep(0.1)
        yield S3Emulator(f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        if process.stderr:
            process.stderr.close()
