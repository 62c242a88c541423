"""What the business-hours and capacity API takes and sends."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from frontdesk.core.schemas import Closed, IsoTime

AwayMode = Literal["offline_form", "booker"]
Overflow = Literal["queue", "offline"]
_Id = Annotated[StrictStr, Field(pattern=r"^[0-9a-f]{32}$")]
_Clock = Annotated[StrictStr, Field(min_length=5, max_length=5)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HolidayIn(_Strict):
    day: Annotated[StrictStr, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
    name: Annotated[StrictStr, Field(max_length=200)] = ""


class HoursBody(_Strict):
    """Business hours for the org or one team (replaces what was set, manual holidays too;
    holidays imported from a feed stay)."""

    time_zone: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    # weekday (mon..sun) -> [[start, end], ...] wall-clock "HH:MM" in time_zone; a day left
    # out is closed all day.
    weekly: Annotated[
        dict[
            StrictStr,
            Annotated[
                list[Annotated[list[_Clock], Field(min_length=2, max_length=2)]],
                Field(max_length=6),
            ],
        ],
        Field(max_length=7),
    ]
    away_mode: AwayMode = "offline_form"
    booker_meeting_type_id: _Id | None = None
    away_message: Annotated[StrictStr, Field(min_length=1, max_length=2000)] | None = None
    holidays: Annotated[list[HolidayIn], Field(max_length=366)] = Field(default_factory=list)


class HolidayFeedBody(_Strict):
    """An iCal holiday feed: a URL read now, or the file's text. Each event's days become
    holidays (replacing those imported before)."""

    url: Annotated[StrictStr, Field(min_length=8, max_length=2000)] | None = None
    ics: Annotated[StrictStr, Field(min_length=15, max_length=2_000_000)] | None = None


class HolidayOut(Closed):
    day: str
    name: str
    source: Literal["manual", "ical"]


class HoursOut(Closed):
    scope: str  # "org" or the team's id
    team_id: str | None
    team_name: str | None
    time_zone: str
    weekly: dict[str, list[list[str]]]
    away_mode: AwayMode
    booker_meeting_type_id: str | None
    away_message: str
    holiday_feed_url: str | None
    holidays: list[HolidayOut]
    open_now: bool
    # When it next opens (closed now) or closes (open now); null: not within a year.
    reopens_at: IsoTime | None
    closes_at: IsoTime | None


class HoursList(Closed):
    hours: list[HoursOut]


class ScopeStatus(Closed):
    scope: str
    team_id: str | None
    name: str
    open_now: bool
    reopens_at: IsoTime | None
    closes_at: IsoTime | None
    time_zone: str


class HoursStatus(Closed):
    """Who is inside business hours now (the live stream's banner)."""

    scopes: list[ScopeStatus]
    server_time: IsoTime


class CapacityBody(_Strict):
    # Concurrent chats per rep; null: no limit.
    default_max_chats: Annotated[StrictInt, Field(ge=1, le=100)] | None = None
    overflow: Overflow = "queue"
    queue_timeout_minutes: Annotated[StrictInt, Field(ge=1, le=240)] = 30


class RepLimitBody(_Strict):
    # The rep's own limit; null: the org default.
    max_chats: Annotated[StrictInt, Field(ge=1, le=100)] | None = None


class RepLoad(Closed):
    rep_id: str
    name: str
    active_chats: int
    max_chats: int | None  # the limit that applies (own or the org default); null: none
    own_limit: int | None  # set for this rep (overrides the default)
    at_capacity: bool


class CapacityOut(Closed):
    default_max_chats: int | None
    overflow: Overflow
    queue_timeout_minutes: int
    queued: int  # chats waiting in the queue now
    reps: list[RepLoad]
