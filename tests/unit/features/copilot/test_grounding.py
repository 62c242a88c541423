"""A model's text is shown only when it passes the checks."""

from __future__ import annotations

import pytest

from frontdesk.features.copilot.grounding import CHECK_BACK, check_answer, check_rewrite

PASSAGES = [
    "Refund policy\nWe refund the full amount of your first payment when you ask within 30 days.",
    "Payment methods\nWe accept Visa, Mastercard and SEPA direct debit. See https://tidewater.example/pay",
]
ORIGINS = ["https://www.tidewater.example"]


def test_a_grounded_answer_with_citations_passes() -> None:
    answer = "Yes: we refund your first payment in full if you ask within 30 days [1]."
    assert check_answer(answer, PASSAGES, "Can I get a refund?", ORIGINS) is None
    assert check_answer(CHECK_BACK, PASSAGES, "Office in Tokyo?", ORIGINS) is None


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("We refund within 60 days [1].", "the number 60 is not in the sources"),
        ("Yes, Stripe handles refunds within 30 days [1].", "the name 'Stripe'"),
        ("Hi [Name], refunds are within 30 days [1].", "placeholder"),
        ("See https://evil.example/refund for refunds within 30 days [1].", "evil.example"),
        ("Refunds are within 30 days.", "cites no source"),
        ("Refunds are within 30 days [3].", "not given"),
    ],
)
def test_an_answer_that_goes_beyond_the_passages_is_refused(answer: str, reason: str) -> None:
    problem = check_answer(answer, PASSAGES, "Can I get a refund?", ORIGINS)
    assert problem is not None and reason in problem


def test_a_rewrite_must_keep_numbers_and_names_and_add_no_link() -> None:
    notes = "Growth $99/month, Priya calls on 12 March"
    keep = {"$99", "Priya", "12", "March"}
    ok = "Hi! Growth is $99/month, and Priya will call you on 12 March."
    assert check_rewrite(ok, notes, ORIGINS, must_keep=keep) is None
    lost = check_rewrite("Hi! Growth is cheap and Priya will call.", notes, ORIGINS, must_keep=keep)
    assert lost is not None and "lost" in lost
    added = check_rewrite(
        "Growth is $99/month; Priya calls on 12 March. Book: https://cal.example/x",
        notes,
        ORIGINS,
        must_keep=keep,
    )
    assert added is not None and "link" in added
