"""X-Twilio-Signature, checked against the values Twilio publishes for its request validator
(https://www.twilio.com/docs/usage/security and the test suites of its official SDKs)."""

from __future__ import annotations

import pytest

from frontdesk.features.telephony import CallbackRefused, TwilioProvider
from frontdesk.features.telephony.twilio import signature, twiml_connect, verify

TOKEN = "12345"
URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
PARAMS = [
    ("CallSid", "CA1234567890ABCDE"),
    ("Caller", "+14158675309"),
    ("Digits", "1234"),
    ("From", "+14158675309"),
    ("To", "+18005551212"),
]
EXPECTED = "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_the_documented_example_signs_to_the_documented_value() -> None:
    assert signature(TOKEN, URL, PARAMS) == EXPECTED
    # The order the parameters arrive in does not matter: they are sorted by name.
    assert signature(TOKEN, URL, list(reversed(PARAMS))) == EXPECTED


def test_repeated_parameter_names_are_sorted_by_value_too() -> None:
    params = [("Sid", "CA123"), ("SidAccount", "AC123"), ("Digits", "5678"), ("Digits", "1234")]
    assert signature(TOKEN, URL, params) == "IK+Dwps556ElfBT0I3Rgjkr1wJU="


@pytest.mark.parametrize(
    ("url", "given"),
    [
        (URL, EXPECTED),
        # Twilio may have signed the URL with or without the scheme's port.
        (URL.replace(".com", ".com:1234"), EXPECTED),
        (URL, "kvajT1Ptam85bY51eRf/AJRuM3w="),  # signed with :443
        (URL.replace("https", "http"), "0ZXoZLH/DfblKGATFgpif+LLRf4="),  # signed with :80
        (
            URL.replace(".com", ".com:1234").replace("https", "http"),
            "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=",  # signed with :1234
        ),
    ],
)
def test_a_genuine_signature_verifies(url: str, given: str) -> None:
    assert verify(TOKEN, url, PARAMS, given)


@pytest.mark.parametrize(
    "given",
    [None, "", "RSOYDt4T1cUTdK1PDd93/VVr8B8", "rsoydt4t1cutdk1pdd93/vvr8b8=", EXPECTED + " "],
)
def test_a_missing_or_altered_signature_does_not(given: str | None) -> None:
    assert not verify(TOKEN, URL, PARAMS, given)


def test_a_signature_covers_the_token_the_url_and_every_parameter() -> None:
    assert not verify("54321", URL, PARAMS, EXPECTED)
    assert not verify(TOKEN, URL + "&baz=3", PARAMS, EXPECTED)
    assert not verify(TOKEN, URL, [*PARAMS, ("CallStatus", "completed")], EXPECTED)
    assert not verify(
        TOKEN, URL, [(k, v + "0") if k == "To" else (k, v) for k, v in PARAMS], EXPECTED
    )
    assert not verify("", URL, PARAMS, signature("", URL, PARAMS))  # no token, no trust


def test_a_callback_is_read_only_when_signed_for_this_account() -> None:
    sid = "AC" + "0" * 32
    provider = TwilioProvider(sid, "t" * 32, timeout=1)
    url = "https://frontdesk.example/api/telephony/twilio/o/legs/l/status"
    params = [
        ("AccountSid", sid),
        ("CallSid", "CA" + "1" * 32),
        ("CallStatus", "completed"),
        ("CallDuration", "42"),
    ]
    signed = {"X-Twilio-Signature": signature("t" * 32, url, params)}
    update = provider.read_callback(url, params, signed)
    assert (update.status, update.duration_seconds) == ("completed", 42)
    with pytest.raises(CallbackRefused):
        provider.read_callback(url, params, {})
    other = [("AccountSid", "AC" + "9" * 32), *params[1:]]
    with pytest.raises(CallbackRefused):
        provider.read_callback(url, other, {"X-Twilio-Signature": signature("t" * 32, url, other)})


def test_the_answered_leg_says_the_greeting_and_dials_the_sales_line_escaped() -> None:
    twiml = twiml_connect('Hi from <Acme & "Sons">', "+12125550100", "+442079460958")
    assert twiml == (
        '<Response><Say>Hi from &lt;Acme &amp; "Sons"&gt;</Say>'
        '<Dial callerId="+12125550100" timeout="30"><Number>+442079460958</Number></Dial>'
        "<Say>Sorry, nobody could take your call. Please try again in the chat.</Say>"
        "</Response>"
    )
