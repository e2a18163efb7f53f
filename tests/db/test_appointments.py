"""Appointments: booked with their activity in one transaction, listed by range, and written
as an iCalendar file that calendar programs read back (both backends)."""

from __future__ import annotations

import datetime as dt

import pytest
from icalendar import Calendar

from isdesk.export.ical import appointments_ics
from isdesk.services.activities import ActivityError
from isdesk.services.appointments import AppointmentInput, appointments_between, book_appointment
from isdesk.store.calls import Appointment
from isdesk.store.models import Activity, Lead
from tests.support import factories as f

JST = dt.timezone(dt.timedelta(hours=9))


def test_an_appointment_is_booked_listed_and_exported_as_ical(db) -> None:
    me = f.operator("sato", display="佐藤")
    field = f.operator("kato@example.com", team="field", role="field", display="加藤")
    lead_id = f.lead(me, company="株式会社テスト", contact="田中 一郎")
    start = dt.datetime(2026, 12, 10, 15, 0, tzinfo=JST)
    booked = book_appointment(
        me,
        lead_id,
        AppointmentInput(start, 90, field.id, "https://meet.example.com/abc", "デモ希望"),
    )
    assert (booked.attendee, booked.minutes, booked.company) == ("加藤", 90, "株式会社テスト")
    with db.connection_context():
        activity = Activity.get(Activity.lead == lead_id)
        lead = Lead.get_by_id(lead_id)
        row = Appointment.get_by_id(booked.id)
    assert activity.kind == "appointment" and row.activity_id == activity.id
    assert lead.next_action_at == start.astimezone(dt.UTC)  # the meeting is the next step

    found = appointments_between(start - dt.timedelta(hours=1), start + dt.timedelta(hours=1))
    assert [a.id for a in found] == [booked.id]
    assert appointments_between(start + dt.timedelta(hours=1), start + dt.timedelta(days=1)) == ()

    cal = Calendar.from_ical(appointments_ics(found))
    (event,) = cal.walk("VEVENT")
    assert event.decoded("dtstart") == start.astimezone(dt.UTC)
    assert event.decoded("dtend") - event.decoded("dtstart") == dt.timedelta(minutes=90)
    assert "株式会社テスト" in str(event["summary"])
    assert str(event["location"]) == "https://meet.example.com/abc"
    assert str(event["attendee"]) == "mailto:kato@example.com"
    assert str(event["uid"]) == f"appointment-{booked.id}@isdesk"


def test_an_appointment_nobody_could_attend_is_refused_and_nothing_written(db) -> None:
    me = f.operator("sato")
    lead_id = f.lead(me)
    start = dt.datetime(2026, 12, 10, 15, 0, tzinfo=JST)
    with pytest.raises(ActivityError, match="minutes"):
        book_appointment(me, lead_id, AppointmentInput(start, 0))
    with db.connection_context():
        assert Activity.select().count() == 0 and Appointment.select().count() == 0
