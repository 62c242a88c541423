"""Segment and routing changes on the bus (server-internal: no client receives these)."""

from __future__ import annotations

from typing import Literal

from frontdesk.core.events import Event


class PlacementsChanged(Event):
    """To every process's visitor sockets of the org: reload your visit's routing."""

    type: Literal["placements.changed"] = "placements.changed"


class StreamResync(Event):
    """To the org's consoles' hubs: segments or routing changed for many visitors at once;
    every console gets a fresh `snapshot` instead (never sent to a console as it is)."""

    type: Literal["stream.resync"] = "stream.resync"
