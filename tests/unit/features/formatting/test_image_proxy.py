"""Image-proxy signatures: stored content's last, previews' expire; page images must be on the
org's website origins."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from frontdesk.features.formatting import image_proxy, render_markdown, resign_stored
from frontdesk.features.live_stream.cards import page_favicon, page_thumbnail

SITE = "https://www.customer.example"


@pytest.fixture(autouse=True)
def _proxy_key() -> None:
    image_proxy.configure("unit-test-secret")


def _query(proxy_url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(proxy_url).query).items()}


def test_a_previews_image_url_works_for_an_hour_or_two_then_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = 1_800_000_000.0
    monkeypatch.setattr(image_proxy.time, "time", lambda: now)
    query = _query(image_proxy.proxied("https://cdn.example/a.png", preview=True))
    assert image_proxy.verify(query["u"], query["s"], query["e"])
    monkeypatch.setattr(image_proxy.time, "time", lambda: now + image_proxy.PREVIEW_SECONDS)
    assert image_proxy.verify(query["u"], query["s"], query["e"])
    monkeypatch.setattr(image_proxy.time, "time", lambda: now + 2 * image_proxy.PREVIEW_SECONDS)
    assert not image_proxy.verify(query["u"], query["s"], query["e"])
    assert not image_proxy.verify(query["u"], query["s"])  # without its expiry


def test_stored_contents_image_url_does_not_expire() -> None:
    query = _query(image_proxy.proxied("https://cdn.example/a.png"))
    assert "e" not in query and image_proxy.verify(query["u"], query["s"])


@pytest.mark.parametrize(
    ("page", "image", "proxied"),
    [
        (SITE + "/pricing", SITE + "/og.png", True),
        ("https://WWW.customer.example:443/pricing", SITE + "/og.png", True),
        (SITE + "/pricing", "https://cdn.example/og.png", False),
        (SITE + "/pricing", "http://www.customer.example/og.png", False),  # another origin
        (SITE + "/pricing", "https://user:pw@www.customer.example/og.png", False),
        (SITE + "/pricing", "javascript:alert(1)", False),
        (SITE + "/pricing", "/og.png", False),
        ("https://evil.example/", SITE + "/og.png", False),
        ("not a url", SITE + "/og.png", False),
        (SITE + "/pricing", "https://[::1/og.png", False),
    ],
)
def test_a_page_thumbnail_is_proxied_only_when_page_and_image_are_on_the_orgs_websites(
    page: str, image: str, proxied: bool
) -> None:
    thumbnail = page_thumbnail([SITE], page, image)
    if proxied:
        assert thumbnail is not None and _query(thumbnail)["u"] == image
    else:
        assert thumbnail is None


def test_the_favicon_is_the_websites_own_proxied_and_none_elsewhere() -> None:
    favicon = page_favicon([SITE], SITE + "/blog/post?x=1")
    assert favicon is not None and _query(favicon)["u"] == SITE + "/favicon.ico"
    assert page_favicon([SITE], "https://evil.example/") is None


def test_an_image_url_signed_with_the_previous_key_works_until_that_key_is_removed() -> None:
    image_proxy.configure("old-secret")
    old = _query(image_proxy.proxied("https://cdn.example/a.png"))
    image_proxy.configure("new-secret", previous=["old-secret"])
    assert image_proxy.verify(old["u"], old["s"])
    new = _query(image_proxy.proxied("https://cdn.example/a.png"))
    assert new["s"] != old["s"]  # new URLs are signed with the current key
    image_proxy.configure("new-secret")
    assert not image_proxy.verify(old["u"], old["s"])
    assert image_proxy.verify(new["u"], new["s"])


def test_a_stored_messages_images_keep_loading_after_the_old_key_is_removed() -> None:
    image_proxy.configure("old-secret")
    stored = render_markdown("Our diagram: ![setup](https://cdn.example/a%20b.png?x=1&y=2)")
    old = _query(_src(stored))
    image_proxy.configure("new-secret")  # the old key is gone
    assert not image_proxy.verify(old["u"], old["s"])
    shown = resign_stored(stored)
    new = _query(_src(shown))
    assert new["u"] == old["u"] == "https://cdn.example/a%20b.png?x=1&y=2"
    assert image_proxy.verify(new["u"], new["s"])
    assert resign_stored(shown) == shown  # already current: the same
    assert shown.replace(new["s"], "") == stored.replace(old["s"], "")  # nothing else changed


def test_text_that_only_looks_like_a_proxied_image_gets_no_signature() -> None:
    # A visitor cannot get a URL of their choosing signed by writing one in a message.
    for text in (
        '<img src="/img?u=https%3A%2F%2Fevil.example%2Fx&s=forged">',
        'src="/img?u=https%3A%2F%2Fevil.example%2Fx&amp;s=forged"',
        "![x](/img?u=https%3A%2F%2Fevil.example%2Fx&s=forged)",
    ):
        for images in (True, False):
            stored = render_markdown(text, images=images)
            assert resign_stored(stored) == stored
            assert image_proxy._signature("https://evil.example/x") not in resign_stored(stored)


def _src(html: str) -> str:
    return html.split('src="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
