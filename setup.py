"""Build hook: every wheel and sdist carries the built console, widget and offline IP data.

The front end (web/, TypeScript bundled by esbuild) and the IP data (npm packages copied by
web/build.mjs) are build outputs, git-ignored in src/frontdesk/static and src/frontdesk/data.
`pip install .`, `pip wheel .` and `python -m build` run build_py (and sdist), so both run
`npm ci` (when web/node_modules is missing or older than the lock file) and `node build.mjs`
first. An sdist ships the built files without web/, so a wheel built from it needs no Node.

FRONTDESK_WEB_NODE_MODULES=DIR uses an existing node_modules folder as it is (linked as
web/node_modules) instead of `npm ci`: the packaging test uses it to skip the download.
Editable installs (`pip install -e .`, scripts/setup) build nothing: `make build` does that.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist
from setuptools.errors import SetupError

ROOT = Path(__file__).resolve().parent
WEB = ROOT / "web"
PACKAGE = ROOT / "src" / "frontdesk"
# What the package must hold once built: the console page and the widget loader (the server
# refuses to serve the console without them), and the IP data enrichment reads.
REQUIRED = [
    "static/manifest.json",
    "static/widget.js",
    "static/console/index.html",
    "data/asn-ipv4-num.csv",
    "data/asn-ipv6-num.csv",
    "data/geo-whois-asn-country-ipv4-num.csv",
    "data/geo-whois-asn-country-ipv6-num.csv",
]


def _missing() -> list[str]:
    return [name for name in REQUIRED if not (PACKAGE / name).is_file()]


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise SetupError(
            f"Building Frontdesk needs {name} (Node.js 18 or newer, with npm) to build the "
            "console, the widget and the IP data from web/. Install Node.js and npm "
            "(Debian/Ubuntu: apt-get install nodejs npm) and build again, or install from "
            "a Frontdesk sdist, which carries them built."
        )
    return path


def build_front_end() -> None:
    """Builds web/ into src/frontdesk/static and src/frontdesk/data (web/build.mjs)."""
    if not (WEB / "package.json").is_file():
        # An unpacked sdist: the built files came with it.
        if missing := _missing():
            raise SetupError(f"no web/ to build from and the package lacks {', '.join(missing)}")
        return
    node = _tool("node")
    modules = WEB / "node_modules"
    given = os.environ.get("FRONTDESK_WEB_NODE_MODULES")
    if given and not modules.exists():
        modules.symlink_to(Path(given).resolve(), target_is_directory=True)
    lock = WEB / "package-lock.json"
    # A given folder is used as it is: `npm ci` would empty it through the link.
    stale = not given and modules.exists() and modules.stat().st_mtime < lock.stat().st_mtime
    if not modules.exists() or stale:
        npm = _tool("npm")
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=WEB, check=True
        )
        modules.touch()
    environment = {k: v for k, v in os.environ.items() if k != "FRONTDESK_STATIC_OUT"}
    subprocess.run([node, "build.mjs"], cwd=WEB, check=True, env=environment)
    if missing := _missing():
        raise SetupError(f"web/build.mjs ran but the package lacks {', '.join(missing)}")


class BuildPyWithFrontEnd(build_py):
    def run(self) -> None:
        if not self.editable_mode:
            build_front_end()
            # build/lib outlives builds: drop earlier builds' hashed bundles from the wheel.
            shutil.rmtree(Path(self.build_lib) / "frontdesk" / "static", ignore_errors=True)
        super().run()


class SdistWithFrontEnd(sdist):
    def run(self) -> None:
        build_front_end()
        super().run()


setup(cmdclass={"build_py": BuildPyWithFrontEnd, "sdist": SdistWithFrontEnd})
