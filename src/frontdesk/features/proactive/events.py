"""Invitation frames: to the visitor's widget, and to the inviting rep's consoles."""

from __future__ import annotations

from typing import Literal

from frontdesk.core.events import Event
from frontdesk.features.conversations.events import Visibility
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


def rep_visibility(rep_id: str) -> Visibility:
    """An invitation is the inviting rep's (and admins')."""
    return Visibility(routed_rep_ids=[rep_id], owner_rep_id=rep_id)
