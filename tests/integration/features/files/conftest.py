"""Files in chat, through HTTP and the sockets: a server whose file store is a temporary
directory, and the uploads the console and the messenger make."""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest
from PIL import Image

from tests.conftest import Backend
from tests.harness import OrgInfo, RepClient, Server, running_server


@pytest.fixture
async def files_server(backend: Backend, tmp_path: Path) -> AsyncIterator[Server]:
    async with running_server(
        backend.database_url, backend.bus_url, backend.namespace, files_dir=tmp_path / "files"
    ) as srv:
        yield srv


def jpeg_with_gps(size: tuple[int, int] = (1600, 1200)) -> bytes:
    """A photo as a phone writes it: EXIF with the camera and where it was taken."""
    image = Image.new("RGB", size, (200, 60, 40))
    exif = Image.Exif()
    exif[0x010F] = "FrontdeskPhone"  # Make
    exif[0x0110] = "Model 7"  # Model
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=85)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825), "the fixture has GPS EXIF"
    return data


def png(size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (10, 120, 200, 255)).save(out, format="PNG")
    return out.getvalue()


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]"
    b"/Count 1>>endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _form(name: str, data: bytes, client_id: str | None) -> aiohttp.FormData:
    # As a browser sends it: the file name as it is, not percent-encoded (aiohttp's default).
    form = aiohttp.FormData(quote_fields=False)
    form.add_field("client_id", client_id or uuid.uuid4().hex)
    form.add_field("file", io.BytesIO(data), filename=name, content_type="application/octet-stream")
    return form


async def visitor_upload(
    server: Server,
    org: OrgInfo,
    token: str,
    name: str,
    data: bytes,
    *,
    client_id: str | None = None,
    origin: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """What the messenger sends: multipart to /widget/files, from the org's website."""
    http = server.http()
    async with http.post(
        f"{server.url}/widget/files",
        params={"site": org.site_key, "vt": token},
        data=_form(name, data, client_id),
        headers={"Origin": origin or org.origin, **(headers or {})},
    ) as response:
        body = await response.read()
        if response.status == 200:
            assert response.headers["Access-Control-Allow-Origin"] == (origin or org.origin)
        return response.status, orjson.loads(body) if body else None


async def visitor_links(
    server: Server, org: OrgInfo, token: str, ids: list[str], *, origin: str | None = None
) -> tuple[int, Any]:
    http = server.http()
    async with http.get(
        f"{server.url}/widget/files/links",
        params={"site": org.site_key, "vt": token, "ids": ",".join(ids)},
        headers={"Origin": origin or org.origin},
    ) as response:
        return response.status, await response.json()


async def rep_upload(
    rep: RepClient, conversation_id: str, name: str, data: bytes, *, client_id: str | None = None
) -> tuple[int, Any]:
    """What the console sends: multipart with the session cookie and the CSRF token."""
    async with rep.http.post(
        f"{rep.harness.url}/api/conversations/{conversation_id}/files",
        data=_form(name, data, client_id),
        headers={"X-CSRF-Token": rep.csrf},
    ) as response:
        return response.status, await response.json()


async def fetch(server: Server, path: str) -> tuple[int, dict[str, str], bytes]:
    """A signed URL as a browser fetches it: no cookie, no token, only the URL."""
    async with aiohttp.ClientSession() as http, http.get(server.url + path) as response:
        return response.status, dict(response.headers), await response.read()
