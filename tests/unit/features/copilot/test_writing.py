"""Tune and Expand offline: slang mapped, grammar fixed, tones as rules, facts kept."""

from __future__ import annotations

import re

import pytest

from frontdesk.features.copilot.writing import (
    EMOJI,
    EXPANSIONS,
    expand,
    keep_words,
    map_slang,
    missing,
    tune,
)

CONTRACTION = re.compile(
    r"\b(?:" + "|".join(re.escape(c) for c in EXPANSIONS) + r")\b", re.IGNORECASE
)


def test_chat_slang_becomes_words() -> None:
    assert map_slang("hey u can get a refund thx") == "hey you can get a refund thanks"
    assert map_slang("pls send ur invoice asap, ty") == (
        "please send your invoice as soon as possible, thank you"
    )
    # words that merely contain slang, links and addresses stay as they are
    assert map_slang("Our URL is https://u.example/r and ur@x.example") == (
        "Our URL is https://u.example/r and ur@x.example"
    )


def test_hey_u_can_get_a_refund_thx_in_each_tone() -> None:
    text = "hey u can get a refund thx"
    professional = tune(text, "professional")
    casual = tune(text, "casual")
    friendly = tune(text, "friendly")
    assert professional == "Hello, you can get a refund. Thank you."
    assert casual == "Hey, you can get a refund. Thanks!"
    assert friendly == "Hi there! You can get a refund. Thanks so much!"
    for sentence in (professional, casual, friendly):
        assert sentence[0].isupper() and sentence[-1] in ".!"
        assert not re.search(r"\b(?:u|thx)\b", sentence)


def test_professional_has_no_contractions_fillers_or_emoji() -> None:
    text = "hey!! i'm just checking, we can't really do that rn 😅 but it's totally fine :)"
    out = tune(text, "professional")
    assert not CONTRACTION.search(out), out
    assert not EMOJI.search(out), out
    assert not re.search(r"\b(?:just|really|totally)\b", out, re.IGNORECASE), out
    assert "!" not in out
    assert out.startswith("Hello,") and out.endswith(".")
    assert "I am checking" in out and "cannot" in out and "right now" in out


def test_casual_uses_contractions_and_friendly_softens_requests() -> None:
    assert "don't" in tune("We do not charge for setup.", "casual")
    assert "I'm" in tune("Hello, I am Dana from sales.", "casual")
    friendly = tune("send me your order number", "friendly")
    assert "Could you send me your order number?" in friendly
    assert friendly.startswith("Hi there!")
    assert tune("send me your order number", "professional") == (
        "Please send me your order number."
    )


def test_grammar_and_spelling_are_fixed_but_names_and_numbers_are_not() -> None:
    out = tune("i think teh the invoice for Okafor Ltd is $1,250 and arrives tommorow", "casual")
    assert "the invoice" in out and "teh" not in out and "the the" not in out
    assert "tomorrow" in out
    assert "Okafor Ltd" in out and "$1,250" in out
    assert out.startswith("I think")


@pytest.mark.parametrize("tone", ["professional", "casual", "friendly"])
def test_expand_keeps_every_number_and_name_from_the_notes(tone: str) -> None:
    notes = (
        "- Growth plan: $99/month\n"
        "- 14-day trial, no card\n"
        "- SSO via Okta on Enterprise\n"
        "- Priya Raman will call u on 12 March at 15:30\n"
        "- refunds within 30 days"
    )
    out = expand(notes, tone, "Jordan")  # type: ignore[arg-type]
    required = keep_words(notes)
    assert {"$99", "14", "Okta", "Enterprise", "Priya", "Raman", "12", "15:30", "30"} <= required
    assert missing(required, out) == [], out
    assert "Jordan" in out
    assert " u " not in out
    assert "[" not in out and "{" not in out
    if tone == "professional":
        assert not CONTRACTION.search(out)


def test_expand_builds_sentences_from_keywords_and_key_values() -> None:
    out = expand("price: $49 per seat; onboarding call included", "casual")
    assert out == "Hey, the price is $49 per seat. Onboarding call included."
