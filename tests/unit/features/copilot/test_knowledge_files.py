"""Knowledge imports: CSV and Markdown are checked whole, with the line that is wrong."""

from __future__ import annotations

import re

import pytest

from frontdesk.core.errors import ValidationFailed
from frontdesk.features.copilot.knowledge import answer_pairs, parse_csv, parse_markdown
from frontdesk.features.copilot.text import passages, stem, words


def test_csv_of_questions_and_answers_or_of_articles() -> None:
    assert parse_csv("question,answer\nDo you do SSO?,Yes: SAML on Enterprise.\n") == [
        ("qa", "Do you do SSO?", "Do you do SSO?", "Yes: SAML on Enterprise.")
    ]
    assert parse_csv("\ufefftitle,body\nRefunds,Within 30 days.\n") == [
        ("article", "Refunds", None, "Within 30 days.")
    ]
    mixed = parse_csv("type,title,question,answer,body\nqa,,Why?,Because.,\narticle,T,,,B\n")
    assert [m[0] for m in mixed] == ["qa", "article"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,text\na,b\n", "header row with question,answer"),
        ("question,answer\nDo you do SSO?,\n", "line 2: the text (answer) is empty"),
        ("question,answer\n", "no rows"),
        ("type,question,answer\nfaq,Q?,A\n", "line 2: type must be qa or article"),
        ("title,body\n" + "x" * 301 + ",b\n", "line 2: a title is at most 300"),
    ],
)
def test_a_bad_csv_is_refused_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(ValidationFailed, match=re.escape(message)):
        parse_csv(text)


def test_markdown_headings_start_items_and_a_question_heading_is_a_qa_pair() -> None:
    items = parse_markdown(
        "# Billing\n\n## Refunds\nWithin 30 days.\n\n## Can I pay by card?\nVisa and Mastercard.\n"
    )
    assert items == [
        ("article", "Refunds", None, "Within 30 days."),
        ("qa", "Can I pay by card?", "Can I pay by card?", "Visa and Mastercard."),
    ]
    with pytest.raises(ValidationFailed, match="starts with a heading"):
        parse_markdown("Some text without a heading")
    with pytest.raises(ValidationFailed, match="no section with text"):
        parse_markdown("# Only a heading\n")


def test_long_text_is_cut_into_passages_that_each_carry_the_title() -> None:
    body = "\n\n".join(f"Paragraph {i}. " + "Words go here. " * 30 for i in range(5))
    cut = passages("Long article", body, target=600)
    assert len(cut) >= 4
    assert all(p.startswith("Long article\n") for p in cut)
    assert all(len(p) < 900 for p in cut)


def test_bm25_words_are_stemmed_without_stop_words() -> None:
    assert words("Can I get refunds for the invoices?") == ["refund", "invoice"]
    assert stem("billing") == "bill" and stem("class") == "class" and stem("policies") == "policy"


class _Message:
    def __init__(self, kind: str, body: str, internal: bool = False) -> None:
        self.author_kind, self.body, self.internal = kind, body, internal


def test_a_past_answer_is_the_visitors_question_and_the_reply_that_answered_it() -> None:
    transcript = [
        _Message("visitor", "hi"),
        _Message("rep", "Hello! How can I help?"),
        _Message("visitor", "Do you integrate with HubSpot?"),
        _Message("visitor", "and Salesforce too?"),
        _Message("rep", "note to self", internal=True),
        _Message("rep", "Yes, both sync contacts every hour in both directions."),
        _Message("visitor", "great thanks"),
    ]
    assert answer_pairs(transcript) == [  # type: ignore[arg-type]
        (
            "Do you integrate with HubSpot? and Salesforce too?",
            "Yes, both sync contacts every hour in both directions.",
        )
    ]
