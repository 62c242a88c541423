"""The messenger in the visitor's language, and rating a chat, in a real browser.

Languages: the browser's languages pick the messenger's texts unless the org chose one; only
the chosen language's texts are fetched (English is built in). CSAT: once the rep ended the
chat the messenger asks for a rating, and the rep's console hears it. Screenshots of each, at
1280x800 and 390x844, go to test-artifacts/.
"""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from tests.conftest import Backend
from tests.e2e.conftest import TestBrowser
from tests.e2e.test_widget_e2e import (
    CHROMIUM,
    STATIC,
    Env,
    accept_first_conversation,
    eventually,
    make_env,
    rep_says,
)
from tests.harness import RepClient

pytestmark = [
    pytest.mark.browser,
    pytest.mark.timeout(120),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.skipif(
        not (STATIC / "widget.js").exists(), reason="widget not built: cd web && node build.mjs"
    ),
]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SHADOW = "document.querySelector('frontdesk-messenger').shadowRoot"
# Elements of the open panel whose text is cut off (ellipsis, hidden overflow, or wider than
# the panel): none may be.
TRUNCATED = f"""() => {{
  const root = {SHADOW};
  const panel = root.querySelector('.panel');
  const box = panel.getBoundingClientRect();
  const cut = [];
  for (const el of panel.querySelectorAll('*')) {{
    if (el.closest('[hidden]') || !el.getClientRects().length || el.matches('svg, svg *')) continue;
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    const clips = style.overflowX != 'visible' || style.textOverflow == 'ellipsis';
    const scrolls = ['auto', 'scroll'].includes(style.overflowY);
    if ((clips && !scrolls && el.scrollWidth > el.clientWidth + 1) || r.right > box.right + 1 || r.left < box.left - 1)
      cut.push(el.className || el.tagName);
  }}
  return cut;
}}"""


@pytest_asyncio.fixture(loop_scope="session")
async def env(sqlite_memory_backend: Backend, browser: TestBrowser) -> AsyncIterator[Env]:
    async with make_env(sqlite_memory_backend, browser, frozen=False) as made:
        yield made


async def admin_of(env: Env) -> RepClient:
    return await env.server.rep(env.org, role="admin", name="Avery Admin")


async def messenger_in(env: Env, locale: str, viewport: dict[str, int]) -> tuple[Any, list[str]]:
    """The demo site in a browser whose language is `locale`, with the messenger open; the
    texts files it fetched."""
    context = await env.browser.new_context(locale=locale, viewport=viewport)
    page = await context.new_page()
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if "/static/i18n/" in r.url else None)
    await page.goto(env.site + "/")
    # The loader's own launcher label is English (it has no room for texts); the messenger
    # takes it over once it has loaded.
    await page.get_by_role("button", name="Open chat").click()
    await page.locator("frontdesk-messenger").locator(".panel").wait_for()
    return page, fetched


async def panel_texts(page: Any) -> dict[str, str]:
    return dict(
        await page.evaluate(
            f"""() => {{
                const root = {SHADOW};
                const text = (sel) => root.querySelector(sel)?.textContent.trim();
                const box = root.querySelector('.composer textarea');
                return {{intro: text('.intro p'), sub: text('.sub'), foot: text('.foot'),
                         placeholder: box.placeholder, label: box.getAttribute('aria-label'),
                         lang: root.querySelector('.panel').lang}};
            }}"""
        )
    )


async def test_a_german_browser_sees_german_texts_and_an_org_override_to_french_wins(
    env: Env, artifacts_dir: Path
) -> None:
    page, fetched = await messenger_in(env, "de-DE", DESKTOP)
    texts = await panel_texts(page)
    assert texts == {
        "intro": "Fragen Sie uns alles. Eine echte Person aus dem Team antwortet hier.",
        "sub": "Wir antworten meist in wenigen Minuten",
        "foot": "Bereitgestellt von Frontdesk",
        "placeholder": "Nachricht schreiben…",
        "label": "Nachricht",
        "lang": "de",
    }
    # Only German was fetched: one small file, and no other language's.
    assert len(fetched) == 1 and "/static/i18n/messenger.de." in fetched[0]
    # German texts work as accessible names: the visitor writes and sends.
    await page.get_by_role("textbox", name="Nachricht").fill("Hallo!")
    await page.get_by_role("button", name="Nachricht senden").click()
    assert await page.evaluate(TRUNCATED) == []
    await page.screenshot(path=str(artifacts_dir / "messenger-de-1280x800.png"))
    # Once the messenger has loaded, the launcher speaks German too.
    await page.get_by_role("button", name="Chat schließen").click()
    await page.get_by_role("button", name="Chat öffnen").click()
    await page.get_by_role("textbox", name="Nachricht").wait_for()
    phone, _ = await messenger_in(env, "de-DE", PHONE)
    assert await phone.evaluate(TRUNCATED) == []
    await phone.screenshot(path=str(artifacts_dir / "messenger-de-390x844.png"))

    # The org picks French: every visitor gets French, whatever their browser says.
    admin = await admin_of(env)
    status, org = await admin.request(
        "PATCH", "/api/org/settings", {"messenger": {"language": "fr"}}
    )
    assert status == 200 and org["messenger"]["language"] == "fr"
    page, fetched = await messenger_in(env, "de-DE", DESKTOP)
    texts = await panel_texts(page)
    assert texts["placeholder"] == "Écrivez un message…" and texts["lang"] == "fr"
    assert await page.evaluate(TRUNCATED) == []
    await page.screenshot(path=str(artifacts_dir / "messenger-fr-1280x800.png"))
    assert texts["intro"].startswith("Posez-nous vos questions.")
    assert len(fetched) == 1 and "/static/i18n/messenger.fr." in fetched[0]

    # Back to the browser's choice; an English browser fetches nothing (English is built in).
    status, _ = await admin.request(
        "PATCH", "/api/org/settings", {"messenger": {"language": "auto"}}
    )
    assert status == 200
    page, fetched = await messenger_in(env, "en-US", DESKTOP)
    assert (await panel_texts(page))["placeholder"] == "Write a message…"
    assert fetched == []
    # A language we do not have falls to the next one the browser asks for, else English.
    page, fetched = await messenger_in(env, "nl-NL", DESKTOP)
    assert (await panel_texts(page))["placeholder"] == "Write a message…"


@pytest.mark.skipif(
    not subprocess.run(["fc-list", ":lang=ja"], capture_output=True, text=True).stdout.strip(),
    reason="no Japanese font (scripts/setup installs fonts-ipafont-gothic)",
)
async def test_japanese_renders_without_truncation_on_a_phone(
    env: Env, artifacts_dir: Path
) -> None:
    admin = await admin_of(env)
    await admin.request("PATCH", "/api/org/settings", {"messenger": {"csat": "faces"}})
    page, fetched = await messenger_in(env, "ja-JP", PHONE)
    texts = await panel_texts(page)
    assert texts["placeholder"] == "メッセージを入力…" and texts["lang"] == "ja"
    assert "/static/i18n/messenger.ja." in fetched[0]
    async with env.rep.socket() as rep_sock:
        await page.get_by_role("textbox", name="メッセージ").fill(
            "料金プランについて教えてください"
        )
        await page.get_by_role("button", name="メッセージを送信").click()
        cid = await accept_first_conversation(env, rep_sock)
        await rep_says(rep_sock, cid, "はい、喜んでご案内します。")
        await env.api("POST", f"/api/conversations/{cid}/end")
    await page.get_by_role("group", name="このチャットを評価").wait_for()
    assert await page.evaluate(TRUNCATED) == []
    await page.screenshot(path=str(artifacts_dir / "messenger-ja-390x844.png"))


async def test_a_visitor_rates_the_chat_and_the_console_hears_it(
    env: Env, artifacts_dir: Path
) -> None:
    admin = await admin_of(env)
    status, _ = await admin.request("PATCH", "/api/org/settings", {"messenger": {"csat": "faces"}})
    assert status == 200
    page, _ = await messenger_in(env, "en-US", DESKTOP)
    async with env.rep.socket() as rep_sock:
        await page.get_by_role("textbox", name="Message").fill("Can I export to CSV?")
        await page.get_by_role("button", name="Send message").click()
        cid = await accept_first_conversation(env, rep_sock)
        await rep_says(rep_sock, cid, "Yes: Reports -> Export CSV.")
        await env.api("POST", f"/api/conversations/{cid}/end")

        scores = page.get_by_role("group", name="Rate this chat")
        await scores.wait_for()
        await page.screenshot(path=str(artifacts_dir / "messenger-rating-1280x800.png"))
        await scores.get_by_role("button", name="Good").click()
        await page.get_by_role("textbox", name="Anything to add? (optional)").fill(
            "Quick and clear, thanks!"
        )
        await page.screenshot(path=str(artifacts_dir / "messenger-rating-comment-1280x800.png"))
        await page.get_by_role("button", name="Send rating").click()
        await page.get_by_role("status").filter(has_text="Thanks for your feedback!").wait_for()
        update = await rep_sock.expect(
            "conversation.updated",
            timeout=15,
            conversation__id=cid,
            conversation__meta__csat__score=3,
        )
        assert update["conversation"]["meta"]["csat"]["comment"] == "Quick and clear, thanks!"

    # A reload starts afresh: the welcome carries open chats only, so the ended one (and its
    # rating card) is gone, and nothing asks again.
    await page.reload()
    await page.get_by_role("textbox", name="Message").wait_for()
    assert await page.get_by_role("group", name="Rate this chat").count() == 0

    # Five stars on a phone.
    await admin.request("PATCH", "/api/org/settings", {"messenger": {"csat": "stars"}})
    phone, _ = await messenger_in(env, "en-US", PHONE)
    async with env.rep.socket() as rep_sock:
        await phone.get_by_role("textbox", name="Message").fill("Hello again")
        await phone.get_by_role("button", name="Send message").click()
        cid = await accept_first_conversation(env, rep_sock)
        await rep_says(rep_sock, cid, "Hi!")
        await env.api("POST", f"/api/conversations/{cid}/end")
        stars = phone.get_by_role("group", name="Rate this chat")
        await stars.wait_for()
        await stars.get_by_role("button", name="4 of 5 stars").click()
        assert await phone.evaluate(TRUNCATED) == []
        await phone.screenshot(path=str(artifacts_dir / "messenger-rating-stars-390x844.png"))
        await phone.get_by_role("button", name="Send rating").click()
        await rep_sock.expect(
            "conversation.updated",
            timeout=15,
            conversation__id=cid,
            conversation__meta__csat__score=4,
        )

    async def rated() -> Any:
        status, chat = await env.rep.request("GET", f"/api/conversations/{cid}")
        return status == 200 and chat["conversation"]["meta"].get("csat")

    assert (await eventually(rated, what="the rating stored"))["scale"] == 5


# Where things are in the open panel: the panel's box, each bubble's (visitor's and team's),
# the header's title and close button, the send button, and the dir of panel and launcher.
LAYOUT = f"""() => {{
  const root = {SHADOW};
  const box = (el) => {{ const r = el.getBoundingClientRect(); return {{left: r.left, right: r.right, top: r.top, bottom: r.bottom}}; }};
  const panel = root.querySelector('.panel');
  return {{
    panel: box(panel), dir: panel.dir, launcherDir: root.querySelector('.launcher').dir,
    mine: [...root.querySelectorAll('.row.me .bubble')].map(box),
    theirs: [...root.querySelectorAll('.row.them .bubble')].map(box),
    title: box(root.querySelector('.title')),
    close: box(root.querySelector('.head .ib:last-child')),
    textarea: box(root.querySelector('.composer textarea')),
    send: box(root.querySelector('.send')),
    sendFlipped: getComputedStyle(root.querySelector('.send svg')).transform,
    viewport: {{width: innerWidth, height: innerHeight}},
  }};
}}"""


async def arabic_chat(env: Env, viewport: dict[str, int]) -> tuple[Any, dict[str, Any]]:
    """An Arabic browser: the visitor writes, a rep answers; the messenger's layout after."""
    page, fetched = await messenger_in(env, "ar-EG", viewport)
    assert len(fetched) == 1 and "/static/i18n/messenger.ar." in fetched[0]
    async with env.rep.socket() as rep_sock:
        await page.get_by_role("textbox", name="الرسالة").fill("مرحبًا، هل يمكنني تصدير التقارير؟")
        await page.get_by_role("button", name="إرسال الرسالة").click()
        cid = await accept_first_conversation(env, rep_sock)
        await rep_says(rep_sock, cid, "نعم، من صفحة التقارير ثم «تصدير».")
    frame = page.locator("frontdesk-messenger").locator(".row.them .bubble")
    await frame.first.wait_for()
    await page.locator("frontdesk-messenger").locator(".row.me:not(.pending)").first.wait_for()
    return page, dict(await page.evaluate(LAYOUT))


@pytest.mark.skipif(
    not subprocess.run(["fc-list", ":lang=ar"], capture_output=True, text=True).stdout.strip(),
    reason="no font with Arabic glyphs (DejaVu Sans has them)",
)
async def test_an_arabic_browser_gets_arabic_texts_laid_out_right_to_left(
    env: Env, artifacts_dir: Path
) -> None:
    page, layout = await arabic_chat(env, DESKTOP)
    texts = await panel_texts(page)
    del texts["sub"]  # a rep joined: the header names them now
    assert texts == {
        "intro": "اسألنا عن أي شيء. سيرد عليك هنا شخص حقيقي من الفريق.",
        "foot": "مدعوم من Frontdesk",
        "placeholder": "اكتب رسالة…",
        "label": "الرسالة",
        "lang": "ar",
    }
    assert layout["dir"] == "rtl" and layout["launcherDir"] == "rtl"
    panel = layout["panel"]
    middle = (panel["left"] + panel["right"]) / 2
    # Mirrored: the visitor's own bubble hugs the panel's left side, the team's its right...
    mine, theirs = layout["mine"][0], layout["theirs"][0]
    assert (mine["left"] + mine["right"]) / 2 < middle and mine["left"] - panel["left"] < 40, layout
    assert theirs["left"] > mine["left"] and panel["right"] - theirs["right"] < 80, layout
    # ...the title starts on the right with the close button on the left, the send button is
    # left of the text box and its arrow points left.
    assert layout["close"]["right"] < layout["title"]["left"], layout
    assert layout["send"]["right"] <= layout["textarea"]["left"], layout
    assert layout["sendFlipped"].startswith("matrix(-1"), layout
    # Nothing cut off, nothing off-screen.
    assert await page.evaluate(TRUNCATED) == []
    assert panel["left"] >= 0 and panel["right"] <= layout["viewport"]["width"]
    assert panel["top"] >= 0 and panel["bottom"] <= layout["viewport"]["height"]
    await page.screenshot(path=str(artifacts_dir / "messenger-ar-1280.png"))
    # The launcher speaks Arabic too once the messenger has loaded.
    await page.get_by_role("button", name="إغلاق المحادثة").click()
    await page.get_by_role("button", name="فتح المحادثة").click()

    phone, layout = await arabic_chat(env, PHONE)
    panel = layout["panel"]
    mine, theirs = layout["mine"][0], layout["theirs"][0]
    assert layout["dir"] == "rtl"
    assert mine["left"] - panel["left"] < 40 and theirs["left"] > mine["left"], layout
    assert panel["left"] >= 0 and panel["right"] <= layout["viewport"]["width"]
    assert await phone.evaluate(TRUNCATED) == []
    await phone.screenshot(path=str(artifacts_dir / "messenger-ar-390.png"))

    # The org may choose Arabic for everyone; a German browser then reads it right to left.
    admin = await admin_of(env)
    status, org = await admin.request(
        "PATCH", "/api/org/settings", {"messenger": {"language": "ar"}}
    )
    assert status == 200 and org["messenger"]["language"] == "ar"
    page, _ = await messenger_in(env, "de-DE", DESKTOP)
    assert (await panel_texts(page))["lang"] == "ar"
    assert await page.evaluate(f"{SHADOW}.querySelector('.panel').dir") == "rtl"
    # The org's own wording (Admin -> Messenger -> Texts) wins over the language's file.
    status, _ = await admin.request(
        "PATCH",
        "/api/org/settings",
        {"messenger": {"language": "auto", "texts": {"ar": {"placeholder": "اكتب سؤالك هنا…"}}}},
    )
    assert status == 200
    page, _ = await messenger_in(env, "ar", DESKTOP)
    assert (await panel_texts(page))["placeholder"] == "اكتب سؤالك هنا…"
    await admin.request("PATCH", "/api/org/settings", {"messenger": {"texts": {}}})


async def test_a_german_visitor_outside_business_hours_reads_the_away_message_in_german(
    env: Env, artifacts_dir: Path
) -> None:
    # Open only tomorrow (UTC): closed now, back tomorrow at 09:00 UTC.
    now = datetime.now(UTC)
    tomorrow = (now + timedelta(days=1)).weekday()
    day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[tomorrow]
    admin = await admin_of(env)
    status, hours = await admin.request(
        "PUT",
        "/api/business-hours/org",
        {"time_zone": "UTC", "weekly": {day: [["09:00", "17:00"]]}},
    )
    assert status == 200 and hours["open_now"] is False, hours
    weekday = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
    # The browser says only "de-DE" (its Accept-Language and navigator.languages): the server
    # writes its lines in German, as the messenger shows its own.
    page, _ = await messenger_in(env, "de-DE", DESKTOP)
    await page.get_by_role("textbox", name="Nachricht").fill("Hallo, ist jemand da?")
    await page.get_by_role("button", name="Nachricht senden").click()
    away = page.locator("frontdesk-messenger").locator(".row.them.bot .bubble").first
    await away.wait_for()
    assert (await away.inner_text()).strip() == (
        "Wir sind gerade außerhalb unserer Geschäftszeiten. Hinterlassen Sie uns eine "
        f"Nachricht, wir melden uns. Wir sind wieder da: {weekday[tomorrow]}, 09:00 (UTC)."
    )
    # The messenger's header says the team is away; when it is back is said once, above.
    sub = page.locator("frontdesk-messenger").locator(".sub")
    await eventually(lambda: sub.inner_text(), what="the header's text")
    assert (await sub.inner_text()).strip() == "Außerhalb der Geschäftszeiten"
    shown = await page.locator("frontdesk-messenger").locator(".panel").inner_text()
    assert shown.count("Wir sind wieder da") == 1, shown
    assert await page.evaluate(TRUNCATED) == []
    await away.scroll_into_view_if_needed()  # the offline form below it took the view
    await page.screenshot(path=str(artifacts_dir / "messenger-de-away-1280x800.png"))
