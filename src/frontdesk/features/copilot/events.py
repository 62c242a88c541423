"""Copilot frames to consoles."""

from __future__ import annotations

from typing import Literal

from frontdesk.core.events import Event


class CopilotChanged(Event):
    """To every console of the org (batched): an admin turned the AI Copilot on or off; the
    composer shows or hides /suggest, /expand and /tune at once, without a reload."""

    type: Literal["copilot.changed"] = "copilot.changed"
    enabled: bool
