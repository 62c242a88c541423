"""Experiences on the bus: the per-process caches that hold experience names hear of changes."""

from __future__ import annotations

from typing import Literal

from frontdesk.core.events import Event


class ExperiencesChanged(Event):
    """To every process's visitor registry (not a client frame): the org's experiences were
    created, renamed or deleted, so the cached names shown on visitor cards are read again."""

    type: Literal["experiences.changed"] = "experiences.changed"
