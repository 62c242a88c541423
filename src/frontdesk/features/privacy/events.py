from __future__ import annotations

from typing import Literal

from frontdesk.core import visitor_feed
from frontdesk.core.events import Event


class VisitorErased(Event):
    """To every process holding the visitor's tabs (not a client frame): close them; the
    widget reconnects and, its token naming nobody now, starts over as a new visitor."""

    type: Literal["erased"] = "erased"


ERASED_FEED = visitor_feed.pack(VisitorErased())
