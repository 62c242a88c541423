"""Proactive settings, invitations (as reps and as visitors see them) and the daily counts."""

from __future__ import annotations

from typing import Literal

from frontdesk.core.schemas import Closed, IsoTime


class ProactiveSettings(Closed):
    auto_pounce: bool
    auto_pounce_after_seconds: int
    nudge_after_seconds: int
    rep_timeout_seconds: int
    repeat_interval_seconds: int
    allowed_link_domains: list[str]


InvitationStatus = Literal["pending", "shown", "accepted", "expired"]


class InvitationOut(Closed):
    """An invitation as reps see it (the API, `invitation.updated` events)."""

    id: str
    visitor_id: str
    rep_id: str
    status: InvitationStatus
    message: str
    created_at: IsoTime
    shown_at: IsoTime | None
    conversation_id: str | None


class InvitingRep(Closed):
    id: str
    name: str


class VisitorInvitation(Closed):
    """An open invitation as the widget shows it (`invitation` frames, `welcome`)."""

    id: str
    message: str
    html: str
    rep: InvitingRep
    status: Literal["pending", "shown"]
    # Set once shown: two minutes after the widget's `invitation_shown`.
    expires_at: IsoTime | None
    server_time: IsoTime


class InvitationPreview(Closed):
    """An invitation's text with its #variables# filled for one visitor."""

    message: str
    html: str
    variables: dict[str, str | None]
    unknown: list[str]


class DailyCounts(Closed):
    """One rep's proactive work on one day (UTC)."""

    date: str
    rep_id: str | None
    rep_name: str | None
    pounce: int
    invitation_sent: int
    invitation_accepted: int
    invitation_expired: int
    auto_pounce: int
    reply: int
    missed_response: int
