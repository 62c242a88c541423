"""What features note on a conversation (`conversations.meta`): one closed, typed record.

Four features write here: conversations (the first visitor reply, transfers), experiences
(the inbound experience's timeline), proactive (invitations and auto pounce) and csat (the
visitor's rating). Each key is a
typed field of `ConversationMeta`; an unknown key or a value of the wrong type is refused when
it is written, not found later by whoever reads it.

- Reading: `conversation.meta` is a frozen `ConversationMeta` (the column type below builds it
  from the stored JSON), so `conversation.meta.offline` is a bool and `conversation.meta.timeout_at`
  a datetime, and assigning to a field of it fails.
- Writing: only through `edit_meta(conversation)`, which hands out a mutable copy that
  validates every assignment and puts a fresh `ConversationMeta` back on the conversation
  when the block ends (so SQLAlchemy sees the change; a block that raises changes nothing).

The stored JSON keeps its shape: only the keys that are set, timestamps in ISO 8601 as
`datetime.isoformat()` writes them. Rows written before the model existed read as they are
(`tests/integration/storage/test_conversation_meta.py`), consoles get the same `meta` object
in summaries, and the group writer's SQL still finds `visitor_replied` where it always was.
docs/architecture.md says why this is a model in one JSON column and not typed columns.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, PlainSerializer, Strict
from sqlalchemy import JSON, TypeDecorator
from sqlalchemy.engine import Dialect

if TYPE_CHECKING:
    from frontdesk.features.conversations.models import Conversation


def iso_timestamp(value: datetime) -> str:
    """The one spelling of a timestamp in meta: what `datetime.isoformat()` gives (UTC, so
    `+00:00`), as every row written before the model has it."""
    return value.isoformat()


def _unset(value: object) -> bool:
    return value is None or value is False


# Timestamps are stored as text, so they are parsed from strings (the rest of the model is
# strict: "yes" is not a bool, 1 is not a string); a timestamp without a zone is refused.
Timestamp = Annotated[AwareDatetime, Strict(False), PlainSerializer(iso_timestamp, return_type=str)]
# Fields left at their default (False, None) are not written, so the JSON holds only what a
# feature set, as it always has.
_Flag = Annotated[bool, Field(exclude_if=_unset)]
_Text = Annotated[str | None, Field(exclude_if=_unset)]
_When = Annotated[Timestamp | None, Field(exclude_if=_unset)]

AutoPounceResolution = Literal["replied", "missed", "spam", "no_response_needed"]


class Transfer(BaseModel):
    """The last hand-over of the chat to another rep (conversations.transfer)."""

    # Checked again whenever it is put into a meta, even if built with model_copy(update=...).
    model_config = ConfigDict(
        extra="forbid", frozen=True, strict=True, revalidate_instances="always"
    )

    from_rep_id: str | None
    from_rep_name: str | None
    to_rep_id: str
    note: str | None  # shown to reps only
    at: Timestamp
    waiting: bool  # until the new owner's first reply


class Rating(BaseModel):
    """The visitor's rating of the chat after it ended (features/csat): `score` of `scale`
    (3: bad, neutral, good; 5: one to five stars), an optional comment. One per chat."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, strict=True, revalidate_instances="always"
    )

    score: Annotated[int, Field(ge=1, le=5)]
    scale: Literal[3, 5]
    comment: str | None
    at: Timestamp


class _MetaFields(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    # conversations: the visitor has written in this chat (their later messages take the
    # group writer, whose SQL reads this key), and the last transfer.
    visitor_replied: _Flag = False
    transfer: Annotated[Transfer | None, Field(exclude_if=_unset)] = None
    # experiences: the inbound experience applied, and where its timeline stands.
    experience_id: _Text = None
    experience_name: _Text = None
    timeout_at: _When = None
    rep_window_ends_at: _When = None
    offline: _Flag = False  # nobody was available: the messenger shows the offline form
    ask_identity: _Flag = False  # the messenger asks for name and email
    bot_greeted: _Flag = False
    # staffing: outside business hours until this instant (the away experience shows), and
    # the chat's place in the org's queue while every rep is at capacity (1 = next).
    away_until: _When = None
    queue_position: Annotated[int | None, Field(exclude_if=_unset)] = None
    # proactive: the invitation this chat answers; auto pounce and its alert to the rep.
    invitation_id: _Text = None
    auto_pounce: _Flag = False
    text_source: Annotated[Literal["model", "template"] | None, Field(exclude_if=_unset)] = None
    model_rejected: _Text = None  # why the model's greeting was not used
    nudged: _Flag = False
    awaiting_rep_since: _When = None  # set while the rep must act on the visitor's reply
    rep_timeout_at: _When = None
    auto_pounce_resolution: Annotated[AutoPounceResolution | None, Field(exclude_if=_unset)] = None
    # csat: the visitor's rating, given after the chat ended (kept here, not in a table of its
    # own, so every summary, Visitor 360 and the webhook carry it without another query).
    csat: Annotated[Rating | None, Field(exclude_if=_unset)] = None


class ConversationMeta(_MetaFields):
    """A conversation's meta as read: frozen (change it with `edit_meta`)."""

    model_config = ConfigDict(frozen=True)


class MetaDraft(_MetaFields):
    """The copy `edit_meta` hands out: every assignment is validated."""

    model_config = ConfigDict(validate_assignment=True)


@contextmanager
def edit_meta(conversation: Conversation) -> Iterator[MetaDraft]:
    """The one way to change a conversation's meta:

    with edit_meta(conversation) as meta:
        meta.nudged = True
    """
    draft = MetaDraft(**dict(conversation.meta))
    yield draft
    conversation.meta = ConversationMeta(**dict(draft))


class ConversationMetaColumn(TypeDecorator[ConversationMeta]):
    """`conversations.meta`: a JSON object in the database, a `ConversationMeta` in Python.

    A plain mapping is accepted too (an `insert()` with literal values) but is validated
    first, so no write stores a key or a value the model does not know."""

    impl = JSON
    cache_ok = True

    def process_bind_param(
        self, value: ConversationMeta | Mapping[str, Any] | None, dialect: Dialect
    ) -> dict[str, Any]:
        if value is None:
            meta = ConversationMeta()
        elif type(value) is ConversationMeta:
            meta = value
        else:
            meta = ConversationMeta.model_validate(dict(value))
        return meta.model_dump(mode="json")

    def process_result_value(
        self, value: Mapping[str, Any] | None, dialect: Dialect
    ) -> ConversationMeta:
        return ConversationMeta.model_validate(value or {})
