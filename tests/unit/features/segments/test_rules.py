"""Segment rules: validation names the problem; evaluation puts each visitor in exactly one segment."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontdesk.features.segments.rules import (
    FIELDS,
    CompiledSegment,
    RuleError,
    RuleSet,
    choose_segment,
    parse_rules,
    rule_matches,
)


def facts(**values: Any) -> dict[str, Any]:
    base: dict[str, Any] = dict.fromkeys(FIELDS)
    base.update(
        {
            "account.target_account": False,
            "visit.paid": False,
            "visitor.verified": False,
            "visitor.returning": False,
            "visit.pages": [],
        }
    )
    base.update(values)
    return base


def test_a_target_account_rule_matches_only_target_accounts() -> None:
    rules = parse_rules(
        {"match": "all", "conditions": [{"field": "account.target_account", "op": "is_true"}]}
    )
    assert rule_matches(rules, facts(**{"account.target_account": True}))
    assert not rule_matches(rules, facts())


def test_paid_ads_rule_with_any_of_several_conditions() -> None:
    rules = parse_rules(
        {
            "match": "any",
            "conditions": [
                {"field": "visit.paid", "op": "is_true"},
                {"field": "visit.utm_source", "op": "in", "value": ["google", "linkedin"]},
            ],
        }
    )
    assert rule_matches(rules, facts(**{"visit.utm_source": "LinkedIn"}))
    assert rule_matches(rules, facts(**{"visit.paid": True}))
    assert not rule_matches(rules, facts(**{"visit.utm_source": "newsletter"}))


def test_job_seekers_are_recognised_by_any_careers_page_in_the_visit() -> None:
    rules = parse_rules(
        {"conditions": [{"field": "visit.pages", "op": "matches", "value": r"/careers(/|$)"}]}
    )
    assert rule_matches(
        rules,
        facts(**{"visit.pages": ["https://a.example/", "https://a.example/careers/engineer"]}),
    )
    assert not rule_matches(rules, facts(**{"visit.pages": ["https://a.example/pricing"]}))


def test_competitor_domain_lists_and_numbers() -> None:
    competitors = parse_rules(
        {
            "conditions": [
                {"field": "visitor.email_domain", "op": "in", "value": ["rival.com", "Other.io"]}
            ]
        }
    )
    assert rule_matches(competitors, facts(**{"visitor.email_domain": "other.io"}))
    engaged = parse_rules(
        {
            "match": "all",
            "conditions": [
                {"field": "visit.page_views", "op": "gte", "value": 3},
                {"field": "visit.time_on_site", "op": "gt", "value": 60},
            ],
        }
    )
    assert rule_matches(engaged, facts(**{"visit.page_views": 3, "visit.time_on_site": 61.0}))
    assert not rule_matches(engaged, facts(**{"visit.page_views": 3, "visit.time_on_site": 60.0}))


@pytest.mark.parametrize(
    ("rules", "words"),
    [
        (
            {"conditions": [{"field": "visitor.shoe_size", "op": "equals", "value": "42"}]},
            ["condition 1", "visitor.shoe_size", "unknown field"],
        ),
        (
            {"conditions": [{"field": "page.url", "op": "matches", "value": "(unclosed"}]},
            ["condition 1", "page.url", "bad regular expression"],
        ),
        (
            {"conditions": [{"field": "visit.page_views", "op": "gt", "value": "many"}]},
            ["condition 1", "visit.page_views", "not a number"],
        ),
        (
            {
                "conditions": [
                    {"field": "page.url", "op": "contains", "value": "/pricing"},
                    {"field": "visit.paid", "op": "gt", "value": 1},
                ]
            },
            ["condition 2", "visit.paid", "does not apply"],
        ),
        (
            {"conditions": [{"field": "visit.country", "op": "in", "value": "US"}]},
            ["condition 1", "visit.country", "list"],
        ),
        ({"match": "most", "conditions": []}, ["match"]),
    ],
)
def test_invalid_rules_are_refused_with_an_error_naming_the_condition_and_field(
    rules: dict[str, Any], words: list[str]
) -> None:
    with pytest.raises(RuleError) as refused:
        parse_rules(rules)
    message = str(refused.value)
    for word in words:
        assert word in message


# ---- properties ----------------------------------------------------------------------------

TEXT_FIELDS = [f for f, (t, _) in FIELDS.items() if t == "text" and f != "visit.pages"]
NUMBER_FIELDS = [f for f, (t, _) in FIELDS.items() if t == "number"]
BOOL_FIELDS = [f for f, (t, _) in FIELDS.items() if t == "bool"]
WORDS = st.sampled_from(["acme", "google", "cpc", "us", "de", "/pricing", "rival.com", "x"])

conditions = st.one_of(
    st.builds(
        lambda f, op, v: {"field": f, "op": op, "value": v},
        st.sampled_from(TEXT_FIELDS),
        st.sampled_from(["equals", "contains", "starts_with", "not_equals"]),
        WORDS,
    ),
    st.builds(
        lambda f, op, v: {"field": f, "op": op, "value": v},
        st.sampled_from(NUMBER_FIELDS),
        st.sampled_from(["gt", "gte", "lt", "lte", "equals"]),
        st.integers(0, 10),
    ),
    st.builds(
        lambda f, op: {"field": f, "op": op},
        st.sampled_from(BOOL_FIELDS),
        st.sampled_from(["is_true", "is_false"]),
    ),
)
rule_sets = st.builds(
    lambda m, cs: {"match": m, "conditions": cs},
    st.sampled_from(["all", "any"]),
    st.lists(conditions, min_size=1, max_size=4),
)
visitor_facts = st.fixed_dictionaries(
    {
        **{f: st.one_of(st.none(), WORDS) for f in TEXT_FIELDS},
        **{f: st.one_of(st.none(), st.integers(0, 10)) for f in NUMBER_FIELDS},
        **{f: st.booleans() for f in BOOL_FIELDS},
        "visit.pages": st.lists(WORDS, max_size=3),
    }
)


def _segments(raw_rules: list[dict[str, Any]]) -> list[CompiledSegment]:
    compiled = [CompiledSegment(f"s{i}", parse_rules(r)) for i, r in enumerate(raw_rules)]
    return [*compiled, CompiledSegment("catch-all", RuleSet("all", ()), catch_all=True)]


@settings(max_examples=300, deadline=None)
@given(st.lists(rule_sets, max_size=6), visitor_facts)
def test_every_visitor_lands_in_exactly_one_segment_and_the_first_match_in_order_wins(
    raw_rules: list[dict[str, Any]], visitor: dict[str, Any]
) -> None:
    segments = _segments(raw_rules)
    chosen = choose_segment(segments, visitor)
    matching = [s.id for s in segments if not s.catch_all and rule_matches(s.rules, visitor)]
    assert [s.id for s in segments].count(chosen) == 1
    assert chosen == (matching[0] if matching else "catch-all")


@settings(max_examples=200, deadline=None)
@given(rule_sets, visitor_facts)
def test_when_two_segments_match_the_one_listed_first_wins(
    raw: dict[str, Any], visitor: dict[str, Any]
) -> None:
    first, second = (
        CompiledSegment("first", parse_rules(raw)),
        CompiledSegment("second", parse_rules(raw)),
    )
    catch_all = CompiledSegment("catch-all", RuleSet("all", ()), catch_all=True)
    chosen = choose_segment([first, second, catch_all], visitor)
    assert chosen in ("first", "catch-all")
    assert choose_segment([second, first, catch_all], visitor) in ("second", "catch-all")
