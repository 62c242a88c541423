"""What the teams API sends."""

from __future__ import annotations

from frontdesk.core.schemas import Closed


class TeamOut(Closed):
    id: str
    name: str
    rep_ids: list[str]


class TeamName(Closed):
    id: str
    name: str
