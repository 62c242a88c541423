"""The frontdesk command and the server's health and API description, as an operator uses them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness import Server

FRONTDESK = str(Path(sys.executable).parent / "frontdesk")


def _run(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "FRONTDESK_DATABASE_URL": f"sqlite:///{tmp_path}/fd.db",
        "FRONTDESK_DATA_DIR": str(tmp_path),
        **(env or {}),
    }
    return subprocess.run(
        [FRONTDESK, *args], env=environment, capture_output=True, text=True, timeout=60
    )


def test_an_operator_migrates_creates_an_org_and_a_rep_from_the_command_line(
    tmp_path: Path,
) -> None:
    assert _run(tmp_path, "migrate").returncode == 0
    org = _run(tmp_path, "create-org", "Acme", "--origin", "https://www.acme.example")
    assert org.returncode == 0 and org.stdout.strip().startswith("site_")
    rep = _run(
        tmp_path,
        "create-rep",
        "--org",
        org.stdout.strip(),
        "--email",
        "ann@acme.example",
        "--name",
        "Ann",
        "--role",
        "admin",
        "--password",
        "long-enough-pw",
    )
    assert rep.returncode == 0 and len(rep.stdout.strip()) == 32
    again = _run(
        tmp_path,
        "create-rep",
        "--org",
        org.stdout.strip(),
        "--email",
        "ann@acme.example",
        "--name",
        "Ann",
        "--password",
        "long-enough-pw",
    )
    assert again.returncode == 2 and "already exists" in again.stderr
    bad = _run(
        tmp_path,
        "create-rep",
        "--org",
        "site_nope",
        "--email",
        "x@acme.example",
        "--name",
        "X",
        "--password",
        "long-enough-pw",
    )
    assert bad.returncode == 2 and "no org has site key" in bad.stderr
    short = _run(
        tmp_path,
        "create-rep",
        "--org",
        org.stdout.strip(),
        "--email",
        "y@acme.example",
        "--name",
        "Y",
        "--password",
        "short",
    )
    assert short.returncode == 2 and "8 characters" in short.stderr


def test_serve_refuses_to_start_with_a_placeholder_secret(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        "serve",
        "--port",
        "0",
        env={"FRONTDESK_SECRET_KEY": "change-me", "FRONTDESK_ENV": "production"},
    )
    assert result.returncode == 2
    assert "FRONTDESK_SECRET_KEY" in result.stderr


@pytest.mark.asyncio
async def test_health_and_the_openapi_description_are_served(sqlite_server: Server) -> None:
    http = sqlite_server.http()
    async with http.get(sqlite_server.url + "/healthz") as response:
        assert response.status == 200 and (await response.json()) == {"status": "ok"}
    async with http.get(sqlite_server.url + "/openapi.json") as response:
        spec = await response.json()
    assert spec["openapi"].startswith("3.")
    for path in (
        "/api/auth/login",
        "/api/conversations/{conversation_id}/accept",
        "/api/segments",
        "/api/webhooks",
        "/api/visitors/{visitor_id}/invitations",
    ):
        assert path in spec["paths"], path
    login = spec["paths"]["/api/auth/login"]["post"]
    assert (
        login["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        == "#/components/schemas/LoginBody"
    )
    async with http.get(sqlite_server.url + "/api/nothing-here") as response:
        assert response.status == 404 and (await response.json())["error"]["code"] == "not_found"
