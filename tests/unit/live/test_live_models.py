"""The live-state records: small (slotted, frozen), and the same JSON in Redis as before."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from frontdesk.live.base import (
    CONNECTION_TTL_SECONDS,
    ConnectionState,
    LiveVisitor,
    aggregate,
    updated_connection,
)

NOW = datetime(2026, 11, 21, 12, 0, 0, 123456, tzinfo=UTC)


def test_a_connection_state_survives_its_json_and_keeps_the_field_names() -> None:
    state = ConnectionState(
        activity="idle",
        url="https://a/pricing",
        title="Pricing",
        og_image="https://a/og.png",
        updated_at=NOW,
        expires_at=NOW + timedelta(seconds=150),
    )
    raw = state.to_json()
    assert set(orjson.loads(raw)) == {
        "activity",
        "url",
        "title",
        "og_image",
        "updated_at",
        "expires_at",
    }
    assert ConnectionState.from_json(raw) == state


def test_entries_written_by_the_pydantic_version_still_read() -> None:
    # What ConnectionState.model_dump_json() wrote before (UTC as "Z"), e.g. from a process of
    # the previous version sharing the same Redis during a rolling restart.
    raw = (
        b'{"activity":"another_tab","url":"https://a/","title":"A","og_image":null,'
        b'"updated_at":"2026-11-21T12:00:00.123456Z","expires_at":"2026-11-21T12:02:30.123456Z"}'
    )
    state = ConnectionState.from_json(raw)
    assert state.activity == "another_tab" and state.og_image is None
    assert state.updated_at == NOW
    assert state.expires_at == NOW + timedelta(seconds=150)
    with pytest.raises(ValueError):
        ConnectionState.from_json(raw.replace(b"another_tab", b"asleep"))


def test_live_records_are_slotted_and_frozen() -> None:
    state = updated_connection(None, NOW, activity=None, url="https://a/", title="A", og_image=None)
    live = aggregate("org", "v", "visit", NOW, [state])
    assert isinstance(live, LiveVisitor)
    for record in (state, live):
        assert not hasattr(record, "__dict__")
        with pytest.raises(dataclasses.FrozenInstanceError):
            record.url = "https://b/"  # type: ignore[misc]


def test_a_heartbeat_moves_only_the_expiry_and_a_new_page_replaces_the_thumbnail() -> None:
    first = updated_connection(
        None, NOW, activity="active", url="https://a/", title="A", og_image="https://a/og.png"
    )
    assert (first.updated_at, first.og_image) == (NOW, "https://a/og.png")
    later = NOW + timedelta(seconds=25)
    beat = updated_connection(first, later, activity=None, url=None, title=None, og_image=None)
    assert beat == dataclasses.replace(
        first, expires_at=later + timedelta(seconds=CONNECTION_TTL_SECONDS)
    )
    same = updated_connection(
        beat, later, activity="active", url="https://a/", title=None, og_image=None
    )
    assert same.updated_at == NOW  # nothing changed
    idle = updated_connection(same, later, activity="idle", url=None, title=None, og_image=None)
    assert (idle.activity, idle.updated_at, idle.og_image) == ("idle", later, "https://a/og.png")
    page = updated_connection(
        idle, later, activity=None, url="https://a/b", title="B", og_image=None
    )
    assert (page.url, page.title, page.og_image, page.activity) == (
        "https://a/b",
        "B",
        None,
        "idle",
    )
