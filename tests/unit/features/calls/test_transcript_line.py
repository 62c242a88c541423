"""What the transcript says about a call: who, how long, how it ended (calls are not recorded)."""

from __future__ import annotations

from typing import Any

import pytest

from frontdesk.features.calls import transcript_line
from frontdesk.features.calls.schemas import CallOut


def _call(**changes: Any) -> CallOut:
    base: dict[str, Any] = {
        "id": "c1",
        "conversation_id": "k1",
        "visitor_id": "v1",
        "rep": {"id": "r1", "name": "Dana Reyes", "avatar_url": None},
        "initiated_by": "rep",
        "media": "video",
        "visitor_media": "video",
        "state": "ended",
        "end_reason": "ended_by_visitor",
        "end_detail": None,
        "channel": "browser",
        "rep_leg": "a",
        "visitor_leg": "b",
        "created_at": "2026-12-04T10:00:00+00:00",
        "answered_at": "2026-12-04T10:00:05+00:00",
        "connected_at": "2026-12-04T10:00:06+00:00",
        "ended_at": "2026-12-04T10:04:18+00:00",
        "duration_seconds": 252,
    }
    return CallOut.model_validate(base | changes)


@pytest.mark.parametrize(
    ("changes", "line"),
    [
        ({}, "Video call with Dana Reyes, 4 min 12 s, ended by the visitor."),
        (
            {"media": "audio", "end_reason": "ended_by_rep", "duration_seconds": 9},
            "Voice call with Dana Reyes, 9 s, ended by the rep.",
        ),
        (
            {"initiated_by": "visitor", "duration_seconds": 3 * 3600 + 120},
            "Video call from the visitor to Dana Reyes, 3 h 2 min, ended by the visitor.",
        ),
        (
            {"connected_at": None, "duration_seconds": None, "end_reason": "missed"},
            "Video call with Dana Reyes: not answered.",
        ),
        (
            {"connected_at": None, "duration_seconds": None, "end_reason": "declined"},
            "Video call with Dana Reyes: declined.",
        ),
        (
            {
                "rep": None,
                "initiated_by": "visitor",
                "media": "audio",
                "connected_at": None,
                "duration_seconds": None,
                "end_reason": "declined",
                "end_detail": "declined by Dana Reyes",
            },
            "Voice call from the visitor: declined by Dana Reyes.",
        ),
        (
            {"end_reason": "failed", "end_detail": "the visitor's browser went away"},
            "Video call with Dana Reyes, 4 min 12 s, the connection was lost "
            "(the visitor's browser went away).",
        ),
        (
            {"end_reason": "blocked"},
            "Video call with Dana Reyes, 4 min 12 s, ended: the visitor was blocked.",
        ),
    ],
)
def test_a_calls_transcript_line_says_who_how_long_and_how_it_ended(
    changes: dict[str, Any], line: str
) -> None:
    assert transcript_line(_call(**changes)) == line


def test_the_line_is_in_the_visitor_s_language_when_it_is_not_english() -> None:
    assert transcript_line(_call(), "de") == (
        "Videoanruf mit Dana Reyes, 4 Min. 12 Sek., vom Besucher beendet."
    )
    assert transcript_line(_call(media="audio", end_reason="ended_by_rep"), "ar") == (
        "مكالمة صوتية مع Dana Reyes، 4 دقيقة 12 ثانية، أنهاها الفريق."
    )
