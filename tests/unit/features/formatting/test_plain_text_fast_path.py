"""Plain one-line messages skip the markdown parser and the sanitiser; the HTML is the same."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from frontdesk.features.formatting.markdown import (
    PLAIN_LINE,
    _parser,
    _render_inline,
    render_markdown,
    sanitise_html,
)


def _slow(text: str) -> str:
    return sanitise_html(_parser().render(text)).strip()


# Characters that appear in chat: the fast path's own alphabet plus everything that should
# send a message down the full renderer (markup, links, list markers, spacing, newlines).
CHAT_ALPHABET = st.sampled_from(
    list("abcxyzABZ019 ,.?!'-éßЖ中")
    + list('*_`[]()<>#~|&@:/\\"+=\n\t')
    + ["http", "www", ".com", "1.", "2)", "  ", "-- ", "e.g.", "😀"]
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(CHAT_ALPHABET, max_size=14).map("".join))
@example("Hi, can I get a demo?")
@example("1. first")
@example("3) third")
@example("see example.com")
@example("well-known it's fine!")
@example("trailing space ")
def test_the_fast_path_renders_exactly_what_the_full_renderer_would(text: str) -> None:
    assert render_markdown(text) == _slow(text)


def test_ordinary_sentences_take_the_fast_path_and_markup_does_not() -> None:
    assert PLAIN_LINE.fullmatch("Hi, can I get a demo of the Pro plan? Thanks.")
    assert PLAIN_LINE.fullmatch("We're 12 people - is that OK for pricing!")
    for text in ("*bold*", "see acme.com", "1. item", "- item", "line\nbreak", " padded"):
        assert not PLAIN_LINE.fullmatch(text), text


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="abcxyzABZ019 ,.?!'-éßЖ中", max_size=30))
def test_text_made_only_of_plain_characters_renders_the_same_both_ways(text: str) -> None:
    # Mostly fast-path inputs: the places where a dot, digit or hyphen could start markup.
    assert render_markdown(text) == _slow(text)


# Pieces of messages with links and strong words: the inline fast path's own pieces, and
# the near misses that must take the full renderer (a link glued to text or to markup,
# characters a link would encode, emphasis that does not close, punctuation after a link).
INLINE_ALPHABET = st.sampled_from(
    [
        "https://www.customer.example/security",
        "http://a.example",
        "https://Acme.example/Pricing/",
        "https://a-b.example/x_y/z-",
        "https://a.example/x_",
        "https://x.example/(a)",
        "https://x.example/?q=1",
        "https://x.example/é",
        "https://localhost",
        "mailto:a@b.example",
        "www.a.example",
        "**",
        "**Okta**",
        "**two words**",
        "** padded **",
        "*",
        "_",
        " ",
        "  ",
        ".",
        ",",
        ";",
        ":",
        "!",
        "?",
        ")",
        "'",
        "-",
        "1.",
        "\n",
        "see",
        "We",
        "x",
        "9",
        "é",
        "http:",
        "ftp:",
        "//",
        "<b>",
        "&amp;",
    ]
)


@settings(max_examples=4000, deadline=None)
@given(st.lists(INLINE_ALPHABET, max_size=10).map("".join), st.booleans())
@example("We use **Okta** today; see https://www.customer.example/security for our needs", False)
@example("see https://a.example/x. ok", True)
@example("https://a.example, **fine**!", False)
@example("Note: see https://a.example/docs/", False)
def test_messages_with_links_and_strong_words_render_the_same_both_ways(
    text: str, images: bool
) -> None:
    slow = sanitise_html(_parser(images).render(text), images=images).strip()
    assert render_markdown(text, images=images) == slow


def test_a_chat_message_with_a_link_and_a_strong_word_takes_the_inline_path() -> None:
    text = "We use **Okta** today; see https://www.customer.example/security for our needs"
    assert _render_inline(text) == (
        '<p>We use <strong>Okta</strong> today; see <a href="https://www.customer.example/'
        'security" target="_blank" rel="noopener noreferrer nofollow">https://www.customer.'
        "example/security</a> for our needs</p>"
    )
    for other in ("see [docs](https://a.example)", "x https://a.example/é", "**open", "a\nb"):
        assert _render_inline(other) is None, other
