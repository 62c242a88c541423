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


def test_every_messenger_language_has_every_english_text_with_the_same_placeholders() -> None:
    english = json.loads(EN.read_text())
    languages = sorted(EN.parent.glob("*.json"))
    assert {p.stem for p in languages} >= {"ar", "de", "en", "es", "fr", "ja", "pt"}
    for path in languages:
        texts = json.loads(path.read_text())
        assert sorted(texts) == sorted(english), path.name
        for key, text in texts.items():
            assert text.strip(), f"{path.name}: {key} is empty"
            placeholders = set(re.findall(r"\{(\w+)\}", text))
            assert placeholders == set(re.findall(r"\{(\w+)\}", english[key])), (
                f"{path.name}: {key}"
            )
            if path.stem != "en" and (path.stem, key) not in SAME_AS_ENGLISH:
                assert text != english[key], f"{path.name}: {key} is still English"


# Words that are the same in the language as in English (each checked, not a forgotten text).
SAME_AS_ENGLISH = {
    ("de", "chat"),
    ("de", "support"),
    ("de", "team"),
    ("de", "name"),
    ("de", "nameOptional"),
    ("de", "optional"),
    ("de", "rate2of3"),
    ("es", "chat"),
    ("pt", "chat"),
    ("fr", "conversation"),
    ("fr", "message"),
    ("fr", "assistant"),
    ("ja", "powered"),  # the product's name
}
