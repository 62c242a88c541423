"""Markdown -> safe HTML, used for rep messages, visitor messages, shortcuts and bot text.

markdown-it-py parses with raw HTML disabled; nh3 (ammonia) then keeps only an allow-list of
tags, attributes and URL schemes. Browsers sanitise again before showing it (defence in depth).

Visitors' text is rendered without images (`images=False`): an image there would be a URL an
anonymous visitor chose, signed for the image proxy (so anyone could use the proxy to fetch
anything) or else loaded by every rep's browser (telling its owner the reps' IP addresses).
An image a visitor writes stays a link.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import nh3
from markdown_it import MarkdownIt

from frontdesk.features.formatting import image_proxy

# The one allow-list, shared with the console's and the widget's sanitisers (they bundle the
# same file at build time; docs/architecture.md, "One allow-list for message HTML").
HTML_ALLOWLIST: dict[str, Any] = json.loads(
    (Path(__file__).parent / "html_allowlist.json").read_text(encoding="utf-8")
)
ALLOWED_TAGS: frozenset[str] = frozenset(HTML_ALLOWLIST["tags"])
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    tag: set(names) for tag, names in HTML_ALLOWLIST["attributes"].items()
}
LINK_SCHEMES: tuple[str, ...] = tuple(f"{s}:" for s in HTML_ALLOWLIST["link_schemes"])
IMAGE_SCHEMES: tuple[str, ...] = tuple(f"{s}:" for s in HTML_ALLOWLIST["image_schemes"])
# Stored HTML has images as "/img?u=...&s=..."; the browsers load them from the Frontdesk server.
IMAGE_PROXY_PATH: str = HTML_ALLOWLIST["image_proxy_path"]
LINK_ATTRIBUTES: dict[str, str] = HTML_ALLOWLIST["link_attributes"]
# giphy media links are shown as the GIF itself, as reps expect from the product docs.
GIPHY_MEDIA = re.compile(
    r"^(https://media\d*\.giphy\.com/media/[A-Za-z0-9]+/(?:giphy|200|source)\.gif)$"
)


@lru_cache(maxsize=2)
def _parser(images: bool = True) -> MarkdownIt:
    md = MarkdownIt(
        "commonmark", {"html": False, "linkify": True, "breaks": True, "typographer": False}
    )
    md.enable(["linkify"])
    md.disable(["heading", "lheading", "hr"])  # chat bubbles, not documents
    if not images:
        md.disable("image")  # "![alt](url)" is then "!" and a link
    # Only absolute http(s) and mailto links survive parsing (anything else stays text); nh3
    # checks again after rendering. No relative links: the widget shows messages on the
    # customer's site and the console on Frontdesk's, so "/pricing" would mean two pages, and
    # both browsers' sanitisers drop such an href.
    md.validateLink = lambda url: _scheme_allowed(url, LINK_SCHEMES)  # type: ignore[method-assign]
    return md


def _scheme_allowed(url: str, schemes: tuple[str, ...]) -> bool:
    return re.sub(r"[\x00-\x20]", "", url).lower().startswith(schemes)


def _giphy_to_image(markdown: str) -> str:
    lines = []
    for line in markdown.split("\n"):
        match = GIPHY_MEDIA.match(line.strip())
        lines.append(f"![GIF]({match.group(1)})" if match else line)
    return "\n".join(lines)


def _attribute(tag: str, attribute: str, value: str, *, preview: bool = False) -> str | None:
    # nh3 lets relative URLs through whatever the schemes; the allow-list has none but the
    # image proxy's own path.
    if attribute == "href":
        return value if _scheme_allowed(value, LINK_SCHEMES) else None
    if tag == "img" and attribute == "src":
        if value.startswith(IMAGE_PROXY_PATH):
            return value  # already proxied (the proxy checks its signature)
        if not _scheme_allowed(value, IMAGE_SCHEMES):
            return None
        return image_proxy.proxied(value, preview=preview)
    return value


def _preview_attribute(tag: str, attribute: str, value: str) -> str | None:
    return _attribute(tag, attribute, value, preview=True)


@lru_cache(maxsize=4)
def _cleaner(images: bool = True, preview: bool = False) -> nh3.Cleaner:
    # Built once: nh3.clean() would rebuild the same sanitiser (the sets, the callback) on
    # every call, half of its cost.
    return nh3.Cleaner(
        attribute_filter=_preview_attribute if preview else _attribute,
        tags=set(ALLOWED_TAGS) if images else set(ALLOWED_TAGS) - {"img"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={scheme.rstrip(":") for scheme in LINK_SCHEMES + IMAGE_SCHEMES},
        link_rel=LINK_ATTRIBUTES["rel"],
        set_tag_attribute_values={"a": {"target": LINK_ATTRIBUTES["target"]}},
        strip_comments=True,
    )


def sanitise_html(html: str, *, images: bool = True, preview: bool = False) -> str:
    return _cleaner(images, preview).clean(html)


def _resign_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and value.startswith(IMAGE_PROXY_PATH):
        return image_proxy.resigned(value)
    return value  # sanitised when it was stored


@lru_cache(maxsize=1)
def _resigner() -> nh3.Cleaner:
    return nh3.Cleaner(
        attribute_filter=_resign_attribute,
        tags=set(ALLOWED_TAGS),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={scheme.rstrip(":") for scheme in LINK_SCHEMES + IMAGE_SCHEMES},
        link_rel=LINK_ATTRIBUTES["rel"],
        set_tag_attribute_values={"a": {"target": LINK_ATTRIBUTES["target"]}},
        strip_comments=True,
    )


def resign_stored(html: str) -> str:
    """Stored HTML (a message) with the image-proxy URLs of its <img> elements signed by the
    current key, so that after a key rotation its images keep loading once the old key is
    removed (docs/operations.md). Only real <img> elements are touched: an <img> in stored
    HTML was rendered by this server (markdown images with other URLs are text, raw HTML is
    escaped), while text that merely looks like a proxy URL stays as it is, so this signs
    nothing a sender could choose. Most messages have no image and cost one substring test."""
    if "<img " not in html:
        return html
    return _resigner().clean(html)


# One line of words, digits and plain punctuation, where markdown and linkify have nothing to
# do: no markup characters, no dot or colon that could make a link, no list marker at the
# start, no leading or trailing space. Most chat messages look like this; for them the parser
# and the sanitiser (a quarter of a message's server time) give "<p>" + text + "</p>".
# tests/unit/features/formatting checks both paths agree on generated text.
PLAIN_LINE = re.compile(
    r"(?![0-9]+[.)])[^\W_](?:[^\W_]|[ ,?!'-]|\.(?![^\W_]))*(?<! )",
)


# One line of plain text (PLAIN_LINE's alphabet plus ';' and ':') with bare http(s) links and
# **strong** words in it, each standing alone between spaces: the other common chat message.
# Such a link is what linkify makes of it only when its characters need no encoding and it
# ends in a letter, digit or '/' (then at most one '.', ',', ';', '!' or '?' follows it,
# outside the link); strong text is words and single spaces. Anything else, or a piece in
# an unexpected place, takes the full renderer. The same tests check both paths agree.
_INLINE_PIECE = re.compile(
    r"(https?://[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?:/[A-Za-z0-9_/-]*)?(?<![_-])"
    r"|\*\*[^\W_](?:[^\W_]| (?! ))*(?<! )\*\*)"
)
_INLINE_TEXT = re.compile(r"(?:[^\W_]|[ ,?!';-]|:(?![^\W_])|\.(?![^\W_]))*")
_AFTER_PIECE = re.compile(r"(?:[.,;!?]?(?: |$))")
_LINE_START = re.compile(r"(?![0-9]+[.)])[^\W_]")
_LINK_ATTRIBUTES = f' target="{LINK_ATTRIBUTES["target"]}" rel="{LINK_ATTRIBUTES["rel"]}"'


def _render_inline(markdown: str) -> str | None:
    """The HTML of a one-line message made of plain text, bare links and **strong** words,
    or None when the message has anything else (see _INLINE_PIECE)."""
    if not markdown or markdown[0] == " " or markdown[-1] == " ":
        return None
    parts = _INLINE_PIECE.split(markdown)
    if len(parts) == 1:
        return None
    if parts[0] and not _LINE_START.match(parts[0]):
        return None
    html = ["<p>"]
    for n, part in enumerate(parts):
        if n % 2 == 0:
            if not _INLINE_TEXT.fullmatch(part):
                return None
            html.append(part)
            continue
        # A piece stands alone: a space (or the start) before it, a space, one punctuation
        # mark or the end after it.
        if n > 1 and (not parts[n - 1] or parts[n - 1][-1] != " "):
            return None
        if n == 1 and parts[0] and parts[0][-1] != " ":
            return None
        if not _AFTER_PIECE.match(parts[n + 1]):
            return None
        if part[0] == "*":
            html.append(f"<strong>{part[2:-2]}</strong>")
        else:
            html.append(f'<a href="{part}"{_LINK_ATTRIBUTES}>{part}</a>')
    html.append("</p>")
    return "".join(html)


def render_markdown(markdown: str, *, images: bool = True, preview: bool = False) -> str:
    """images=False for text a visitor wrote (see the module docstring); preview=True for
    text shown but not stored (its image URLs expire, see image_proxy)."""
    if PLAIN_LINE.fullmatch(markdown):
        return f"<p>{markdown}</p>"
    inline = _render_inline(markdown)
    if inline is not None:
        return inline
    if images:
        html = _parser(True).render(_giphy_to_image(markdown))
    else:
        html = _parser(False).render(markdown)
    return sanitise_html(html, images=images, preview=preview).strip()
