"""The one markdown renderer keeps only allowed tags, attributes and URL schemes."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from frontdesk.features.formatting import (
    BRACE_VARIABLE,
    fill_template,
    image_proxy,
    render_markdown,
    sanitise_html,
)
from frontdesk.features.formatting.markdown import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    HTML_ALLOWLIST,
)

CORPUS = [
    line
    for line in (Path(__file__).parents[3] / "fixtures" / "xss_corpus.txt").read_text().split("\n")
    if line and not line.startswith("#")
]


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def _elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _Collect()
    parser.feed(html)
    return parser.tags


@pytest.fixture(autouse=True)
def _proxy_key() -> None:
    image_proxy.configure("unit-test-secret")


@pytest.mark.parametrize("attack", CORPUS)
def test_no_attack_in_the_corpus_survives_rendering(attack: str) -> None:
    html = render_markdown(attack)
    for tag, attrs in _elements(html):
        assert tag in ALLOWED_TAGS, (attack, html)
        extra = {"target", "rel"} if tag == "a" else set()
        for name, value in attrs:
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | extra, (attack, html)
            if name == "href":
                assert re.match(r"^(https?:|mailto:)", value or ""), (attack, html)
            if name == "src":
                assert (value or "").startswith("/img?u=http"), (attack, html)
    # Anything else of the attack is now text: escaped, shown as typed, never markup.


def test_formatting_reps_use_renders_as_expected() -> None:
    assert (
        render_markdown("This is my **very important** text.")
        == "<p>This is my <strong>very important</strong> text.</p>"
    )
    assert render_markdown("I *really* need it") == "<p>I <em>really</em> need it</p>"
    assert (
        render_markdown("***really important***")
        == "<p><em><strong>really important</strong></em></p>"
    )
    assert render_markdown("line one\nline two") == "<p>line one<br>\nline two</p>"
    assert render_markdown("Thanks 🎉") == "<p>Thanks 🎉</p>"


def test_links_open_in_a_new_tab_without_leaking_the_opener() -> None:
    html = render_markdown(
        "[What is Conversational Marketing](https://www.qualified.com/blog/x) and https://example.com"
    )
    assert html.count('target="_blank"') == 2
    assert html.count('rel="noopener noreferrer nofollow"') == 2
    assert 'href="https://www.qualified.com/blog/x"' in html


def test_images_clickable_images_and_giphy_links_go_through_the_image_proxy() -> None:
    image = render_markdown("![chart](https://cdn.example/chart.png)")
    assert '<img src="/img?u=https%3A%2F%2Fcdn.example%2Fchart.png&amp;s=' in image
    clickable = render_markdown("[![chart](https://cdn.example/c.png)](https://example.com/report)")
    assert (
        clickable.startswith('<p><a href="https://example.com/report"')
        and '<img src="/img?u=' in clickable
    )
    gif = render_markdown("https://media.giphy.com/media/abc123/giphy.gif")
    assert '<img src="/img?u=https%3A%2F%2Fmedia.giphy.com%2Fmedia%2Fabc123%2Fgiphy.gif' in gif


def test_the_sanitiser_alone_keeps_only_the_allow_list() -> None:
    dirty = '<p style="x" class="y">hi <b>b</b> <u>u</u> <a href="ftp://x" onclick="y">f</a> <a href="mailto:a@b.c">m</a></p><table><tr><td>t</td></tr></table>'
    clean = sanitise_html(dirty)
    assert (
        clean
        == '<p>hi b u <a target="_blank" rel="noopener noreferrer nofollow">f</a> <a href="mailto:a@b.c" target="_blank" rel="noopener noreferrer nofollow">m</a></p>t'
    )


def test_a_visitors_text_shows_no_images_only_links() -> None:
    html = render_markdown(
        "![chart](https://cdn.example/chart.png) [![c](https://cdn.example/c.png)](https://x.example)\n"
        "https://media.giphy.com/media/abc123/giphy.gif",
        images=False,
    )
    assert "<img" not in html and "/img?" not in html
    assert 'href="https://cdn.example/chart.png"' in html
    assert 'href="https://media.giphy.com/media/abc123/giphy.gif"' in html


@pytest.mark.parametrize("attack", CORPUS)
def test_no_attack_in_the_corpus_gets_an_image_into_a_visitors_text(attack: str) -> None:
    html = render_markdown(attack, images=False)
    assert all(tag != "img" for tag, _ in _elements(html)), (attack, html)


def test_a_filled_in_value_cannot_become_an_image() -> None:
    text = fill_template(
        "About {page.title}", {"page.title": "![x](https://a.example/p.png)"}, BRACE_VARIABLE
    )
    assert "<img" not in render_markdown(text)


# ---- (issue 14) one allow-list for server, console and widget ---------------------------------

FEATURES = (Path(__file__).parents[3] / "fixtures" / "markdown_features.md").read_text()
# Tags the console's own list used to allow besides the shared twelve (issue 14), and a few more.
NOT_ALLOWED = ["b", "i", "del", "s", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "sup", "sub"]
NOT_ALLOWED += ["table", "thead", "tbody", "tr", "th", "td", "span", "div", "u", "iframe"]


def test_a_message_using_every_markdown_feature_emits_exactly_the_allow_list() -> None:
    html = render_markdown(FEATURES)
    elements = _elements(html)
    assert {tag for tag, _ in elements} == set(HTML_ALLOWLIST["tags"])
    emitted = {(tag, name) for tag, attrs in elements for name, _ in attrs}
    allowed = {(tag, name) for tag, names in ALLOWED_ATTRIBUTES.items() for name in names}
    assert emitted == allowed | {("a", name) for name in HTML_ALLOWLIST["link_attributes"]}
    assert '<ol start="3">' in html  # a list keeps its first number


def test_what_the_server_renders_survives_its_own_sanitiser_unchanged() -> None:
    for images in (True, False):
        html = render_markdown(FEATURES, images=images)
        assert sanitise_html(html, images=images) == html


def test_the_sanitiser_drops_every_tag_outside_the_allow_list() -> None:
    for tag in NOT_ALLOWED:
        assert sanitise_html(f"<{tag}>text</{tag}>") == "text", tag


def test_relative_links_stay_text_because_console_and_widget_are_on_different_sites() -> None:
    assert render_markdown("see [pricing](/pricing) or [top](#top)") == (
        "<p>see [pricing](/pricing) or [top](#top)</p>"
    )
    cleaned = _elements(sanitise_html('<a href="/pricing">p</a><img src="/x.png" alt="x">'))
    assert [(tag, sorted(name for name, _ in attrs)) for tag, attrs in cleaned] == [
        ("a", ["rel", "target"]),
        ("img", ["alt"]),
    ]


def test_the_allow_lists_image_path_is_the_image_proxys() -> None:
    assert HTML_ALLOWLIST["image_proxy_path"] == image_proxy.PROXY_PATH + "?"
    assert render_markdown("![x](https://cdn.example/x.png)").startswith(
        '<p><img src="' + HTML_ALLOWLIST["image_proxy_path"]
    )
