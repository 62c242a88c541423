"""Debian's coturn on 127.0.0.1 for the call tests and bench/call_setup.py: started from a
temporary config with use-auth-secret (coturn's REST scheme, as docs/operations.md sets it up),
relay ports on loopback, and stopped (with its files removed) afterwards."""

from __future__ import annotations

import os
import shutil
import socket
import struct
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class CoturnMissing(RuntimeError):
    pass


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stun_answers(port: int, timeout: float = 0.5) -> bool:
    """A STUN binding request to 127.0.0.1:port gets a binding success response."""
    request = struct.pack("!HHI12s", 0x0001, 0, 0x2112A442, os.urandom(12))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        try:
            s.sendto(request, ("127.0.0.1", port))
            data, _ = s.recvfrom(2048)
        except OSError:
            return False
    return len(data) >= 20 and struct.unpack("!H", data[:2])[0] == 0x0101


@contextmanager
def running_coturn(secret: str) -> Iterator[int]:
    """`turnserver` listening on 127.0.0.1 (UDP and TCP); yields its port."""
    binary = shutil.which("turnserver")
    if binary is None:
        raise CoturnMissing("coturn is not installed (scripts/setup --browser installs it)")
    port = _free_udp_port()
    work = Path(tempfile.mkdtemp(prefix="fd-coturn-"))
    # 200 relay ports: each browser holds an allocation per media section until it lets go
    # (up to the allocation's lifetime), so calls one after another need room; 10 ports ran out
    # on the second call (bench/call_setup.py's 20 relayed calls in a row).
    relay_base = 20000 + (port % 60) * 200
    config = work / "turnserver.conf"
    config.write_text(
        "\n".join(
            [
                "listening-ip=127.0.0.1",
                f"listening-port={port}",
                "relay-ip=127.0.0.1",
                f"min-port={relay_base}",
                f"max-port={relay_base + 199}",
                "use-auth-secret",
                f"static-auth-secret={secret}",
                "realm=frontdesk.test",
                "fingerprint",
                "no-tls",
                "no-dtls",
                "no-cli",
                # The browsers are on loopback too: relay to them (never in production).
                "allow-loopback-peers",
                "no-multicast-peers",
                f"userdb={work / 'turndb'}",
                f"pidfile={work / 'turnserver.pid'}",
                f"log-file={work / 'turnserver.log'}",
                "simple-log",
            ]
        )
        + "\n"
    )
    process = subprocess.Popen(
        [binary, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        # Up to 50 s of probes; each probe's 0.5 s timeout is the wait between them.
        for _ in range(100):
            if stun_answers(port):
                break
            if process.poll() is not None:
                log = work / "turnserver.log"
                raise RuntimeError(
                    "turnserver exited: " + (log.read_text()[-2000:] if log.exists() else "")
                )
        else:
            raise RuntimeError("turnserver did not answer STUN on 127.0.0.1")
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
