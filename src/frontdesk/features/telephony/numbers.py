"""Which numbers may be called: parsed and typed by libphonenumber's data (`phonenumbers`),
normalised to E.164, and refused unless they are ordinary phones in a region the admin allows.

Toll fraud ("international revenue share fraud") works by making a site call numbers whose
owner is paid per minute: premium-rate and shared-cost lines, and ranges in small countries
that pay out. So only numbers libphonenumber knows as fixed lines or mobiles are called, and
only in regions an admin listed. The list is of regions (ISO 3166 codes), not calling codes:
+1 is shared by the United States, Canada and 23 Caribbean and Pacific countries and
territories, several of them frequent fraud destinations, and "allow +1" would allow them all
(+44 likewise covers Guernsey, Jersey and the Isle of Man).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import phonenumbers
from phonenumbers import PhoneNumberType

from frontdesk.core.errors import FrontdeskError

# Longest input worth parsing: E.164 is at most 15 digits; spaces, dashes and brackets
# written between them stay well under this.
MAX_INPUT_CHARS = 32

CALLABLE_TYPES = frozenset(
    {PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
)
# What the refusal says for each type that is not called.
TYPE_NAMES: dict[int, str] = {
    PhoneNumberType.PREMIUM_RATE: "premium-rate",
    PhoneNumberType.SHARED_COST: "shared-cost",
    PhoneNumberType.TOLL_FREE: "toll-free",
    PhoneNumberType.VOIP: "internet (VoIP)",
    PhoneNumberType.PERSONAL_NUMBER: "personal (forwarding)",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "company (UAN)",
    PhoneNumberType.VOICEMAIL: "voicemail",
    PhoneNumberType.UNKNOWN: "unrecognised",
}


class NumberRefused(FrontdeskError):
    """A number that is not called; the message says why, for the visitor to read."""

    status = 422
    code = "phone_number_refused"


class NumberInvalid(NumberRefused):
    code = "phone_number_invalid"


class CountryRefused(NumberRefused):
    code = "phone_country_refused"


class NumberTypeRefused(NumberRefused):
    code = "phone_number_type_refused"


@dataclass(frozen=True, slots=True)
class CheckedNumber:
    e164: str  # "+442079460958"
    region: str  # "GB"
    calling_code: int  # 44


def parse(text: str) -> phonenumbers.PhoneNumber:
    """A number written in international form ("+44 20 7946 0958"); NumberInvalid otherwise."""
    text = text.strip()
    if len(text) > MAX_INPUT_CHARS:
        raise NumberInvalid("That is too long for a phone number.")
    if not text.startswith("+") and not text.startswith("00"):
        raise NumberInvalid(
            "Write the number in international form: + and the country code, then the number."
        )
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        raise NumberInvalid("That is not a phone number.") from None
    if not phonenumbers.is_valid_number(number):
        raise NumberInvalid(
            f"{phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)}"
            " is not a valid phone number."
        )
    return number


def e164(text: str) -> str:
    """Any valid number (for the admin's own numbers: no region or type rule)."""
    return phonenumbers.format_number(parse(text), phonenumbers.PhoneNumberFormat.E164)


def check(text: str, allowed_regions: frozenset[str] | set[str] | list[str]) -> CheckedNumber:
    """The number, if it may be called under these regions; a NumberRefused saying why not."""
    number = parse(text)
    region = phonenumbers.region_code_for_number(number) or ""
    code = number.country_code or 0
    if region not in allowed_regions:
        raise CountryRefused(f"Calls to {region_label(region, code)} are not allowed.")
    kind = phonenumbers.number_type(number)
    if kind not in CALLABLE_TYPES:
        raise NumberTypeRefused(
            f"We can't call {TYPE_NAMES.get(kind, 'special')} numbers; "
            "give a landline or mobile number."
        )
    return CheckedNumber(
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), region, code
    )


def region_label(region: str, calling_code: int) -> str:
    """'United Kingdom (+44)'; '+882' for international networks with no country."""
    name = country_name(region)
    return f"{name} (+{calling_code})" if name else f"+{calling_code}"


def country_name(region: str) -> str:
    if not region or region == "001":
        return ""
    example = phonenumbers.example_number(region)
    if example is None:
        return region
    # Imported here: the geocoder's data is ~100 MB in memory, needed only for the admin's
    # country list, not by every server process that never shows it.
    from phonenumbers import geocoder

    return geocoder.country_name_for_number(example, "en") or region


@cache
def regions() -> tuple[tuple[str, str, int], ...]:
    """Every region libphonenumber knows: (ISO code, English name, calling code), by name."""
    found = [
        (region, country_name(region), phonenumbers.country_code_for_region(region))
        for region in phonenumbers.SUPPORTED_REGIONS
    ]
    return tuple(sorted(found, key=lambda item: item[1]))


def known_region(region: str) -> bool:
    return region in phonenumbers.SUPPORTED_REGIONS
