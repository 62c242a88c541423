"""Files in chat, through HTTP and the sockets: a server whose file store is a temporary
directory, and the uploads the console and the messenger make."""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest
from PIL import Image

from frontdesk.features import files
from tests.conftest import Backend
from tests.harness import OrgInfo, RepClient, Server, running_server
from tests.support.s3_emulator import ACCESS_KEY, SECRET_KEY, S3Emulator, running_s3_emulator


@pytest.fixture(scope="session")
def s3() -> Iterator[S3Emulator]:
    """moto's S3 server in its own process, for the whole session (no skip: moto is a pinned
    dev dependency, so CI runs these tests)."""
    with running_s3_emulator() as emulator:
        yield emulator


def s3_settings(s3: S3Emulator, bucket: str) -> dict[str, Any]:
    s3.client().create_bucket(Bucket=bucket)  # type: ignore[attr-defined]
    return {
        "files_s3_bucket": bucket,
        "files_s3_endpoint_url": s3.endpoint_url,
        "files_s3_access_key_id": ACCESS_KEY,
        "files_s3_secret_access_key": SECRET_KEY,
        "files_s3_prefix": "chat/",
    }


@pytest.fixture(params=["local", "s3"])
def store_settings(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    """The same tests on both stores: a local directory, and an S3 bucket in moto's server."""
    if request.param == "local":
        return {"files_dir": tmp_path / "files"}
    emulator: S3Emulator = request.getfixturevalue("s3")
    return s3_settings(emulator, f"fd-{uuid.uuid4().hex[:12]}")


@pytest.fixture
async def files_server(backend: Backend, store_settings: dict[str, Any]) -> AsyncIterator[Server]:
    async with running_server(
        backend.database_url, backend.bus_url, backend.namespace, **store_settings
    ) as srv:
        yield srv


def stored_objects(server: Server, tmp_path: Path) -> list[str]:
    """Every key the server's store holds (local directory or bucket)."""
    settings = server.settings
    if settings.files_s3_bucket:
        store = files.file_store(server.runtime)
        assert isinstance(store, files.S3FileStore)
        listed = store._client.list_objects_v2(Bucket=settings.files_s3_bucket)
        return sorted(item["Key"] for item in listed.get("Contents", []))
    return sorted(
        str(p.relative_to(tmp_path / "files"))
        for p in (tmp_path / "files").rglob("*")
        if p.is_file()
    )


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


async def fetch(
    server: Server, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """A signed URL as a browser fetches it: no cookie, no token, only the URL."""
    async with (
        aiohttp.ClientSession() as http,
        http.get(server.url + path, headers=headers) as response,
    ):
        return response.status, dict(response.headers), await response.read()
