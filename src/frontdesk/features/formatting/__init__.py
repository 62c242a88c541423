"""Message formatting: one markdown renderer and allow-list sanitiser for every message source."""

from frontdesk.features.formatting.markdown import render_markdown, sanitise_html
from frontdesk.features.formatting.variables import (
    BRACE_VARIABLE,
    HASH_VARIABLE,
    fill_template,
    tidy_filled_text,
)

__all__ = [
    "BRACE_VARIABLE",
    "HASH_VARIABLE",
    "fill_template",
    "render_markdown",
    "sanitise_html",
    "tidy_filled_text",
]
