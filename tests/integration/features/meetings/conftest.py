"""A real CalDAV server (Radicale, started per module) and helpers to set the booker up."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.harness import RepClient
from tests.support.ports import free_port

CALDAV_USER = "dana"
CALDAV_PASSWORD = "app-password-1"
AUTH = {"Authorization": aiohttp.encode_basic_auth(CALDAV_USER, CALDAV_PASSWORD)}
WEEKDAYS_9_TO_5 = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


@dataclass
class Radicale:
    url: str  # the server root

    def calendar_url(self, name: str) -> str:
        return f"{self.url}/{CALDAV_USER}/{name}/"

    async def make_calendar(self, name: str) -> str:
        url = self.calendar_url(name)
        body = (
            '<?xml version="1.0" encoding="utf-8"?><C:mkcalendar xmlns:D="DAV:" '
            'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>'
            f"<D:displayname>{name}</D:displayname></D:prop></D:set></C:mkcalendar>"
        )
        async with (
            aiohttp.ClientSession(headers=AUTH) as http,
            http.request("MKCALENDAR", url, data=body) as response,
        ):
            assert response.status == 201, await response.text()
        return url

    async def put(self, calendar_url: str, name: str, ics: str) -> None:
        async with (
            aiohttp.ClientSession(headers=AUTH) as http,
            http.put(
                calendar_url + name,
                data=ics.replace("\n", "\r\n").encode(),
                headers={"Content-Type": "text/calendar"},
            ) as response,
        ):
            assert response.status in (201, 204), await response.text()

    async def get(self, href: str) -> tuple[int, str]:
        async with (
            aiohttp.ClientSession(headers=AUTH) as http,
            http.get(href) as response,
        ):
            return response.status, await response.text()


@pytest.fixture(scope="module")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Radicale]:
    """Radicale from PyPI on 127.0.0.1, with one user (plain htpasswd) and its own storage."""
    folder: Path = tmp_path_factory.mktemp("radicale")
    users = folder / "users"
    users.write_text(f"{CALDAV_USER}:{CALDAV_PASSWORD}\n")
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "radicale",
            "--server-hosts",
            f"127.0.0.1:{port}",
            "--storage-filesystem-folder",
            str(folder / "collections"),
            "--auth-type",
            "htpasswd",
            "--auth-htpasswd-filename",
            str(users),
            "--auth-htpasswd-encryption",
            "plain",
            "--logging-level",
            "warning",
        ],
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                error = process.stderr.read().decode() if process.stderr else ""
                process.kill()
                process.wait()
                if process.stderr is not None:
                    process.stderr.close()
                raise RuntimeError(f"Radicale did not start: {error}") from None
            time.sleep(0.05)
    try:
        yield Radicale(f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()


async def meeting_type(admin: RepClient, members: list[str], **fields: Any) -> dict[str, Any]:
    body = {
        "name": fields.pop("name", f"Demo {len(members)} {os.urandom(3).hex()}"),
        "duration_minutes": 30,
        "min_notice_minutes": 0,
        "horizon_days": 14,
        "member_rep_ids": members,
    } | fields
    status, data = await admin.request("POST", "/api/meeting-types", body)
    assert status == 200, data
    return data  # type: ignore[no-any-return]


async def working_hours(
    admin: RepClient,
    rep_id: str,
    time_zone: str = "Europe/Berlin",
    hours: dict[str, list[list[str]]] | None = None,
) -> None:
    status, data = await admin.request(
        "PUT",
        f"/api/reps/{rep_id}/availability",
        {"time_zone": time_zone, "weekly_hours": hours or WEEKDAYS_9_TO_5},
    )
    assert status == 200, data
