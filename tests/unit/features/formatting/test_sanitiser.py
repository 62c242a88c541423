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
from frontdesk.features.formatting.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

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
