"""Reps' calendars: read busy times from CalDAV or a private iCal feed, write booked events.

Plain WebDAV over aiohttp (a calendar-query REPORT, PUT), through the project's outbound
guard (`frontdesk.outbound`: public addresses only unless FRONTDESK_ALLOW_PRIVATE_TARGETS),
rather than the `caldav` library, which is synchronous and opens its own connections past that
guard. Recurring events (RRULE, RDATE, EXDATE, RECURRENCE-ID overrides) are expanded by
`recurring-ical-events`, never by hand; all-day and floating events are read in the rep's
zone. App passwords are stored encrypted (Fernet) with a key derived from the server secret.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import aiohttp
import icalendar
import recurring_ical_events
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from frontdesk.features.meetings.slots import Interval, merge
from frontdesk.outbound import BlockedAddress, guarded_session, literal_address_refused

FETCH_TIMEOUT = 15.0
# A calendar's whole answer (a year of a busy rep's events is well under 5 MB).
MAX_CALENDAR_BYTES = 20 * 1024 * 1024
DAV = "{DAV:}"
TIME_PROPERTIES = frozenset(
    {"DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID"}
)
CALDAV = "{urn:ietf:params:xml:ns:caldav}"


class CalendarError(Exception):
    """A calendar could not be read or written; the message is shown to admins and reps."""


# ---- app passwords, encrypted at rest ------------------------------------------------------


def _fernet(secret: str) -> Fernet:
    key = hashlib.sha256(b"calendar-secrets:" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(secrets: Sequence[str], plain: str) -> str:
    """Encrypted with the current server secret (`secrets[0]`)."""
    return MultiFernet([_fernet(s) for s in secrets]).encrypt(plain.encode()).decode()


def decrypt_secret(secrets: Sequence[str], token: str) -> str:
    """Decrypted with the current or a previous server secret (key rotation)."""
    try:
        return MultiFernet([_fernet(s) for s in secrets]).decrypt(token.encode()).decode()
    except InvalidToken:
        raise CalendarError(
            "the stored app password cannot be decrypted with the server's secret keys "
            "(was FRONTDESK_SECRET_KEY changed without keeping the old one in "
            "FRONTDESK_SECRET_KEY_PREVIOUS?); connect the calendar again"
        ) from None


# ---- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    kind: str  # caldav | ical
    url: str
    username: str | None = None
    password: str | None = None


def normalise_url(kind: str, url: str) -> str:
    url = url.strip()
    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CalendarError("the calendar URL must start with https:// (or http://, webcal://)")
    if kind == "caldav" and not url.endswith("/"):
        url += "/"  # a CalDAV calendar is a collection
    return url


def _session(source: Source, allow_private: bool) -> aiohttp.ClientSession:
    host = urlsplit(source.url).hostname or ""
    if literal_address_refused(host, allow_private):
        raise CalendarError(
            f"{host} is a private or reserved address; calendars must be on the internet "
            "(or the operator sets FRONTDESK_ALLOW_PRIVATE_TARGETS)"
        )
    headers = (
        {"Authorization": aiohttp.encode_basic_auth(source.username, source.password or "")}
        if source.username is not None
        else {}
    )
    return guarded_session(allow_private=allow_private, timeout=FETCH_TIMEOUT, headers=headers)


def _redirects(source: Source) -> bool:
    """A feed may redirect (to a CDN); a CalDAV request, which carries the password, never
    follows one: the password must not travel to another host."""
    return source.username is None


async def _read_limited(response: aiohttp.ClientResponse) -> bytes:
    body = bytearray()
    async for chunk in response.content.iter_chunked(65536):
        body.extend(chunk)
        if len(body) > MAX_CALENDAR_BYTES:
            raise CalendarError("the calendar is larger than 20 MB")
    return bytes(body)


def _http_problem(status: int, what: str) -> CalendarError:
    if status in (401, 403):
        return CalendarError(
            f"the calendar server refused the user name or app password ({status})"
        )
    if status == 404:
        return CalendarError(f"no {what} at this URL (404)")
    return CalendarError(f"the calendar server answered {status}")


def _range_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


async def fetch_calendar_texts(
    source: Source, start: datetime, end: datetime, *, allow_private: bool
) -> list[bytes]:
    """The iCalendar documents with events in [start, end): the feed, or every CalDAV object
    the server's time-range query returns (recurring ones whole, expanded by us)."""
    try:
        async with _session(source, allow_private) as http:
            if source.kind == "ical":
                async with http.get(source.url, allow_redirects=_redirects(source)) as response:
                    if response.status != 200:
                        raise _http_problem(response.status, "calendar feed")
                    return [await _read_limited(response)]
            query = (
                '<?xml version="1.0" encoding="utf-8"?>'
                '<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
                "<D:prop><C:calendar-data/></D:prop><C:filter>"
                '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
                f'<C:time-range start="{_range_text(start)}" end="{_range_text(end)}"/>'
                "</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"
            )
            async with http.request(
                "REPORT",
                source.url,
                data=query.encode(),
                headers={"Depth": "1", "Content-Type": "application/xml; charset=utf-8"},
                allow_redirects=False,
            ) as response:
                if response.status != 207:
                    raise _http_problem(response.status, "CalDAV calendar")
                body = await _read_limited(response)
    except BlockedAddress as error:
        raise CalendarError(
            f"{error}; calendars must be on the internet "
            "(or the operator sets FRONTDESK_ALLOW_PRIVATE_TARGETS)"
        ) from None
    except CalendarError:
        raise
    except TimeoutError:
        raise CalendarError(
            f"the calendar server did not answer within {FETCH_TIMEOUT:g} s"
        ) from None
    except aiohttp.ClientError as error:
        raise CalendarError(f"the calendar server cannot be reached ({error})") from None
    try:
        root = ET.fromstring(body)  # noqa: S314  (expat: no external entities, no entity bombs)
    except ET.ParseError as error:
        raise CalendarError(f"the CalDAV server's answer is not XML ({error})") from None
    return [
        (data.text or "").encode()
        for data in root.iter(f"{CALDAV}calendar-data")
        if (data.text or "").strip()
    ]


def _instant(value: Any, zone: ZoneInfo, end_of_day: bool = False) -> int:
    if isinstance(value, datetime):
        if value.tzinfo is None:  # floating time: the rep's own clock
            value = value.replace(tzinfo=zone)
        return int(value.timestamp())
    if isinstance(value, date):  # all-day: the rep's whole local day
        return int(datetime(value.year, value.month, value.day, tzinfo=zone).timestamp())
    raise CalendarError(f"an event has a start or end that is not a date or time: {value!r}")


def busy_intervals(
    texts: Sequence[bytes], time_zone: str, start: datetime, end: datetime, *, merged: bool = True
) -> list[Interval]:
    """Busy time in [start, end), merged (or, `merged=False`, every occurrence), from iCalendar documents. Free (TRANSP:TRANSPARENT)
    and cancelled events do not count; all-day and floating events are in `time_zone`."""
    zone = ZoneInfo(time_zone)
    out: list[Interval] = []
    window = (int(start.timestamp()), int(end.timestamp()))
    for text in texts:
        if not re.match(rb"\s*BEGIN:VCALENDAR", text, re.IGNORECASE):
            raise CalendarError("the calendar is not an iCalendar file (no BEGIN:VCALENDAR)")
        try:
            calendar = icalendar.Calendar.from_ical(text)
            # icalendar keeps going past a property it cannot read (and notes it); a broken
            # time or recurrence would silently drop a busy time, so it is refused instead.
            broken = [
                f"{component.name} {name}: {message}"
                for component in calendar.walk()
                for name, message in getattr(component, "errors", [])
                if name in TIME_PROPERTIES
            ]
            if broken:
                raise CalendarError(f"the calendar is not valid iCalendar ({broken[0]})")
            events = recurring_ical_events.of(calendar).between(start, end)
        except CalendarError:
            raise
        except Exception as error:
            raise CalendarError(f"the calendar is not valid iCalendar ({error})") from None
        for event in events:
            if event.name != "VEVENT":
                continue
            if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
                continue
            if str(event.get("STATUS", "")).upper() == "CANCELLED":
                continue
            dtstart = event.get("DTSTART")
            if dtstart is None:
                continue
            begin = dtstart.dt
            if event.get("DTEND") is not None:
                finish = event["DTEND"].dt
            elif event.get("DURATION") is not None:
                finish = begin + event["DURATION"].dt
            elif isinstance(begin, datetime):
                continue  # no duration: takes no time
            else:
                finish = begin + timedelta(days=1)
            s, e = _instant(begin, zone), _instant(finish, zone)
            s, e = max(s, window[0]), min(e, window[1])
            if s < e:
                out.append((s, e))
    return merge(out) if merged else sorted(out)


async def read_busy(
    source: Source, time_zone: str, start: datetime, end: datetime, *, allow_private: bool
) -> list[Interval]:
    texts = await fetch_calendar_texts(source, start, end, allow_private=allow_private)
    # Expanding a big calendar is CPU work (bench/meeting_slots.py: about 2 s for 2,000 events
    # in 60 days): in a thread, so the event loop keeps serving sockets meanwhile.
    return await asyncio.to_thread(busy_intervals, texts, time_zone, start, end)


# ---- writing (CalDAV only) -----------------------------------------------------------------


def event_href(source: Source, uid: str) -> str:
    return urljoin(source.url, re.sub(r"[^A-Za-z0-9@._-]", "_", uid) + ".ics")


async def put_event(source: Source, href: str, ics: bytes, *, allow_private: bool) -> None:
    """Create or replace the event at `href` in the rep's CalDAV calendar."""
    try:
        async with (
            _session(source, allow_private) as http,
            http.put(
                href,
                data=ics,
                headers={"Content-Type": "text/calendar; charset=utf-8"},
                allow_redirects=False,
            ) as response,
        ):
            if response.status not in (200, 201, 204):
                raise _http_problem(response.status, "CalDAV calendar")
    except BlockedAddress as error:
        raise CalendarError(str(error)) from None
    except TimeoutError:
        raise CalendarError(
            f"the calendar server did not answer within {FETCH_TIMEOUT:g} s"
        ) from None
    except aiohttp.ClientError as error:
        raise CalendarError(f"the calendar server cannot be reached ({error})") from None


async def delete_event(source: Source, href: str, *, allow_private: bool) -> None:
    try:
        async with (
            _session(source, allow_private) as http,
            http.delete(href, allow_redirects=False) as response,
        ):
            if response.status not in (200, 204, 404):
                raise _http_problem(response.status, "event")
    except BlockedAddress as error:
        raise CalendarError(str(error)) from None
    except (TimeoutError, aiohttp.ClientError) as error:
        raise CalendarError(f"the calendar server cannot be reached ({error})") from None
