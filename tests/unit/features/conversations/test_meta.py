"""Conversation meta is a closed, typed record: a key it does not know or a value of the wrong
type is refused when written, and the only way to change it is `edit_meta`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError
from sqlalchemy.dialects import postgresql, sqlite

from frontdesk.features.conversations import ConversationMeta, Transfer, edit_meta
from frontdesk.features.conversations.meta import ConversationMetaColumn
from frontdesk.features.conversations.models import Conversation

NOW = datetime(2026, 1, 5, 9, 0, 0, 250000, tzinfo=UTC)


def _conversation(meta: ConversationMeta) -> Conversation:
    return Conversation(id="c1", org_id="o1", visitor_id="v1", status="active", meta=meta)


@pytest.mark.parametrize(
    "stored",
    [
        {"visitor_repled": True},  # a misspelt key
        {"offline": "yes"},  # not a bool
        {"visitor_replied": 1},  # not a bool either: meta is strict
        {"experience_id": 42},  # not a string
        {"timeout_at": "soon"},  # not a timestamp
        {"timeout_at": "2026-01-05T09:00:00"},  # a timestamp without its zone
        {"auto_pounce_resolution": "ignored"},  # not one of the resolutions
        {"transfer": {"to_rep_id": "r2", "waiting": True}},  # a transfer missing its fields
    ],
)
def test_a_wrong_key_or_type_is_refused_on_read_and_on_write(stored: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ConversationMeta.model_validate(stored)
    # Written as a plain mapping (an insert() with literal values), the column refuses it too.
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        with pytest.raises(ValidationError):
            ConversationMetaColumn().process_bind_param(stored, dialect)


def test_edit_meta_validates_every_assignment_and_changes_nothing_when_refused() -> None:
    conversation = _conversation(ConversationMeta(experience_id="e1"))
    before = conversation.meta
    with pytest.raises(ValidationError), edit_meta(conversation) as meta:
        meta.nudged = True
        meta.offline = "yes"  # type: ignore[assignment]
    with pytest.raises(ValidationError), edit_meta(conversation) as meta:
        meta.nudgd = True  # type: ignore[attr-defined]
    assert conversation.meta is before  # neither block wrote anything
    with edit_meta(conversation) as meta:
        meta.nudged = True
    assert conversation.meta == ConversationMeta(experience_id="e1", nudged=True)


def test_meta_as_read_is_frozen_so_a_change_cannot_bypass_edit_meta() -> None:
    conversation = _conversation(ConversationMeta())
    with pytest.raises(ValidationError):
        conversation.meta.nudged = True  # type: ignore[misc]


def test_a_transfer_changed_by_copy_is_checked_when_it_goes_back_into_meta() -> None:
    transfer = Transfer(
        from_rep_id=None, from_rep_name=None, to_rep_id="r2", note=None, at=NOW, waiting=True
    )
    conversation = _conversation(ConversationMeta(transfer=transfer))
    with pytest.raises(ValidationError), edit_meta(conversation) as meta:
        meta.transfer = transfer.model_copy(update={"waiting": "no"})
    with edit_meta(conversation) as meta:
        meta.transfer = transfer.model_copy(update={"waiting": False})
    assert conversation.meta.transfer is not None
    assert conversation.meta.transfer.waiting is False


def test_stored_json_holds_only_the_keys_set_with_timestamps_as_isoformat_writes_them() -> None:
    meta = ConversationMeta(
        visitor_replied=True, offline=False, timeout_at=NOW, experience_id=None, nudged=False
    )
    assert ConversationMetaColumn().process_bind_param(meta, sqlite.dialect()) == {
        "visitor_replied": True,
        "timeout_at": "2026-01-05T09:00:00.250000+00:00",
    }
    assert ConversationMetaColumn().process_bind_param(None, sqlite.dialect()) == {}
