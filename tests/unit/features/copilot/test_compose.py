"""Offline Expand with knowledge: a source sentence takes a note's place only when it says all
of the note (its words, numbers, names and negation); a note naming a source's subject brings
the source's answer; everything else is the rep's own notes."""

from __future__ import annotations

from frontdesk.features.copilot.compose import SourceText, compose, usable
from frontdesk.features.copilot.text import sentences

REFUND = (
    "If Tidewater is not right for you, we refund the full amount of your first payment when "
    "you ask within 30 days of it. Later payments are not refunded, but you can cancel at any "
    "time. Write to billing@tidewater.example to ask for a refund."
)
FEES = "There is a setup fee of $500 on Enterprise. Onboarding takes two weeks."


def source(title: str, body: str, question: str | None = None) -> SourceText:
    every = tuple(sentences(body))
    return SourceText(title.lower(), title, question, every, every)


def test_a_sentence_that_says_all_of_a_note_takes_its_place() -> None:
    out = compose("yes\nwithin 30 days\nemail billing", [source("Refund policy", REFUND)])
    assert out.body == [
        "Yes.",
        "If Tidewater is not right for you, we refund the full amount of your first payment "
        "when you ask within 30 days of it.",
        "Email billing.",
    ]
    assert [s.title for s in out.sources] == ["Refund policy"]
    assert out.quoted == [out.body[1]]


def test_a_sentence_with_another_number_never_replaces_the_notes_number() -> None:
    out = compose("refund within 14 days", [source("Refund policy", REFUND)])
    assert out.body == ["Refund within 14 days."] and out.sources == []


def test_a_negated_note_is_never_replaced_by_a_sentence_that_says_the_opposite() -> None:
    out = compose("no setup fee", [source("Fees", FEES)])
    assert out.body == ["No setup fee."] and out.sources == []
    # and the other way round: "refund" is not answered by "payments are not refunded"
    out = compose("later payments refunded", [source("Refund policy", REFUND)])
    assert out.body == ["Later payments refunded."]


def test_a_note_naming_the_subject_brings_the_sources_answer() -> None:
    out = compose("refund policy", [source("Refund policy", REFUND)])
    assert out.body == sentences(REFUND)
    faq = source("Do you offer SSO?", "Yes, with SAML on Enterprise.", "Do you offer SSO?")
    assert compose("sso", [faq]).body == ["Yes, with SAML on Enterprise."]


def test_a_sentence_already_quoted_is_not_repeated_and_covers_later_notes() -> None:
    out = compose("refund policy\nwithin 30 days", [source("Refund policy", REFUND)])
    assert out.body == sentences(REFUND)


def test_shortcut_variables_greetings_and_closings_are_never_quoted() -> None:
    shortcut = source(
        "/trial",
        "Hi {visitor.first_name}! Every plan starts with a 14-day free trial. Thanks!",
    )
    out = compose("trial", [shortcut])
    assert out.body == ["Every plan starts with a 14-day free trial."]
    assert not usable("Hello there!") and not usable("Thanks so much!")
    assert not usable("Your code is #code#.")


def test_with_nothing_that_fits_the_message_is_the_notes_alone() -> None:
    out = compose("call tomorrow at 3pm w/ Priya", [source("Fees", FEES)])
    assert out.body == ["Call tomorrow at 3pm with Priya."] and out.sources == []
    assert compose("call tomorrow", []).body == ["Call tomorrow."]
