"""What the shortcuts API sends."""

from __future__ import annotations

from typing import Literal

from frontdesk.core.schemas import Closed


class ShortcutOut(Closed):
    id: str
    name: str
    body: str
    html: str
    scope: Literal["mine", "org"]
    usage_count: int


class FilledShortcut(Closed):
    """A shortcut's text with its variables filled for one visitor, and its preview HTML."""

    text: str
    html: str
    shortcut: ShortcutOut
