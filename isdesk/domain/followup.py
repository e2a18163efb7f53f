"""Follow-up dates the operator picks in one key after a call (pure)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from isdesk.domain.kpi import is_working_day
from isdesk.rules import CalendarRules

FOLLOW_UP_HOUR = 10  # a follow-up lands at 10:00 local time: the first calling hour


@dataclass(frozen=True)
class FollowUpChoice:
    key: str  # "tomorrow" | "plus3" | "next_week" | "none"
    day: dt.date | None


def _next_working_day(day: dt.date, cal: CalendarRules) -> dt.date:
    day += dt.timedelta(days=1)
    while not is_working_day(day, cal):
        day += dt.timedelta(days=1)
    return day


def follow_up_choices(today: dt.date, cal: CalendarRules) -> list[FollowUpChoice]:
    """Tomorrow, three working days on, next week (its first working day), or none.

    "Tomorrow" on a Friday is Monday: a follow-up never falls on a day nobody calls.
    """
    tomorrow = _next_working_day(today, cal)
    plus3 = today
    for _ in range(3):
        plus3 = _next_working_day(plus3, cal)
    monday = today + dt.timedelta(days=7 - today.weekday())
    next_week = monday if is_working_day(monday, cal) else _next_working_day(monday, cal)
    return [
        FollowUpChoice("tomorrow", tomorrow),
        FollowUpChoice("plus3", plus3),
        FollowUpChoice("next_week", next_week),
        FollowUpChoice("none", None),
    ]


def follow_up_at(day: dt.date, cal: CalendarRules) -> dt.datetime:
    """The aware moment of a follow-up on ``day`` in the team's time zone."""
    return dt.datetime.combine(day, dt.time(FOLLOW_UP_HOUR), tzinfo=cal.zone)
