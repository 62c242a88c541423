"""`frontdesk serve --workers 2`: one port, two processes, a supervisor that restarts a dead
worker and drains them all on SIGTERM (PostgreSQL + Redis)."""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import psutil
import pytest
from sqlalchemy import text

from frontdesk.storage.db import Database
from tests.harness import Socket
from tests.multiprocess.conftest import FRONTDESK, ROOT, Cluster, free_port

pytestmark = pytest.mark.asyncio
SITE = "https://www.customer.example"
PASSWORD = "dana-password"


def start_workers(cluster: Cluster, workers: int = 2) -> tuple[subprocess.Popen[bytes], str]:
    """`frontdesk serve --workers N` and its URL, once every worker accepts connections."""
    port = free_port()
    log = cluster.log_dir / "supervisor.log"
    with log.open("ab") as handle:
        supervisor = subprocess.Popen(
            [
                FRONTDESK,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            cwd=ROOT,
            env=cluster.env,
            stdout=handle,
            stderr=handle,
        )
    cluster.processes["supervisor"] = supervisor
    deadline = time.monotonic() + 90  # a shared, busy machine starts Python slowly
    while time.monotonic() < deadline:
        if len(listening_workers(supervisor, port)) == workers:
            return supervisor, f"http://127.0.0.1:{port}"
        time.sleep(0.1)
    raise RuntimeError(f"workers did not start: {log.read_text()[-3000:]}")


def listening_workers(supervisor: subprocess.Popen[bytes], port: int) -> list[int]:
    """The pids of the supervisor's workers that listen on the port."""
    pids = []
    for child in psutil.Process(supervisor.pid).children():
        try:
            for conn in child.net_connections(kind="tcp"):
                if conn.status == psutil.CONN_LISTEN and conn.laddr.port == port:
                    pids.append(child.pid)
                    break
        except psutil.NoSuchProcess:
            continue
    return pids


def replaced(supervisor: subprocess.Popen[bytes], port: int, victim: int) -> bool:
    """Two workers listen and the killed one is not among them, read in one look: a dying
    process closes its listening socket before it is reaped and buried, so two looks could see
    it listening in the first and gone in the second, before any replacement exists."""
    listening = listening_workers(supervisor, port)
    return len(listening) == 2 and victim not in listening


def worker_holding(supervisor: subprocess.Popen[bytes], sock: Socket) -> int:
    """The pid of the worker on the other end of this client socket."""
    client_port = sock.ws.get_extra_info("sockname")[1]
    for child in psutil.Process(supervisor.pid).children():
        for conn in child.net_connections(kind="tcp"):
            if conn.raddr and conn.raddr.port == client_port:
                return child.pid
    raise AssertionError("no worker holds this socket")


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def setup_org(cluster: Cluster) -> tuple[str, str]:
    site_key = cluster.run_cli("create-org", "Acme", "--origin", SITE)
    email = f"rep-{uuid.uuid4().hex[:6]}@acme.example"
    cluster.run_cli(
        "create-rep",
        *("--org", site_key, "--email", email, "--name", "Dana"),
        *("--role", "rep", "--password", PASSWORD),
    )
    return site_key, email


async def rep_socket(http: aiohttp.ClientSession, base: str, email: str) -> Socket:
    async with http.post(
        base + "/api/auth/login", json={"email": email, "password": PASSWORD}
    ) as response:
        assert response.status == 200
    ws = await http.ws_connect(base.replace("http", "ws") + "/ws/rep", origin=base)
    sock = Socket(ws)
    await sock.send({"type": "hello"})
    sock.snapshot = await sock.expect("snapshot")
    return sock


async def visitor_socket(
    http: aiohttp.ClientSession, base: str, site_key: str, token: str | None, last_seq: int
) -> Socket:
    ws = await http.ws_connect(
        base.replace("http", "ws") + f"/ws/visitor?site={site_key}", origin=SITE
    )
    sock = Socket(ws)
    await sock.send(
        {"type": "hello", "token": token, "page": {"url": SITE + "/pricing", "title": "Pricing"}}
        | {"resumed": token is not None, "last_seq": last_seq, "tab_id": "tab"}
    )
    sock.welcome = await sock.expect("welcome", timeout=10)
    return sock


async def stored_client_ids(cluster: Cluster, conversation_id: str) -> dict[str, int]:
    db = Database(cluster.env["FRONTDESK_DATABASE_URL"])
    try:
        async with db.read() as session:
            rows = (
                await session.execute(
                    text("SELECT client_msg_id, seq FROM messages WHERE conversation_id = :c"),
                    {"c": conversation_id},
                )
            ).all()
    finally:
        await db.close()
    # Messages with no client id (the bot's, a rep joining) are the server's own.
    seqs = sorted(int(seq) for _, seq in rows)
    assert seqs == list(range(1, len(seqs) + 1)), "no gaps and no duplicates"
    return {str(client_id): int(seq) for client_id, seq in rows if client_id is not None}


async def wait_for(condition: Any, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def test_a_killed_worker_is_restarted_and_its_visitor_reconnects_without_losing_a_message(
    cluster: Cluster,
) -> None:
    site_key, email = setup_org(cluster)
    supervisor, url = start_workers(cluster, 2)
    port = port_of(url)
    async with (
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as rep_http,
        aiohttp.ClientSession() as visitor_http,
    ):
        console = await rep_socket(rep_http, url, email)
        visitor = await visitor_socket(visitor_http, url, site_key, None, 0)
        token = visitor.welcome["token"]  # type: ignore[index]
        acknowledged: dict[str, int] = {}
        for i in range(1, 5):
            await visitor.send({"type": "message", "client_id": f"v{i}", "body": f"message {i}"})
            ack = await visitor.expect("ack", client_id=f"v{i}")
            acknowledged[f"v{i}"] = ack["message"]["seq"]
        cid = ack["message"]["conversation_id"]
        await console.expect("message", message__client_id="v4")

        # One more is in flight when its worker dies: the widget retries it by client id.
        await visitor.send({"type": "message", "client_id": "v5", "body": "in flight"})
        victim = worker_holding(supervisor, visitor)
        console_on_victim = worker_holding(supervisor, console) == victim
        psutil.Process(victim).send_signal(signal.SIGKILL)
        with pytest.raises(ConnectionError):
            while True:
                await visitor.next_frame(timeout=10)

        # The supervisor starts a new worker in its place.
        await wait_for(
            lambda: replaced(supervisor, port, victim),
            "the killed worker to be replaced",
        )
        assert supervisor.poll() is None

        visitor = await visitor_socket(
            visitor_http, url, site_key, token, max(acknowledged.values())
        )
        await visitor.send({"type": "message", "client_id": "v5", "body": "in flight"})
        acknowledged["v5"] = (await visitor.expect("ack", client_id="v5"))["message"]["seq"]
        if console_on_victim:  # the console was on the killed worker: it reconnects too
            console = await rep_socket(rep_http, url, email)
        await console.send(
            {"type": "message", "conversation_id": cid, "client_id": "r1", "body": "Still here"}
        )
        acknowledged["r1"] = (await console.expect("ack", client_id="r1"))["message"]["seq"]
        await visitor.expect("message", message__client_id="r1")

        stored = await stored_client_ids(cluster, cid)
        assert stored == acknowledged, "everything acknowledged, each once, nothing else"
        await console.ws.close()
        await visitor.ws.close()


async def test_sigterm_closes_every_socket_with_1001_and_keeps_every_acknowledged_message(
    cluster: Cluster,
) -> None:
    # The visitors below write as fast as they are acknowledged: a chat load, not a person.
    cluster.env["FRONTDESK_VISITOR_MESSAGES_PER_10S"] = "100000"
    site_key, email = setup_org(cluster)
    supervisor, url = start_workers(cluster, 2)
    async with (
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as rep_http,
        aiohttp.ClientSession() as visitor_http,
    ):
        console = await rep_socket(rep_http, url, email)
        visitors = [await visitor_socket(visitor_http, url, site_key, None, 0) for _ in range(4)]
        holders = {worker_holding(supervisor, v) for v in visitors}
        holders.add(worker_holding(supervisor, console))

        acknowledged: dict[str, tuple[str, int]] = {}
        codes: list[int | None] = []

        async def chat(index: int, visitor: Socket) -> None:
            """Write until the server goes away; remember every acknowledgement."""
            i = 0
            while True:
                i += 1
                client_id = f"v{index}-{i}"
                try:
                    await visitor.send({"type": "message", "client_id": client_id, "body": "hi"})
                    while True:
                        frame = await visitor.next_frame(timeout=10)
                        if frame["type"] == "ack" and frame["client_id"] == client_id:
                            message = frame["message"]
                            acknowledged[client_id] = (message["conversation_id"], message["seq"])
                            break
                        assert frame["type"] != "error", frame
                except ConnectionError:
                    # A send may fail before the close frame was read: read up to it.
                    while visitor.ws.close_code is None:
                        msg = await visitor.ws.receive(timeout=5)
                        if msg.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                            break
                    codes.append(visitor.ws.close_code)
                    return

        writers = [asyncio.ensure_future(chat(i, v)) for i, v in enumerate(visitors)]
        await wait_for(lambda: len(acknowledged) >= 20, "some messages to be acknowledged")
        supervisor.send_signal(signal.SIGTERM)
        assert await console.closed_code(timeout=15) == 1001
        await asyncio.wait_for(asyncio.gather(*writers), timeout=20)
        assert codes == [1001] * len(visitors), "every visitor was told 'going away'"
        assert supervisor.wait(timeout=30) == 0
        assert not any(psutil.pid_exists(pid) for pid in holders), "the workers are gone"

    conversations = {cid for cid, _ in acknowledged.values()}
    stored: dict[str, int] = {}
    for cid in conversations:
        stored |= await stored_client_ids(cluster, cid)
    missing = {cid: seq for cid, seq in acknowledged.items() if stored.get(cid) != seq[1]}
    assert not missing, f"acknowledged but not stored: {missing}"


async def test_workers_refuse_sqlite_and_the_in_process_bus_and_say_what_they_need(
    tmp_path: Path,
) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "FRONTDESK_ENV": "production",
        "FRONTDESK_SECRET_KEY": "workers-refusal-test-secret-" + uuid.uuid4().hex,
        "FRONTDESK_DATA_DIR": str(tmp_path),
    }
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = subprocess.run(
        [FRONTDESK, "serve", "--port", str(port), "--workers", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--workers 2 needs PostgreSQL" in result.stderr
    assert "and Redis (FRONTDESK_BUS_URL=redis://" in result.stderr
    assert not list(tmp_path.iterdir()), "nothing was started or created"


async def scrape(http: aiohttp.ClientSession, url: str, token: str) -> dict[str, float]:
    from prometheus_client.parser import text_string_to_metric_families

    async with http.get(url + "/metrics", headers={"Authorization": f"Bearer {token}"}) as r:
        assert r.status == 200
        text = await r.text()
    return {
        sample.name + "".join(f"|{k}={v}" for k, v in sorted(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_metrics_are_summed_over_the_workers_whichever_one_answers(
    cluster: Cluster,
) -> None:
    token = "workers-metrics-token-" + uuid.uuid4().hex
    cluster.env["FRONTDESK_METRICS_TOKEN"] = token
    site_key, email = setup_org(cluster)
    supervisor, url = start_workers(cluster, 2)
    async with (
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as rep_http,
        aiohttp.ClientSession() as visitor_http,
        aiohttp.ClientSession() as scraper,
    ):
        console = await rep_socket(rep_http, url, email)
        # Visitors until both workers hold some (the kernel picks a worker per connection).
        visitors: list[Socket] = []
        while len({worker_holding(supervisor, v) for v in visitors}) < 2 or len(visitors) < 4:
            assert len(visitors) < 40, "the kernel never chose the second worker"
            visitors.append(await visitor_socket(visitor_http, url, site_key, None, 0))
        for i, visitor in enumerate(visitors):
            for j in range(2):
                await visitor.send({"type": "message", "client_id": f"v{i}-{j}", "body": "hi"})
                await visitor.expect("ack", client_id=f"v{i}-{j}")
        # Every scrape (each may be answered by either worker) sees the sum over both.
        for _ in range(6):
            samples = await scrape(scraper, url, token)
            assert samples["frontdesk_messages_total|author=visitor"] == 2 * len(visitors)
            assert samples["frontdesk_ack_latency_seconds_count|author=visitor"] == 2 * len(
                visitors
            )
            assert samples["frontdesk_open_sockets|kind=visitor"] == len(visitors)
            assert samples["frontdesk_open_sockets|kind=rep"] == 1
        # A killed worker's sockets stop counting as open; its messages still count.
        victim = worker_holding(supervisor, visitors[0])
        on_victim = [v for v in visitors if worker_holding(supervisor, v) == victim]
        console_on_victim = worker_holding(supervisor, console) == victim
        psutil.Process(victim).send_signal(signal.SIGKILL)
        port = port_of(url)
        # Replaced: the supervisor has buried the dead worker (and its live gauges) first.
        await wait_for(
            lambda: replaced(supervisor, port, victim),
            "the killed worker to be replaced",
        )
        samples = await scrape(scraper, url, token)
        assert samples["frontdesk_messages_total|author=visitor"] == 2 * len(visitors)
        assert samples["frontdesk_open_sockets|kind=visitor"] == len(visitors) - len(on_victim)
        assert samples["frontdesk_open_sockets|kind=rep"] == (0 if console_on_victim else 1)
        for visitor in visitors:
            await visitor.ws.close()
        await console.ws.close()
