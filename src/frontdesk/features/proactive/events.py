"""Invitation frames: to the visitor's widget, and to the inviting rep's consoles."""

from __future__ import annotations

from typing import Literal

from frontdesk.core.events import Event
from frontdesk.features.audience import Visibility
from frontdesk.features.proactive.schemas import InvitationOut, VisitorInvitation


class InvitationSent(Event):
    """To the visitor's tabs: show this invitation (answer `invitation_shown` once on screen)."""

    type: Literal["invitation"] = "invitation"
    invitation: VisitorInvitation


class InvitationExpired(Event):
    """To the visitor's tabs: take the invitation off the screen."""

    type: Literal["invitation_expired"] = "invitation_expired"
    invitation_id: str


class InvitationUpdated(Event):
    """To consoles (batched): one of my invitations changed (pending, shown, accepted, expired)."""

    type: Literal["invitation.updated"] = "invitation.updated"
    invitation: InvitationOut
    visibility: Visibility
