"""The console environment every console browser test uses (tests/e2e/console_env.py): a
server on SQLite with the demo's org, reps and segments, and Debian's Chromium. The widget's
tests define their own `env` (tests/e2e/test_widget_e2e.py), which takes precedence there."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tests.conftest import Backend
from tests.e2e.console_env import ConsoleEnv, console_env


@pytest.fixture
async def env(sqlite_memory_backend: Backend, artifacts_dir: Path) -> AsyncIterator[ConsoleEnv]:
    async with console_env(sqlite_memory_backend, artifacts_dir) as e:
        yield e
