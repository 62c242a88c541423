"""What the API and the console's socket send about reps and orgs."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict
from typing_extensions import TypedDict

from frontdesk.core.schemas import Closed

Role = Literal["admin", "rep"]
Availability = Literal["available", "away"]


class RepOut(Closed):
    """A rep in full: themselves (GET /api/me), or any rep of the org for admins."""

    id: str
    email: str
    name: str
    role: Role
    availability: Availability
    auto_pounce_enabled: bool
    # Why auto pounce was switched off for this rep (a missed response), until they switch it on.
    auto_pounce_off_reason: str | None
    voice_video_enabled: bool
    active: bool


class ColleagueOut(Closed):
    """A rep as other reps see them: no email."""

    id: str
    name: str
    availability: Availability
    active: bool
    role: Role


class MessengerSettings(TypedDict, total=False):
    """What every visitor's messenger looks like and asks; only the settings an admin set."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]

    color: str  # "#rrggbb"
    greeting: str
    ask_identity: bool
