"""Debian's nginx, with docs/deploy/nginx-frontdesk.conf, in front of two Frontdesk processes:
a visitor and a rep chat through it over TLS, the visitor's real address is what Frontdesk
records, and an X-Forwarded-For the visitor made up is not."""

from __future__ import annotations

import asyncio
import os
import shutil
import ssl
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from tests.harness import Socket
from tests.multiprocess.conftest import ROOT, Cluster, free_port

pytestmark = pytest.mark.asyncio
SITE = "https://www.customer.example"
PASSWORD = "dana-password"
CONFIG = ROOT / "docs" / "deploy" / "nginx-frontdesk.conf"
# The visitor's own address: another loopback address than the one nginx connects from.
VISITOR_IP = "127.0.0.5"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@dataclass
class Nginx:
    url: str
    access_log: Path


def render_config(tmp: Path, port: int, upstreams: list[int]) -> Path:
    """The documented configuration with this test's ports, paths and certificate."""
    text = CONFIG.read_text()
    assert "server 127.0.0.1:8000;" in text and "listen 443 ssl;" in text
    text = text.replace(
        "server 127.0.0.1:8000;", " ".join(f"server 127.0.0.1:{p};" for p in upstreams)
    )
    text = text.replace("listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;")
    text = "\n".join(line for line in text.splitlines() if "[::]" not in line)
    text = text.replace(
        "/etc/letsencrypt/live/frontdesk.acme.com/fullchain.pem", str(tmp / "cert.pem")
    )
    text = text.replace(
        "/etc/letsencrypt/live/frontdesk.acme.com/privkey.pem", str(tmp / "key.pem")
    )
    text = text.replace("/var/log/nginx/frontdesk.access.log", str(tmp / "access.log"))
    site = tmp / "frontdesk.conf"
    site.write_text(text)
    user = "user root;\n" if os.geteuid() == 0 else ""
    main = tmp / "nginx.conf"
    main.write_text(
        f"""{user}daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log info;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {site};
}}
"""
    )
    return main


@pytest.fixture
def nginx_in_front(cluster: Cluster, tmp_path: Path) -> Iterator[Nginx]:
    if not Path(NGINX).exists():
        pytest.skip("nginx is not installed (scripts/setup --browser installs it)")
    port = free_port()
    cluster.env["FRONTDESK_TRUSTED_PROXIES"] = "127.0.0.1"
    cluster.env["FRONTDESK_PUBLIC_URL"] = f"https://127.0.0.1:{port}"
    a, b = cluster.start("a"), cluster.start("b")
    tmp = tmp_path / "nginx"
    tmp.mkdir()
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(tmp / "key.pem"),
            "-out",
            str(tmp / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    main = render_config(tmp, port, [int(a.rsplit(":", 1)[1]), int(b.rsplit(":", 1)[1])])
    check = subprocess.run(
        [NGINX, "-t", "-p", str(tmp), "-c", str(main), "-e", str(tmp / "error.log")],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen(
        [NGINX, "-p", str(tmp), "-c", str(main), "-e", str(tmp / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not (tmp / "nginx.pid").exists():
            assert time.monotonic() < deadline, (tmp / "error.log").read_text()
            assert process.poll() is None, (tmp / "error.log").read_text()
            time.sleep(0.05)
        yield Nginx(f"https://127.0.0.1:{port}", tmp / "access.log")
    finally:
        process.terminate()
        process.wait(timeout=10)


def client(local_ip: str | None = None) -> aiohttp.ClientSession:
    tls = ssl.create_default_context()
    tls.check_hostname = False
    tls.verify_mode = ssl.CERT_NONE  # the test's self-signed certificate
    connector = aiohttp.TCPConnector(
        ssl=tls, local_addr=(local_ip, 0) if local_ip else None, force_close=False
    )
    return aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.CookieJar(unsafe=True))


async def test_a_visitor_and_a_rep_chat_through_nginx_and_the_visitors_real_address_is_kept(
    cluster: Cluster, nginx_in_front: Nginx
) -> None:
    url = nginx_in_front.url
    site_key = cluster.run_cli("create-org", "Acme", "--origin", SITE)
    email = f"rep-{uuid.uuid4().hex[:6]}@acme.example"
    cluster.run_cli(
        "create-rep",
        *("--org", site_key, "--email", email, "--name", "Dana"),
        *("--role", "rep", "--password", PASSWORD),
    )
    async with client() as rep_http, client(VISITOR_IP) as visitor_http:
        async with rep_http.post(
            url + "/api/auth/login", json={"email": email, "password": PASSWORD}
        ) as response:
            assert response.status == 200
        console = Socket(
            await rep_http.ws_connect(url.replace("https", "wss") + "/ws/rep", origin=url)
        )
        await console.send({"type": "hello"})
        await console.expect("snapshot")

        # The visitor claims to be someone else; nginx replaces the header with its address.
        ws = await visitor_http.ws_connect(
            url.replace("https", "wss") + f"/ws/visitor?site={site_key}",
            origin=SITE,
            headers={"X-Forwarded-For": "203.0.113.9", "X-Request-Id": "made-up-id"},
        )
        visitor = Socket(ws)
        await visitor.send(
            {"type": "hello", "token": None, "page": {"url": SITE + "/", "title": "Home"}}
            | {"resumed": False, "last_seq": 0, "tab_id": "tab"}
        )
        await visitor.expect("welcome", timeout=10)
        await visitor.send({"type": "message", "client_id": "v1", "body": "Hello through nginx"})
        cid = (await visitor.expect("ack", client_id="v1"))["message"]["conversation_id"]
        arrived = await console.expect("message", timeout=10, message__client_id="v1")
        await console.send(
            {"type": "message", "conversation_id": cid, "client_id": "r1", "body": "Hi there"}
        )
        await console.expect("ack", client_id="r1")
        await visitor.expect("message", timeout=10, message__client_id="r1")

        async with rep_http.get(url + f"/api/conversations/{cid}") as response:
            visitor_id = (await response.json())["conversation"]["visitor_id"]
        async with rep_http.get(url + f"/api/visitors/{visitor_id}") as response:
            assert response.status == 200
            rid = response.headers["X-Request-Id"]
            visits = (await response.json())["visits"]
        assert [visit["ip"] for visit in visits] == [VISITOR_IP]
        assert arrived["message"]["body"] == "Hello through nginx"

        # Request ids: nginx's id reaches Frontdesk (and its answer); a client's is replaced.
        assert len(rid) == 32 and rid != "made-up-id"
        async with visitor_http.get(
            url + "/api/me", headers={"X-Request-Id": "made-up-id"}
        ) as response:
            assert response.status == 401
            error_rid = (await response.json())["error"]["request_id"]
        assert error_rid != "made-up-id"
        # nginx writes the access log line once the answer is sent: give it a moment.
        for _ in range(100):
            if f"rid={error_rid}" in nginx_in_front.access_log.read_text():
                break
            await asyncio.sleep(0.05)
        assert f"rid={error_rid}" in nginx_in_front.access_log.read_text()
        await console.ws.close()
        await visitor.ws.close()
