"""A local stand-in for Twilio's REST API (the Calls resource) and its status callbacks.

It answers like Twilio does (the JSON of a Call resource, Twilio's error bodies, HTTP Basic
auth with the account SID and auth token), records every request, and plays the phone
network's part: `send_status` POSTs a status callback to the StatusCallback URL a call was
created with, signed with X-Twilio-Signature as Twilio documents it. The signature is computed
here on its own, not with Frontdesk's code, so the two implementations check each other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import parse_qsl

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

API_VERSION = "2010-04-01"


def twilio_signature(auth_token: str, url: str, params: list[tuple[str, str]]) -> str:
    """https://www.twilio.com/docs/usage/security: the URL, then every POST parameter's name
    and value sorted by name, HMAC-SHA1 keyed with the auth token, base64."""
    payload = url
    for name in sorted({name for name, _ in params}):
        for value in sorted(value for key, value in params if key == name):
            payload += name + value
    mac = hmac.new(auth_token.encode("utf-8"), payload.encode("utf-8"), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode("ascii")


@dataclass
class Recorded:
    method: str
    path: str
    form: list[tuple[str, str]]
    auth: tuple[str, str] | None

    def value(self, name: str) -> str | None:
        return next((v for k, v in self.form if k == name), None)

    def values(self, name: str) -> list[str]:
        return [v for k, v in self.form if k == name]


@dataclass
class FakeCall:
    sid: str
    account_sid: str
    to: str
    from_: str
    status_callback: str | None
    # Where Twilio asks for the TwiML once the phone is answered (the Url parameter).
    answer_url: str | None = None
    # The TwiML the answer URL gave (what Twilio would now do).
    twiml: str | None = None
    status: str = "queued"
    sequence: int = 0


@dataclass
class FakeTwilio:
    """Accounts it knows: {account SID: auth token}."""

    accounts: dict[str, str]
    requests: list[Recorded] = field(default_factory=list)
    calls: dict[str, FakeCall] = field(default_factory=dict)
    # Set to make the next Calls.json answer an error (HTTP status, Twilio code, message).
    fail_next: tuple[int, int, str] | None = None
    server: TestServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.port}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get(f"/{API_VERSION}/Accounts/{{account}}.json", self._account)
        app.router.add_post(f"/{API_VERSION}/Accounts/{{account}}/Calls.json", self._create)
        app.router.add_post(f"/{API_VERSION}/Accounts/{{account}}/Calls/{{sid}}.json", self._update)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.close()

    # ---- the REST API ----------------------------------------------------------------------

    async def _record(self, request: web.Request) -> Recorded:
        form = parse_qsl((await request.read()).decode(), keep_blank_values=True)
        auth = None
        header = request.headers.get("Authorization", "")
        if header.startswith("Basic "):
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
            auth = (user, password)
        recorded = Recorded(request.method, request.path, form, auth)
        self.requests.append(recorded)
        return recorded

    def _authenticated(self, request: web.Request, recorded: Recorded) -> bool:
        account = request.match_info["account"]
        return (
            recorded.auth is not None
            and recorded.auth[0] == account
            and self.accounts.get(account) == recorded.auth[1]
        )

    @staticmethod
    def _error(status: int, code: int, message: str) -> web.Response:
        return web.json_response(
            {
                "code": code,
                "message": message,
                "more_info": f"https://www.twilio.com/docs/errors/{code}",
                "status": status,
            },
            status=status,
        )

    def _call_json(self, call: FakeCall) -> dict[str, object]:
        now = format_datetime(datetime.now(UTC), usegmt=True).replace("GMT", "+0000")
        base = f"/{API_VERSION}/Accounts/{call.account_sid}/Calls/{call.sid}"
        return {
            "account_sid": call.account_sid,
            "annotation": None,
            "answered_by": None,
            "api_version": API_VERSION,
            "caller_name": None,
            "date_created": now,
            "date_updated": now,
            "direction": "outbound-api",
            "duration": None,
            "end_time": None,
            "forwarded_from": None,
            "from": call.from_,
            "from_formatted": call.from_,
            "group_sid": None,
            "parent_call_sid": None,
            "phone_number_sid": "PN" + "0" * 32,
            "price": None,
            "price_unit": "USD",
            "sid": call.sid,
            "start_time": None,
            "status": call.status,
            "subresource_uris": {"recordings": base + "/Recordings.json"},
            "to": call.to,
            "to_formatted": call.to,
            "trunk_sid": None,
            "uri": base + ".json",
            "queue_time": "0",
        }

    async def _account(self, request: web.Request) -> web.Response:
        recorded = await self._record(request)
        if not self._authenticated(request, recorded):
            return self._error(401, 20003, "Authenticate")
        sid = request.match_info["account"]
        return web.json_response(
            {
                "sid": sid,
                "friendly_name": "Frontdesk test account",
                "status": "active",
                "type": "Full",
                "owner_account_sid": sid,
                "uri": f"/{API_VERSION}/Accounts/{sid}.json",
            }
        )

    async def _create(self, request: web.Request) -> web.Response:
        recorded = await self._record(request)
        if not self._authenticated(request, recorded):
            return self._error(401, 20003, "Authenticate")
        if self.fail_next is not None:
            status, code, message = self.fail_next
            self.fail_next = None
            return self._error(status, code, message)
        to, from_ = recorded.value("To"), recorded.value("From")
        if not to or not from_:
            return self._error(400, 21201, "No 'To' number is specified")
        if not recorded.value("Url") and not recorded.value("Twiml"):
            return self._error(400, 21205, "Url parameter is required.")
        call = FakeCall(
            sid="CA" + secrets.token_hex(16),
            account_sid=request.match_info["account"],
            to=to,
            from_=from_,
            status_callback=recorded.value("StatusCallback"),
            answer_url=recorded.value("Url"),
        )
        self.calls[call.sid] = call
        return web.json_response(self._call_json(call), status=201)

    async def _update(self, request: web.Request) -> web.Response:
        recorded = await self._record(request)
        if not self._authenticated(request, recorded):
            return self._error(401, 20003, "Authenticate")
        call = self.calls.get(request.match_info["sid"])
        if call is None or call.account_sid != request.match_info["account"]:
            return self._error(404, 20404, "The requested resource was not found")
        status = recorded.value("Status")
        if status not in ("canceled", "completed"):
            return self._error(400, 21218, "Invalid value for Status")
        call.status = status
        return web.json_response(self._call_json(call))

    # ---- the phone network's side: status callbacks ----------------------------------------

    def callback_params(
        self, call: FakeCall, status: str, duration: int | None = None
    ) -> list[tuple[str, str]]:
        call.sequence += 1
        params = [
            ("AccountSid", call.account_sid),
            ("ApiVersion", API_VERSION),
            ("CallSid", call.sid),
            ("CallStatus", status),
            ("CallbackSource", "call-progress-events"),
            ("Called", call.to),
            ("Caller", call.from_),
            ("Direction", "outbound-api"),
            ("From", call.from_),
            ("SequenceNumber", str(call.sequence)),
            ("Timestamp", format_datetime(datetime.now(UTC), usegmt=True)),
            ("To", call.to),
        ]
        if duration is not None:
            params += [("CallDuration", str(duration)), ("Duration", str(max(1, duration // 60)))]
        return params

    async def post_callback(
        self,
        url: str,
        params: list[tuple[str, str]],
        signature: str | None,
    ) -> int:
        """POST a callback as Twilio would (form-encoded); the HTTP status Frontdesk answered."""
        headers = {"User-Agent": "TwilioProxy/1.1"}
        if signature is not None:
            headers["X-Twilio-Signature"] = signature
        async with (
            aiohttp.ClientSession() as session,
            session.post(url, data=params, headers=headers) as response,
        ):
            await response.read()
            return response.status

    async def send_status(self, call_sid: str, status: str, *, duration: int | None = None) -> int:
        """The call's status changed on the phone network: tell Frontdesk, signed."""
        call = self.calls[call_sid]
        assert call.status_callback is not None
        call.status = status
        params = self.callback_params(call, status, duration)
        token = self.accounts[call.account_sid]
        return await self.post_callback(
            call.status_callback, params, twilio_signature(token, call.status_callback, params)
        )

    async def answer(self, call_sid: str, *, signed: bool = True) -> tuple[int, str]:
        """The visitor picked up: ask the call's Url what to do, as Twilio does (a signed
        form POST with the call's parameters, CallStatus in-progress). (HTTP status, body)."""
        call = self.calls[call_sid]
        assert call.answer_url is not None
        call.status = "in-progress"
        params = self.callback_params(call, "in-progress")
        params = [(k, v) for k, v in params if k != "CallbackSource"]
        token = self.accounts[call.account_sid]
        headers = {"User-Agent": "TwilioProxy/1.1"}
        if signed:
            headers["X-Twilio-Signature"] = twilio_signature(token, call.answer_url, params)
        async with (
            aiohttp.ClientSession() as session,
            session.post(call.answer_url, data=params, headers=headers) as response,
        ):
            text = await response.text()
            if response.status == 200:
                call.twiml = text
            return response.status, text

    async def dial_ended(
        self, call_sid: str, dial_status: str, *, signed: bool = True
    ) -> tuple[int, str]:
        """The <Dial> of the answered call's TwiML ended (the rep's client or the org's line
        answered and hung up, or never answered): ask its `action`, as Twilio does."""
        call = self.calls[call_sid]
        assert call.twiml is not None
        found = re.search(r'<Dial [^>]*action="([^"]+)"', call.twiml)
        assert found, call.twiml
        action = found.group(1).replace("&amp;", "&")
        params = [
            *self.callback_params(call, "in-progress"),
            ("DialCallStatus", dial_status),
            ("DialCallSid", "CA" + secrets.token_hex(16)),
            ("DialCallDuration", "12" if dial_status == "completed" else "0"),
        ]
        params = [(k, v) for k, v in params if k != "CallbackSource"]
        headers = {"User-Agent": "TwilioProxy/1.1"}
        if signed:
            token = self.accounts[call.account_sid]
            headers["X-Twilio-Signature"] = twilio_signature(token, action, params)
        async with (
            aiohttp.ClientSession() as session,
            session.post(action, data=params, headers=headers) as response,
        ):
            return response.status, await response.text()

    def created_calls(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith("/Calls.json")]
