"""Files in chat with two `frontdesk serve` processes on one PostgreSQL and one Redis (and one
files directory): a visitor's upload on one process reaches the rep on the other, who fetches
it there; it is a message like any other, so it survives the first process's death."""

from __future__ import annotations

import io
import socket
import time

import aiohttp
import pytest
from PIL import Image

from tests.multiprocess.conftest import Cluster
from tests.multiprocess.test_two_processes import SITE, _rep_socket, _setup_org, _visitor_socket

# Two server processes start (and one again) on a machine other jobs share: more than the
# default 120 s may pass with the set-up and tear-down of the database.
pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(300)]


def _start(cluster: Cluster, name: str) -> str:
    """cluster.start, with more patience: on a loaded 2-core machine importing the app alone
    took 11 s (load average 15), and start() gives a process 20 s."""
    try:
        return cluster.start(name)
    except RuntimeError:
        port = cluster.ports[name]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    return cluster.url(name)
            except OSError:
                time.sleep(0.1)
        raise


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (20, 140, 90)).save(out, format="PNG")
    return out.getvalue()


async def test_a_file_sent_on_one_process_reaches_the_rep_on_the_other_and_survives_a_restart(
    cluster: Cluster,
) -> None:
    cluster.env["FRONTDESK_FILES_DIR"] = str(cluster.log_dir / "files")
    site_key, email = await _setup_org(cluster)
    a, b = _start(cluster, "a"), _start(cluster, "b")
    async with (
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as rep_http,
        aiohttp.ClientSession() as visitor_http,
    ):
        console = await _rep_socket(rep_http, b, email)
        visitor = await _visitor_socket(visitor_http, a, site_key, None, 0)
        token = visitor.welcome["token"]  # type: ignore[index]

        form = aiohttp.FormData(quote_fields=False)
        form.add_field("client_id", "file-1")
        form.add_field("file", io.BytesIO(_png()), filename="map.png")
        async with visitor_http.post(
            f"{a}/widget/files",
            params={"site": site_key, "vt": token},
            data=form,
            headers={"Origin": SITE},
        ) as response:
            assert response.status == 200, await response.text()
            sent = (await response.json())["message"]
        file = sent["meta"]["file"]
        assert file["kind"] == "image" and (file["width"], file["height"]) == (800, 600)

        # The rep on B hears it through Redis and fetches it from B.
        heard = await console.expect("message", message__id=sent["id"], timeout=10)
        assert heard["message"]["meta"]["file"] == file
        async with rep_http.get(f"{b}/api/files/links?ids={file['id']}") as response:
            assert response.status == 200
            link = (await response.json())["links"][0]
        async with aiohttp.ClientSession() as anyone:
            async with anyone.get(b + link["thumbnail_url"]) as response:
                assert response.status == 200
                assert response.headers["Content-Type"] == "image/webp"
            async with anyone.get(b + link["url"]) as response:
                assert response.status == 200
                with Image.open(io.BytesIO(await response.read())) as image:
                    assert image.size == (800, 600)

        # A dies and comes back: the visitor's tab reconnects and still has the file message.
        await visitor.ws.close()
        cluster.kill("a")
        a = _start(cluster, "a")
        again = await _visitor_socket(visitor_http, a, site_key, token, 0)
        replayed = [m for m in again.welcome["messages"] if m["id"] == sent["id"]]  # type: ignore[index]
        assert replayed and replayed[0]["meta"]["file"] == file
        await again.ws.close()
        await console.ws.close()
