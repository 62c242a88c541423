"""Phone legs on the bus: the visitor's tabs and the consoles that see the conversation."""

from __future__ import annotations

from typing import Literal

from frontdesk.core.events import Event
from frontdesk.features.audience import Visibility
from frontdesk.features.telephony.schemas import PhoneLegOut, VisitorPhoneLeg


class PhoneLegChanged(Event):
    """To the visitor's tabs: a call to their phone was placed, rings, was answered or ended
    (`phone_join` asked for it; also the answer to it)."""

    type: Literal["phone_leg"] = "phone_leg"
    # The `phone_join` frame's client_id on the answer to it; null on later changes.
    client_id: str | None
    leg: VisitorPhoneLeg


class PhoneLegUpdated(Event):
    """To consoles that see the conversation (batched): a phone leg changed."""

    type: Literal["phone_leg.updated"] = "phone_leg.updated"
    leg: PhoneLegOut
    visibility: Visibility
