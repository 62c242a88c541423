"""The texts an admin may reword are exactly the messenger's, with the same placeholders."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from frontdesk.core.errors import ValidationFailed
from frontdesk.features.orgs.messenger_texts import MAX_TEXT, TEXT_KEYS, validate_texts

EN = Path(__file__).parents[4] / "web" / "widget" / "i18n" / "en.json"


def test_the_keys_and_placeholders_are_english_file_s() -> None:
    english = json.loads(EN.read_text())
    assert {
        key: tuple(sorted(set(re.findall(r"\{(\w+)\}", text)))) for key, text in english.items()
    } == TEXT_KEYS


def test_texts_are_trimmed_blank_ones_dropped_and_mistakes_named() -> None:
    assert validate_texts({"de": {"intro": "  Hallo!  ", "send": " "}, "fr": {"send": ""}}) == {
        "de": {"intro": "Hallo!"}
    }
    assert validate_texts({"en": {"hello": "Welcome to {org}!"}}) == {
        "en": {"hello": "Welcome to {org}!"}
    }
    with pytest.raises(ValidationFailed) as failed:
        validate_texts(
            {
                "en": {
                    "nope": "x",
                    "intro": "x" * (MAX_TEXT + 1),
                    "hello": "Hi {name}",
                }
            }
        )
    assert failed.value.details == [
        {"field": "messenger.texts.en.nope", "problem": "not a text of the messenger"},
        {"field": "messenger.texts.en.intro", "problem": f"write at most {MAX_TEXT} characters"},
        {
            "field": "messenger.texts.en.hello",
            "problem": "unknown placeholder {name} (this text may use: {org})",
        },
    ]
