"""Ids are random version-4 UUIDs in hex, as they always were (rows made before and after the
faster generator look alike)."""

from __future__ import annotations

import uuid

from frontdesk.core.ids import new_id


def test_a_new_id_is_a_random_uuid4_in_hex() -> None:
    ids = [new_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for value in ids:
        parsed = uuid.UUID(hex=value)
        assert parsed.hex == value
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
