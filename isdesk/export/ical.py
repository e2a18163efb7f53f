"""Appointments as an iCalendar file (RFC 5545) that Outlook and Google Calendar open."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from icalendar import Calendar, Event

from isdesk.services.appointments import AppointmentRecord

PRODID = "-//isdesk//inside sales//JA"


def appointments_ics(appointments: Sequence[AppointmentRecord], *, domain: str = "isdesk") -> bytes:
    """One VEVENT per appointment, UTC times, a stable UID so a re-export updates, not adds."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    for a in appointments:
        event = Event()
        event.add("uid", f"appointment-{a.id}@{domain}")
        event.add("dtstamp", dt.datetime.now(dt.UTC))
        start = a.starts_at.astimezone(dt.UTC)
        event.add("dtstart", start)
        event.add("dtend", start + dt.timedelta(minutes=a.minutes))
        summary = f"{a.company} {a.contact}".strip()
        event.add("summary", f"商談: {summary}" if summary else "商談")
        if a.place:
            event.add("location", a.place)
            if a.place.startswith(("http://", "https://")):
                event.add("url", a.place)
        lines = [f"会社: {a.company}", f"担当者: {a.contact}", f"電話: {a.phone}"]
        lines += [f"アポ設定: {a.operator}", f"同席: {a.attendee}"]
        if a.note:
            lines.append(a.note)
        event.add("description", "\n".join(lines))
        if a.attendee_email:
            event.add("attendee", f"mailto:{a.attendee_email}")
        cal.add_component(event)
    return cal.to_ical()
