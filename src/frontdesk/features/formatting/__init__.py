"""Message formatting: one markdown renderer and allow-list sanitiser for every message source."""

from frontdesk.features.formatting import image_proxy
from frontdesk.features.formatting.markdown import render_markdown, resign_stored, sanitise_html
from frontdesk.features.formatting.variables import (
    BRACE_VARIABLE,
    HASH_VARIABLE,
    VariableSource,
    fill_template,
    tidy_filled_text,
    variable_source,
)

__all__ = [
    "BRACE_VARIABLE",
    "HASH_VARIABLE",
    "VariableSource",
    "fill_template",
    "image_proxy",
    "render_markdown",
    "resign_stored",
    "sanitise_html",
    "tidy_filled_text",
    "variable_source",
]
