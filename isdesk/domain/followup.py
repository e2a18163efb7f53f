"""Follow-up dates the operator picks in one key after a call (pure)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from isdesk.domain.kpi import is_working_day
from isdesk.rules import CalendarRules
from isdesk.rules.values import normalize, parse_date

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


# A time of day as operators say it: 15時, 15:00, 15時30分, 午後3時, 3pm, or a part of the day.
_CLOCK = re.compile(r"(午前|午後|am|pm)?\s*(\d{1,2})\s*(?::|時)\s*(\d{1,2})?\s*分?\s*(am|pm)?")
_BARE_HOUR_EN = re.compile(r"(\d{1,2})\s*(am|pm)")
_HALF_HOUR = re.compile(r"(午前|午後)?\s*(\d{1,2})\s*時半")
DAY_PARTS = {
    "朝": 9, "午前": 10, "午前中": 10, "昼": 12, "お昼": 12, "昼過ぎ": 13, "午後": 13,
    "夕方": 17, "夜": 19, "morning": 10, "noon": 12, "afternoon": 13, "evening": 17,
}  # fmt: skip


def parse_time_of_day(text: str) -> dt.time | None:
    """Read "15時", "15:00", "15時30分", "午後3時", "3時半", "3pm", "午後", "夕方"; else None."""
    s = normalize(text).casefold().replace(" ", "")
    if not s:
        return None
    if s in DAY_PARTS:
        return dt.time(DAY_PARTS[s])
    hour = minute = None
    if m := _HALF_HOUR.fullmatch(s):
        ampm, hour, minute = m[1], int(m[2]), 30
    elif m := _CLOCK.fullmatch(s):
        ampm, hour, minute = m[1] or m[4], int(m[2]), int(m[3] or 0)
    elif m := _BARE_HOUR_EN.fullmatch(s):
        ampm, hour, minute = m[2], int(m[1]), 0
    else:
        return None
    if ampm in ("午後", "pm") and hour < 12:
        hour += 12
    elif ampm is None and 1 <= hour <= 7:
        hour += 12  # "3時" on a sales floor is the afternoon: nobody calls a customer at 3 a.m.
    elif ampm in ("午前", "am") and hour == 12:
        hour = 0
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return dt.time(hour, minute)


def parse_follow_up(text: str, today: dt.date, cal: CalendarRules) -> dt.datetime | None:
    """A follow-up moment from what the operator typed: a date, a time, or both.

    "12/10 15:00", "明日 午後", "15時" (today), "12/10" (at FOLLOW_UP_HOUR). None when neither
    part can be read.
    """
    s = normalize(text)
    if not s:
        return None
    whole_day = parse_date(s, today, fiscal_start=cal.fiscal_year_start)
    if whole_day is not None:
        return follow_up_at(whole_day, cal)
    time_only = parse_time_of_day(s)
    if time_only is not None:
        return dt.datetime.combine(today, time_only, tzinfo=cal.zone)
    # "<date> <time>" or "<date><time>": try every split point, the date first.
    for cut in range(len(s) - 1, 0, -1):
        day = parse_date(s[:cut], today, fiscal_start=cal.fiscal_year_start)
        when = parse_time_of_day(s[cut:]) if day is not None else None
        if day is not None and when is not None:
            return dt.datetime.combine(day, when, tzinfo=cal.zone)
    return None
