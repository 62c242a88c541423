"""Message formatting: one markdown renderer and allow-list sanitiser for every message source."""

from frontdesk.features.formatting.markdown import render_markdown, sanitise_html

__all__ = ["render_markdown", "sanitise_html"]
