"""Which numbers are called: only fixed lines and mobiles in regions an admin allowed."""

from __future__ import annotations

import pytest

from frontdesk.features.telephony import (
    CountryRefused,
    NumberInvalid,
    NumberRefused,
    NumberTypeRefused,
)
from frontdesk.features.telephony.numbers import check, e164, regions

ALLOWED = {"GB", "US"}


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("+44 20 7946 0958", "+442079460958"),
        ("+44 (0)20 7946 0958", "+442079460958"),
        ("0044 7400 123456", "+447400123456"),
        ("+1 (202) 555-0147", "+12025550147"),
    ],
)
def test_ordinary_numbers_in_allowed_regions_are_normalised_to_e164(
    written: str, expected: str
) -> None:
    assert check(written, ALLOWED).e164 == expected


@pytest.mark.parametrize(
    ("written", "refusal", "says"),
    [
        ("+33 1 23 45 67 89", CountryRefused, "Calls to France (+33) are not allowed."),
        ("+1 876 555 0123", CountryRefused, "Calls to Jamaica (+1) are not allowed."),
        ("+44 7911 123456", CountryRefused, "Calls to Guernsey (+44)"),
        ("+882 16 0000 0000", CountryRefused, "Calls to +882 are not allowed."),
        ("+44 909 879 0000", NumberTypeRefused, "premium-rate"),
        ("+1 900 555 0100", NumberTypeRefused, "premium-rate"),
        ("+44 70 1234 5678", NumberTypeRefused, "personal"),
        ("+1 800 555 0199", NumberTypeRefused, "toll-free"),
        ("020 7946 0958", NumberInvalid, "international form"),
        ("+44 12", NumberInvalid, "not a valid phone number"),
        ("+", NumberInvalid, "not a phone number"),
        ("+" + "4" * 40, NumberInvalid, "too long"),
    ],
)
def test_other_numbers_are_refused_saying_why(
    written: str, refusal: type[NumberRefused], says: str
) -> None:
    with pytest.raises(refusal) as refused:
        check(written, ALLOWED)
    assert says in refused.value.message


def test_with_no_region_allowed_nothing_is_called() -> None:
    with pytest.raises(CountryRefused):
        check("+44 20 7946 0958", set())


def test_an_admins_own_numbers_need_only_be_valid() -> None:
    assert e164("+1 800 555 0199") == "+18005550199"
    with pytest.raises(NumberInvalid):
        e164("+1 555")


def test_the_region_list_names_every_region_with_its_calling_code() -> None:
    listed = {code: (name, calling_code) for code, name, calling_code in regions()}
    assert listed["GB"] == ("United Kingdom", 44)
    assert listed["JM"] == ("Jamaica", 1)
    assert len(listed) > 200
