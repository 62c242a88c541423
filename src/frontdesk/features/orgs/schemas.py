"""What the API and the console's socket send about reps and orgs."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict
from typing_extensions import TypedDict

from frontdesk.core.schemas import Closed

# A team lead is a rep (takes chats, is routed to) who also reads every rep's reports and opens
# Account 360 as admins do; everything an admin configures stays admin-only (docs/reports.md).
Role = Literal["admin", "lead", "rep"]
ROLES: tuple[Role, ...] = ("rep", "lead", "admin")
Availability = Literal["available", "away"]
# The messenger's languages (web/widget/i18n/): English is built in, the others load on demand.
# A visitor's language tag (BCP-47, "pt-BR") is at most this long (features/orgs/visitor_texts.py).
MAX_LANGUAGE_TAG = 35
MESSENGER_LANGUAGES = ("en", "de", "fr", "es", "pt", "ja", "ar")
MessengerLanguage = Literal["auto", "en", "de", "fr", "es", "pt", "ja", "ar"]
MessengerTextLanguage = Literal["en", "de", "fr", "es", "pt", "ja", "ar"]
CsatScale = Literal["off", "faces", "stars"]


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
    # The messenger's own texts: "auto" (or unset) follows the visitor's browser
    # (navigator.languages), else always this language (docs/widget.md, "Languages").
    language: MessengerLanguage
    # Ask the visitor to rate the chat once it ended (features/csat): bad/neutral/good
    # ("faces"), one to five stars ("stars"), or not at all ("off", the default).
    csat: CsatScale
    # Sneak peek: reps see what the visitor is typing before they send it; the messenger says
    # so under the composer ("Your typing may be visible to our team"). Off unless set.
    sneak_peek: bool
    # The bot answers waiting visitors from the copilot's knowledge when no rep is available
    # ("Talk to a person" always offered with the answer). Off unless set.
    bot_answers: bool
    # The org's own wording of the messenger's texts, per language, laid over the language's
    # file: {"de": {"intro": "..."}} (features/orgs/messenger_texts.py checks keys and lengths).
    texts: dict[str, dict[str, str]]
