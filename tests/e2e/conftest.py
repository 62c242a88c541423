"""What every browser test shares: one Chromium for the whole run, and the console environment
most console tests use (tests/e2e/console_env.py: a server on SQLite with the demo's org, reps
and segments). The widget's tests define their own `env` (tests/e2e/test_widget_e2e.py), which
takes precedence there.

Starting Playwright's driver and Chromium took 1-4 s per test. Now every async test in this
directory runs on the session's event loop, where one Chromium is launched once; each test gets
it through `browser`, which closes the contexts and pages the test opened when it ends, so no
test sees another's cookies, storage or pages. Every async fixture here must therefore say
`@pytest_asyncio.fixture(loop_scope="session")` (it runs on the loop of the test).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from tests.conftest import Backend
from tests.e2e.console_env import CHROMIUM, CHROMIUM_ARGS, ConsoleEnv, console_env

E2E = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    on_the_session_loop = pytest.mark.asyncio(loop_scope="session")
    for item in items:
        if pytest_asyncio.is_async_test(item) and item.path.is_relative_to(E2E):
            item.add_marker(on_the_session_loop, append=False)


class TestBrowser:
    """The session's Chromium as one test sees it: `new_context` and `new_page` as on a
    Playwright Browser, and whatever they opened is closed after the test."""

    __test__ = False  # not a test class, whatever its name

    def __init__(self, chromium: Any) -> None:
        self._chromium = chromium
        self._contexts: list[Any] = []

    async def new_context(self, **options: Any) -> Any:
        context = await self._chromium.new_context(**options)
        self._contexts.append(context)
        return context

    async def new_page(self, **options: Any) -> Any:
        """A page in a context of its own (as Browser.new_page makes)."""
        context = await self.new_context(**options)
        return await context.new_page()

    async def close_all(self) -> None:
        for context in self._contexts:
            await context.close()  # (a second close of a context the test closed is a no-op)
        self._contexts.clear()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def chromium() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


@pytest_asyncio.fixture(loop_scope="session")
async def browser(chromium: Any) -> AsyncIterator[TestBrowser]:
    scoped = TestBrowser(chromium)
    try:
        yield scoped
    finally:
        await scoped.close_all()


@pytest_asyncio.fixture(loop_scope="session")
async def env(
    sqlite_memory_backend: Backend, artifacts_dir: Path, browser: TestBrowser
) -> AsyncIterator[ConsoleEnv]:
    async with console_env(sqlite_memory_backend, artifacts_dir, browser) as e:
        yield e
