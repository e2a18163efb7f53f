"""Appointments set during a call: one transaction writes the activity and the appointment.

The appointment is what field sales attend: its start, length, attendee and place (or an
online URL). ``appointments_between`` lists them for ``isdesk export appointments`` and the
iCalendar file (isdesk.export.ical).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from isdesk.services.activities import ActivityError, ActivityInput, log_activity
from isdesk.services.operators import Actor
from isdesk.store.calls import Appointment
from isdesk.store.db import current_database
from isdesk.store.models import Lead, Operator

MAX_MINUTES = 8 * 60


@dataclass(frozen=True)
class AppointmentInput:
    starts_at: dt.datetime  # aware
    minutes: int = 60
    attendee_id: int | None = None  # the field user who attends
    place: str = ""  # an address, a room or an online meeting URL
    note: str = ""


@dataclass(frozen=True)
class AppointmentRecord:
    id: int
    lead_id: int
    company: str
    contact: str
    phone: str
    operator: str
    attendee: str
    attendee_email: str
    starts_at: dt.datetime
    minutes: int
    place: str
    note: str


def validate_appointment(entry: AppointmentInput) -> None:
    """Refuse an appointment nobody could attend, with what to change."""
    if entry.starts_at.tzinfo is None:
        raise ActivityError("the appointment's start needs a time zone")
    if not 5 <= entry.minutes <= MAX_MINUTES:
        raise ActivityError(f"length: between 5 and {MAX_MINUTES} minutes")
    if len(entry.place) > 500 or len(entry.note) > 2000:
        raise ActivityError("place or note too long")


def book_appointment(actor: Actor, lead_id: int, entry: AppointmentInput) -> AppointmentRecord:
    """Log the appointment activity (follow-up: the meeting itself) and the appointment."""
    validate_appointment(entry)
    db = current_database()
    with db.connection_context(), db.atomic():
        logged = log_activity(
            actor,
            lead_id,
            ActivityInput(
                kind="appointment",
                note=entry.note,
                next_action_at=entry.starts_at,
                next_action="next:appointment",  # isdesk.i18n.next_action_code
            ),
        )
        row = Appointment.create(
            lead=lead_id,
            operator=actor.id,
            attendee=entry.attendee_id,
            starts_at=entry.starts_at,
            minutes=entry.minutes,
            place=entry.place,
            note=entry.note,
            activity=logged.id,
        )
        return _records(Appointment.select().where(Appointment.id == row.id))[0]


def appointments_between(start: dt.datetime, end: dt.datetime) -> tuple[AppointmentRecord, ...]:
    """Appointments starting in [start, end) that the caller may read, in time order."""
    db = current_database()
    with db.connection_context():
        query = (
            Appointment.select()
            .where((Appointment.starts_at >= start) & (Appointment.starts_at < end))
            .order_by(Appointment.starts_at, Appointment.id)
        )
        return _records(query)


def _records(query) -> tuple[AppointmentRecord, ...]:
    rows = list(query)
    lead_ids = {r.lead_id for r in rows}
    people = {r.operator_id for r in rows} | {r.attendee_id for r in rows if r.attendee_id}
    leads = {lead.id: lead for lead in Lead.select().where(Lead.id.in_(lead_ids))} if rows else {}
    names = {o.id: o for o in Operator.select().where(Operator.id.in_(people))} if people else {}
    out = []
    for r in rows:
        lead = leads.get(r.lead_id)
        attendee = names.get(r.attendee_id) if r.attendee_id else None
        operator = names.get(r.operator_id)
        out.append(
            AppointmentRecord(
                id=r.id,
                lead_id=r.lead_id,
                company=lead.company if lead else "",
                contact=lead.contact if lead else "",
                phone=lead.phone if lead else "",
                operator=operator.display_name if operator else "",
                attendee=attendee.display_name if attendee else "",
                attendee_email=attendee.name if attendee and "@" in attendee.name else "",
                starts_at=r.starts_at,
                minutes=r.minutes,
                place=r.place,
                note=r.note,
            )
        )
    return tuple(out)
