"""Files in chat in Debian's Chromium: the visitor attaches a photo in the messenger, the rep
sees its thumbnail (made on the server) in the console; the rep sends a PDF from the composer,
the visitor gets a download link with its name and size. Screenshots at 1280x800 and 390x844
(test-artifacts/files-*.png), and the admin's Files page."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from PIL import Image
from tests.conftest import Backend
from tests.e2e.console_env import BROWSER_MARKS, ConsoleEnv, console_env, expect
from tests.e2e.test_console_chat_ux import open_chat

pytest.importorskip("playwright.async_api")
pytestmark = BROWSER_MARKS

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]"
    b"/Count 1>>endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n" + b"%" * 20_000
)

SIZE = f"{round(len(PDF) / 1024)} KB"  # as both sides show it


def photo() -> bytes:
    image = Image.new("RGB", (1200, 900), (30, 110, 200))
    for x in range(0, 1200, 150):
        image.paste((240, 190, 40), (x, 0, x + 75, 900))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


@pytest_asyncio.fixture(loop_scope="session")
async def env(
    sqlite_memory_backend: Backend, artifacts_dir: Path, browser: Any, tmp_path: Path
) -> AsyncIterator[ConsoleEnv]:
    async with console_env(
        sqlite_memory_backend, artifacts_dir, browser, files_dir=tmp_path / "files"
    ) as e:
        yield e


async def test_a_photo_from_the_messenger_and_a_pdf_from_the_console(env: ConsoleEnv) -> None:
    rep = await env.console(env.reps[0], available=True, width=1280, height=800)
    page = await env.visitor_page("/")
    await page.get_by_role("button", name="Open chat").click()
    attach = page.get_by_role("button", name="Attach a file")
    await expect(attach).to_be_visible(timeout=10_000)
    # The visitor picks a photo: it is sent at once, as a message of a new chat.
    await page.locator(".composer input[type=file]").set_input_files(
        files=[{"name": "our-office.jpg", "mimeType": "image/jpeg", "buffer": photo()}]
    )
    visitor_image = page.get_by_role("link", name="Open image our-office.jpg")
    await expect(visitor_image.locator("img")).to_have_attribute(
        "src", re.compile(r"/files/[0-9a-f]{32}/thumb\?e=\d+&s="), timeout=10_000
    )

    api = await env.api(env.reps[0])
    for _ in range(50):
        _, listed = await api.request("GET", "/api/conversations?box=incoming")
        if listed["conversations"]:
            break
        await asyncio.sleep(0.1)
    cid = listed["conversations"][0]["id"]
    status, body = await api.request("POST", f"/api/conversations/{cid}/accept")
    assert status == 200, body
    await open_chat(rep, cid)

    # The rep sees the thumbnail the server made, loaded (not a broken image).
    thumb = rep.get_by_role("link", name="Open image our-office.jpg").locator("img")
    await expect(thumb).to_be_visible(timeout=10_000)
    await rep.wait_for_function(
        "img => img.complete && img.naturalWidth === 480", arg=await thumb.element_handle()
    )

    # The rep sends a PDF with the composer's file picker.
    await rep.locator("form.composer input[type=file]").set_input_files(
        files=[{"name": "Quote Q-1042.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    await expect(rep.get_by_role("link", name=f"Download Quote Q-1042.pdf ({SIZE})")).to_be_visible(
        timeout=10_000
    )
    # The visitor gets a download link with the name and size.
    download = page.get_by_role("link", name="Download Quote Q-1042.pdf")
    await expect(download).to_contain_text(SIZE, timeout=10_000)
    await expect(download).to_have_attribute("download", "Quote Q-1042.pdf")
    href = await download.get_attribute("href")
    assert href and "/file?e=" in href
    async with aiohttp.ClientSession() as http, http.get(href) as response:
        assert response.status == 200
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.headers["Content-Type"] == "application/octet-stream"
        assert await response.read() == PDF
    await page.wait_for_function(
        "() => { const root = document.querySelector('#frontdesk-widget, [data-frontdesk]')?.shadowRoot"
        " || [...document.querySelectorAll('*')].find(e => e.shadowRoot)?.shadowRoot;"
        " const img = root && root.querySelector('.fimg img');"
        " return !!img && img.complete && img.naturalWidth > 0; }"
    )

    await env.shot(rep, "files-console-1280x800")
    await env.shot(page, "files-messenger-1280x800")
    await rep.set_viewport_size({"width": 390, "height": 844})
    await page.set_viewport_size({"width": 390, "height": 844})
    await asyncio.sleep(0.3)
    # "Dana from our team joined the chat." wraps on a phone; its time stays on one line.
    joined_at = rep.locator(".msg-system time").first
    lines = "el => { const r = document.createRange(); r.selectNodeContents(el); return r.getClientRects().length; }"
    assert await joined_at.evaluate(lines) == 1
    await env.shot(rep, "files-console-390x844")
    await env.shot(page, "files-messenger-390x844")


async def test_the_admin_sets_file_rules_in_the_console(env: ConsoleEnv) -> None:
    admin = await env.console(env.admin, width=1280, height=800)
    await admin.goto(env.server.url + "/app/admin/files")
    panel = admin.get_by_role("region", name="Files")
    await expect(panel.get_by_label("Largest file")).to_have_value("10", timeout=10_000)
    await panel.get_by_label("Largest file").fill("4")
    await panel.get_by_label("Accepted file types").fill("pdf, png, ../etc")
    await panel.get_by_role("button", name="Save file settings").click()
    await expect(panel.get_by_role("alert")).to_contain_text("not a file name extension")
    await panel.get_by_label("Accepted file types").fill("pdf, PNG, .jpg")
    await panel.get_by_role("button", name="Save file settings").click()
    await expect(panel.get_by_label("Accepted file types")).to_have_value("pdf, png, jpg")
    api = await env.api(env.admin)
    _, saved = await api.request("GET", "/api/files/settings")
    assert saved["settings"]["max_mb"] == 4 and saved["settings"]["extensions"] == [
        "pdf",
        "png",
        "jpg",
    ]
    await env.shot(admin, "files-admin-1280x800")
    await admin.set_viewport_size({"width": 390, "height": 844})
    await asyncio.sleep(0.3)
    await env.shot(admin, "files-admin-390x844", full_page=True)
