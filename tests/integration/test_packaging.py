"""Frontdesk as an operator installs it: a wheel built from a fresh copy of the repository,
installed into a fresh virtualenv, following the README's "Running it for real"."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.ports import free_port as _free_port

REPO = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO / "web" / "node_modules"


def _fresh_clone(destination: Path) -> Path:
    """The repository's files as a fresh clone has them (tracked and new files, with this
    checkout's uncommitted edits; nothing git ignores: no node_modules, no built output)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (entry.decode() for entry in listed)):
        source = REPO / name
        if not source.is_file() or name.startswith("web/node_modules"):
            continue  # deleted in the work tree, or the (untracked) node_modules link
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    return destination


def _environment(**variables: str) -> dict[str, str]:
    """No FRONTDESK_* settings and no PYTHONPATH: only the installed package can be imported."""
    base = {
        k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_") and k != "PYTHONPATH"
    }
    return {**base, **variables}


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (our own server)
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as error:
        return int(error.code), bytes(error.read())


@contextlib.contextmanager
def _serving(frontdesk: str, env: dict[str, str], cwd: Path) -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [frontdesk, "serve", "--port", str(port)],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        output = []
        for line in process.stdout:  # until it says it serves (or exits: the assert says why)
            output.append(line)
            if line.startswith("Frontdesk is serving"):
                break
        assert process.poll() is None, "".join(output)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()


@pytest.mark.timeout(600)
def test_a_wheel_built_from_a_fresh_clone_serves_the_console_and_the_widget(
    tmp_path: Path,
) -> None:
    clone = _fresh_clone(tmp_path / "clone")
    build_env = _environment()
    if NODE_MODULES.is_dir():
        # Reuse the installed front-end packages instead of downloading them again (`npm ci`).
        build_env["FRONTDESK_WEB_NODE_MODULES"] = str(NODE_MODULES.resolve())
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(wheels), "."],
        cwd=clone,
        env=build_env,
        check=True,
        timeout=540,
    )
    (wheel,) = wheels.glob("frontdesk-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        manifest = archive.read("frontdesk/static/manifest.json")
    for required in (
        "frontdesk/static/widget.js",
        "frontdesk/static/console/index.html",
        "frontdesk/data/asn-ipv4-num.csv",
        "frontdesk/data/geo-whois-asn-country-ipv6-num.csv",
        "frontdesk/storage/migrations/env.py",
    ):
        assert required in names, required
    assert b"console/app.js" in manifest

    # A fresh virtualenv holding the wheel; its dependencies come from the test's own
    # environment through a .pth line (a plain path entry: that environment's editable
    # install of this checkout is not activated, so `frontdesk` is the wheel's).
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python)]
    subprocess.run(
        [*pip, "install", "--quiet", "--no-deps", str(wheel)],
        # Without PYTHONPATH=src, where a checkout's frontdesk.egg-info looks installed.
        env=_environment(),
        cwd=tmp_path,
        check=True,
        timeout=300,
    )
    site_packages = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(site_packages, "frontdesk-test-dependencies.pth").write_text("\n".join(sorted(ours)))
    imported = subprocess.run(
        [python, "-c", "import frontdesk.app; print(frontdesk.__file__)"],
        capture_output=True,
        text=True,
        env=_environment(),
        cwd=tmp_path,
    )
    assert imported.returncode == 0, imported.stderr
    assert Path(imported.stdout.strip()).is_relative_to(venv), imported.stdout

    # The README's "Running it for real", with SQLite in a data directory of its own.
    frontdesk = str(venv / "bin" / "frontdesk")
    env = _environment(
        FRONTDESK_SECRET_KEY="a-real-secret-key-for-the-packaging-test-0123456789",
        FRONTDESK_DATA_DIR=str(tmp_path / "var"),
    )

    def run(*args: str) -> str:
        result = subprocess.run(
            [frontdesk, *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    run("migrate")
    site_key = run("create-org", "Acme", "--origin", "https://www.acme.example").strip()
    run(
        "create-rep",
        *("--org", site_key, "--email", "you@acme.example", "--name", "You"),
        *("--role", "admin", "--generate-password"),
    )
    with _serving(frontdesk, env, tmp_path) as url:
        status, page = _get(url + "/")
        assert status == 200, page
        script = re.search(rb'<script type="module" src="(/static/console/app\.[^"]+\.js)"', page)
        assert script, page
        status, console_script = _get(url + script.group(1).decode())
        with zipfile.ZipFile(wheel) as archive:
            built = archive.read("frontdesk" + script.group(1).decode())
        assert status == 200 and console_script == built
        status, loader = _get(url + "/widget.js")
        with zipfile.ZipFile(wheel) as archive:
            assert status == 200 and loader == archive.read("frontdesk/static/widget.js")
        status, body = _get(url + "/readyz")
        assert status == 200, body


def test_building_without_node_says_what_is_missing(tmp_path: Path) -> None:
    clone = _fresh_clone(tmp_path / "clone")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(tmp_path / "wheels"), "."],
        cwd=clone,
        env=_environment(PATH=str(tmp_path / "no-tools-here")),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert (
        "Building Frontdesk needs node (Node.js 18 or newer, with npm)"
        in result.stdout + result.stderr
    )
    assert not (tmp_path / "wheels").exists() or not list((tmp_path / "wheels").iterdir())
