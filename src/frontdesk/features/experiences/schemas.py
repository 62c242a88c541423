"""What the experiences API sends: experiences and the offline messages visitors left."""

from __future__ import annotations

from typing import Literal

from frontdesk.core.schemas import Closed, IsoTime


class ExperienceOut(Closed):
    id: str
    is_default: bool
    name: str
    rep_window_seconds: int
    bot_greeting: str
    ask_identity: bool
    identity_prompt: str
    handoff_message: str
    timeout_seconds: int
    timeout_message: str
    offline_message: str
    # The meeting type the bot offers when no rep joins an inbound chat in time (None: none).
    booker_meeting_type_id: str | None


EmailStatus = Literal["emailed", "sending", "no_mail_server", "failed"]


class EmailReport(Closed):
    """How an offline message's email to the routed reps went, in a rep's words; admins also
    get what to configure."""

    email_status: EmailStatus
    email_note: str
    email_admin_hint: str | None


class OfflineMessageOut(Closed):
    id: str
    visitor_id: str | None
    conversation_id: str | None
    name: str | None
    email: str | None
    body: str
    created_at: IsoTime
    emailed_at: IsoTime | None
    email_error: str | None
    # How the email to the routed reps went, in a rep's words (email.email_status); admins
    # also get what to configure.
    email_status: EmailStatus
    email_note: str
    email_admin_hint: str | None
