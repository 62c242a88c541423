"""Twilio's Programmable Voice REST API (the Calls resource), spoken with aiohttp.

No Twilio SDK: Frontdesk needs three things of it (create a call, update it to end it, verify
a callback's signature), each a few lines, and the SDK would bring a synchronous HTTP stack
and a large dependency tree for them.

- Create: POST {base}/2010-04-01/Accounts/{AccountSid}/Calls.json, form fields To, From,
  Url and Method (where Twilio fetches the TwiML once the phone is answered), StatusCallback,
  StatusCallbackEvent (repeated), StatusCallbackMethod, Timeout; Basic auth with the account
  SID and auth token.
- End: POST {base}/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json with
  Status=canceled (still ringing) or Status=completed (answered).
- Access Tokens for the Voice JavaScript SDK in the rep's console: a JWT (HS256) signed with
  an API key's secret, `iss` the API key SID, `sub` the account SID, a voice grant that allows
  incoming calls to `identity` (https://www.twilio.com/docs/iam/access-tokens).
- Callbacks (and the answer URL's request) carry X-Twilio-Signature: base64(HMAC-SHA1(auth token, URL + each POST parameter's
  name and value, sorted by name)), as https://www.twilio.com/docs/usage/security documents.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from xml.sax.saxutils import escape, quoteattr

import aiohttp

from frontdesk.core.errors import ValidationFailed
from frontdesk.features.telephony.provider import (
    CallbackRefused,
    LegStatus,
    ProviderError,
    StartedCall,
    StatusUpdate,
)

log = logging.getLogger("frontdesk.telephony.twilio")

DEFAULT_API_URL = "https://api.twilio.com"
SIGNATURE_HEADER = "X-Twilio-Signature"
# Twilio's CallStatus values -> a leg's status.
STATUSES: dict[str, LegStatus] = {
    "queued": "queued",
    "initiated": "queued",
    "ringing": "ringing",
    "in-progress": "in_progress",
    "completed": "completed",
    "busy": "busy",
    "no-answer": "no_answer",
    "failed": "failed",
    "canceled": "canceled",
}
CALLBACK_EVENTS = ("initiated", "ringing", "answered", "completed")


def signature(auth_token: str, url: str, params: Sequence[tuple[str, str]]) -> str:
    """X-Twilio-Signature for a request to `url` with these POST parameters: the URL, then each
    parameter's name and value, sorted by name (repeated names: by value), HMAC-SHA1 with the
    auth token, base64."""
    data = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _url_variants(url: str) -> list[str]:
    """The URL as given, without its port, and with the scheme's default port: Twilio signs the
    URL it requested, and proxies and Twilio's own tooling differ on whether :443 is written
    (its SDKs check the same three)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    userinfo = parts.netloc.rpartition("@")[0]
    prefix = userinfo + "@" if userinfo else ""
    default = 443 if parts.scheme == "https" else 80
    without = urlunsplit(parts._replace(netloc=prefix + host))
    port = parts.port if parts.port is not None else default
    with_port = urlunsplit(parts._replace(netloc=f"{prefix}{host}:{port}"))
    return list(dict.fromkeys([url, without, with_port]))


def verify(auth_token: str, url: str, params: Sequence[tuple[str, str]], given: str | None) -> bool:
    """True when `given` is the signature of this request (constant-time comparison)."""
    if not given or not auth_token:
        return False
    expected = [signature(auth_token, variant, params) for variant in _url_variants(url)]
    # Compare against every variant, always, so timing says nothing about which one matched.
    matched = False
    for candidate in expected:
        matched = hmac.compare_digest(candidate.encode(), given.encode()) or matched
    return matched


NOBODY = "Sorry, nobody could take your call. Please try again in the chat."
# DialCallStatus values for a <Dial> that never connected (Twilio then asks `action`).
DIAL_UNANSWERED = frozenset({"no-answer", "busy", "failed", "canceled"})


def _dial(caller_number: str, dialed_url: str | None) -> str:
    """<Dial ...>: from the org's caller number, 30 s to answer; `action` (asked when the
    dial ends) says sorry only when nobody answered, instead of after every call."""
    action = f' action={quoteattr(dialed_url)} method="POST"' if dialed_url else ""
    return f'<Dial callerId={quoteattr(caller_number)} timeout="30"{action}>'


def twiml_connect(
    greeting: str, caller_number: str, connect_number: str, dialed_url: str | None = None
) -> str:
    """What the answered phone leg does: say the greeting, then ring the org's line from the
    org's caller number; if nobody answers there, say so and hang up (with `dialed_url`: the
    Dial's action decides, so a call that did connect ends without the apology). Nothing is
    recorded."""
    return (
        "<Response>"
        f"<Say>{escape(greeting)}</Say>"
        f"{_dial(caller_number, dialed_url)}<Number>{escape(connect_number)}</Number></Dial>"
        + ("" if dialed_url else f"<Say>{NOBODY}</Say>")
        + "</Response>"
    )


def twiml_dialed(dial_status: str) -> str:
    """What happens when the <Dial> ended (its `action`): an apology if it never connected,
    else hang up."""
    if dial_status in DIAL_UNANSWERED:
        return f"<Response><Say>{NOBODY}</Say></Response>"
    return "<Response><Hangup/></Response>"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def access_token(
    account_sid: str,
    api_key_sid: str,
    api_key_secret: str,
    identity: str,
    *,
    now: int,
    ttl_seconds: int,
) -> str:
    """A Twilio Access Token (JWT, HS256) for the Voice JavaScript SDK: this identity may
    receive calls (`<Dial><Client>`), nothing else (no outgoing application)."""
    header = {"alg": "HS256", "typ": "JWT", "cty": "twilio-fpa;v=1"}
    payload = {
        "jti": f"{api_key_sid}-{now}",
        "iss": api_key_sid,
        "sub": account_sid,
        "iat": now,
        "nbf": now,
        "exp": now + ttl_seconds,
        "grants": {"identity": identity, "voice": {"incoming": {"allow": True}}},
    }
    signing_input = ".".join(
        _b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, payload)
    )
    mac = hmac.new(api_key_secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + _b64url(mac)


# The custom parameter the rep's console matches an incoming Twilio call against.
LEG_PARAMETER = "frontdesk_leg"


def twiml_client(
    greeting: str, caller_number: str, identity: str, leg_id: str, dialed_url: str | None = None
) -> str:
    """What the answered phone leg does when a rep is on the visitor's browser call: say the
    greeting, then ring that rep's console (a Twilio Voice client), naming the leg so the
    console accepts only this call. Nothing is recorded."""
    return (
        "<Response>"
        f"<Say>{escape(greeting)}</Say>"
        f"{_dial(caller_number, dialed_url)}"
        f"<Client><Identity>{escape(identity)}</Identity>"
        f"<Parameter name={quoteattr(LEG_PARAMETER)} value={quoteattr(leg_id)}/></Client>"
        "</Dial>" + ("" if dialed_url else f"<Say>{NOBODY}</Say>") + "</Response>"
    )


class TwilioProvider:
    name = "twilio"

    def __init__(
        self, account_sid: str, auth_token: str, *, api_url: str = DEFAULT_API_URL, timeout: float
    ) -> None:
        self._sid = account_sid
        self._token = auth_token
        self._base = f"{api_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}"
        self._timeout = timeout

    async def _post(self, path: str, form: list[tuple[str, str]] | None) -> dict[str, Any]:
        """POST the form to a path under the account (GET when there is no form)."""
        # One session per request: calls are placed a few times an hour, not per message.
        headers = {"Authorization": aiohttp.encode_basic_auth(self._sid, self._token)}
        timeout = aiohttp.ClientTimeout(total=self._timeout)
        method = "GET" if form is None else "POST"
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.request(method, self._base + path, data=form, headers=headers) as response,
            ):
                try:
                    body = await response.json(content_type=None)
                except ValueError:
                    body = None
                if response.status >= 400 or not isinstance(body, dict):
                    raise _refusal(response.status, body)
                return body
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("twilio unreachable: %r", exc)
            raise ProviderError(
                "The phone service can't be reached right now; try again in a minute."
            ) from None

    async def check_credentials(self) -> None:
        """GET the account itself: ProviderError when Twilio refuses the SID and token."""
        await self._post(".json", None)

    async def start_call(
        self, *, to: str, from_: str, answer_url: str, status_callback: str, timeout_seconds: int
    ) -> StartedCall:
        form = [
            ("To", to),
            ("From", from_),
            ("Url", answer_url),
            ("Method", "POST"),
            ("StatusCallback", status_callback),
            ("StatusCallbackMethod", "POST"),
            *(("StatusCallbackEvent", event) for event in CALLBACK_EVENTS),
            ("Timeout", str(timeout_seconds)),
        ]
        body = await self._post("/Calls.json", form)
        sid = body.get("sid")
        if not isinstance(sid, str) or not sid:
            raise ProviderError("The phone service gave an answer we could not read.")
        return StartedCall(sid, STATUSES.get(str(body.get("status")), "queued"))

    async def hang_up(self, provider_call_id: str, *, answered: bool) -> None:
        status = "completed" if answered else "canceled"
        await self._post(f"/Calls/{provider_call_id}.json", [("Status", status)])

    def read_callback(
        self, url: str, params: Sequence[tuple[str, str]], headers: Mapping[str, str]
    ) -> StatusUpdate:
        if not verify(self._token, url, params, headers.get(SIGNATURE_HEADER)):
            raise CallbackRefused("the callback's X-Twilio-Signature is missing or wrong")
        values = dict(params)
        if values.get("AccountSid") != self._sid:
            raise CallbackRefused("the callback is for another Twilio account")
        sid = values.get("CallSid", "")
        status = STATUSES.get(values.get("CallStatus", ""))
        if not sid or status is None:
            raise ValidationFailed("a status callback needs CallSid and a known CallStatus")
        duration = values.get("CallDuration")
        reason = values.get("ErrorMessage") or values.get("SipResponseCode")
        return StatusUpdate(
            provider_call_id=sid,
            status=status,
            duration_seconds=int(duration) if duration and duration.isdigit() else None,
            reason=reason or None,
        )


def _refusal(status: int, body: Any) -> ProviderError:
    """Twilio's error answer ({"code", "message", "more_info", "status"}) as a ProviderError;
    the details go to the log, the visitor gets a plain sentence."""
    code = body.get("code") if isinstance(body, dict) else None
    message = body.get("message") if isinstance(body, dict) else None
    log.warning("twilio refused: HTTP %s, code %s: %s", status, code, message)
    if status in (401, 403):
        return ProviderError(
            "The phone service refused our credentials; an admin must check them.",
            details={"provider_status": status, "provider_code": code},
        )
    return ProviderError(
        "The phone service could not place this call.",
        details={"provider_status": status, "provider_code": code, "provider_message": message},
    )
