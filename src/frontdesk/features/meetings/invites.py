"""Calendar invitations: the iCalendar event (built with `icalendar`), the emails that carry it
as METHOD:REQUEST or METHOD:CANCEL, and the signed links to cancel or reschedule."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from zoneinfo import ZoneInfo

import icalendar


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class EventDetails:
    uid: str
    sequence: int
    title: str
    description: str
    location: str
    start: datetime
    end: datetime
    # The zone DTSTART/DTEND are written in (the owner's), with its VTIMEZONE.
    time_zone: str
    organizer: Person
    reps: Sequence[Person]  # the owner first
    visitor: Person
    cancelled: bool
    stamp: datetime


def _attendee(person: Person, *, partstat: str, rsvp: bool) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{person.email}")
    address.params["CN"] = person.name
    address.params["ROLE"] = "REQ-PARTICIPANT"
    address.params["PARTSTAT"] = partstat
    address.params["CUTYPE"] = "INDIVIDUAL"
    if rsvp:
        address.params["RSVP"] = "TRUE"
    return address


def build_calendar(details: EventDetails, method: str | None) -> bytes:
    """The VCALENDAR with one VEVENT. `method`: REQUEST or CANCEL for email (iTIP); None for
    the object stored in a CalDAV calendar (which must not carry a METHOD)."""
    zone = ZoneInfo(details.time_zone)
    calendar = icalendar.Calendar()
    calendar.add("PRODID", "-//Frontdesk//Meeting booker//EN")
    calendar.add("VERSION", "2.0")
    if method:
        calendar.add("METHOD", method)
    event = icalendar.Event()
    event.add("UID", details.uid)
    event.add("SEQUENCE", details.sequence)
    event.add("DTSTAMP", details.stamp)
    event.add("DTSTART", details.start.astimezone(zone))
    event.add("DTEND", details.end.astimezone(zone))
    event.add("SUMMARY", details.title)
    if details.description:
        event.add("DESCRIPTION", details.description)
    if details.location:
        event.add("LOCATION", details.location)
    event.add("STATUS", "CANCELLED" if details.cancelled else "CONFIRMED")
    event.add("TRANSP", "OPAQUE")
    organizer = icalendar.vCalAddress(f"mailto:{details.organizer.email}")
    organizer.params["CN"] = details.organizer.name
    event.add("ORGANIZER", organizer)
    for index, rep in enumerate(details.reps):
        event.add(
            "ATTENDEE",
            _attendee(rep, partstat="ACCEPTED" if index == 0 else "NEEDS-ACTION", rsvp=index > 0),
        )
    event.add("ATTENDEE", _attendee(details.visitor, partstat="NEEDS-ACTION", rsvp=True))
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def invitation_email(
    *,
    details: EventDetails,
    method: str,
    mail_from: str,
    to: Sequence[Person],
    subject: str,
    text: str,
) -> EmailMessage:
    """An email Gmail, Outlook and Apple Calendar show as an invitation: the text, the event
    as a text/calendar alternative with the METHOD, and the same as an invite.ics attachment."""
    ics = build_calendar(details, method).decode()
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = ", ".join(formataddr((p.name, p.email)) for p in to)
    message["Subject"] = subject
    message["Reply-To"] = formataddr((details.organizer.name, details.organizer.email))
    message["Message-ID"] = make_msgid(domain="frontdesk.invalid")
    message.set_content(text)
    message.add_alternative(ics, subtype="calendar", params={"method": method})
    message.add_attachment(
        ics.encode(),
        maintype="application",
        subtype="ics",
        filename="invite.ics" if method == "REQUEST" else "cancel.ics",
    )
    return message


# ---- signed links --------------------------------------------------------------------------


def _link_key(secret: str) -> bytes:
    return hashlib.sha256(b"meeting-links:" + secret.encode()).digest()


def link_signature(secret: str, meeting_id: str, action: str) -> str:
    digest = hmac.new(_link_key(secret), f"{action}:{meeting_id}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:18]).decode()


def link_signature_valid(
    secrets: Sequence[str], meeting_id: str, action: str, signature: str
) -> bool:
    """Signed with the current server secret or a previous one (key rotation)."""
    return any(
        hmac.compare_digest(link_signature(secret, meeting_id, action), signature)
        for secret in secrets
    )
