"""KPI arithmetic: activity volume (行動量), target tiers, working days and quarter projections.

Pure functions over the rules' dataclasses (isdesk.rules): no database, no UI, no clock. Callers
pass `today` and the counts they read, so every number on the KPI screen and in the daily
export can be checked by hand. Day boundaries, the weekend, holidays and the fiscal year come
from `rules.calendar`; weights from `rules.activity`; target lines from `rules.targets`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from isdesk.rules import CalendarRules, Lines

__all__ = [
    "ACTIVITY_KINDS",
    "CALL_OUTCOMES",
    "TIERS",
    "Projection",
    "Quarter",
    "activity_weight",
    "day_bounds_utc",
    "fiscal_quarter",
    "fiscal_year",
    "is_working_day",
    "local_day",
    "period_bounds_utc",
    "projection",
    "rank_steps",
    "tier",
    "volume",
    "week_start",
    "working_days",
    "working_days_list",
]

ACTIVITY_KINDS = ("call", "email", "appointment", "meeting", "note")
CALL_OUTCOMES = ("connected", "no_answer", "voicemail", "wrong_number", "refused")
TIERS = ("below", "minimum", "expected", "stretch")  # from the worst to the best

# --- activity volume ---------------------------------------------------------------------------


def activity_weight(weights: Mapping[str, int], kind: str, outcome: str | None = None) -> int:
    """The weight of one activity: a call whose outcome is "connected" uses `call_connected`.

    Any other call outcome (no answer, voicemail, …, or none recorded) weighs `call`; the outcome
    of other kinds is ignored. An unknown kind raises ValueError rather than counting as 0.
    """
    if kind not in ACTIVITY_KINDS:
        raise ValueError(f"unknown activity kind {kind!r}: expected one of {ACTIVITY_KINDS}")
    if kind == "call" and outcome == "connected":
        return weights["call_connected"]
    return weights[kind]


def volume(counts: Iterable[tuple[str, str | None, int]], weights: Mapping[str, int]) -> int:
    """The weighted activity volume of (kind, outcome, count) rows, e.g. a GROUP BY result."""
    return sum(activity_weight(weights, kind, outcome) * count for kind, outcome, count in counts)


def tier(value: int, lines: Lines) -> str:
    """The highest line `value` reaches: "stretch", "expected", "minimum", or "below".

    A line is reached when the value is exactly on it (60 with expected 60 is "expected").
    """
    if value >= lines.stretch:
        return "stretch"
    if value >= lines.expected:
        return "expected"
    if value >= lines.minimum:
        return "minimum"
    return "below"


def rank_steps(old: str, new: str, ladder: Sequence[str]) -> int:
    """How many steps up the ladder a rank change is (ladder[0] is the best rank, e.g. A).

    D → B is +2, A → C is -2, no change is 0. A rank not on the ladder (a renamed or removed
    rank in old history) counts as 0: it can be neither credited nor held against anyone.
    """
    if old not in ladder or new not in ladder:
        return 0
    return ladder.index(old) - ladder.index(new)


# --- calendar ----------------------------------------------------------------------------------


def is_working_day(day: date, cal: CalendarRules) -> bool:
    """True unless `day` falls on the weekend or is one of the calendar's days off."""
    return day.weekday() not in cal.weekend and not cal.is_day_off(day)


def working_days(start: date, end: date, cal: CalendarRules) -> int:
    """The number of working days from `start` to `end`, both included; 0 if end < start.

    Counted in O(holidays), not day by day, so a year view over many operators stays cheap.
    """
    if end < start:
        return 0
    weeks, extra = divmod((end - start).days + 1, 7)
    first = start.weekday()
    count = weeks * (7 - len(cal.weekend))
    count += sum(1 for i in range(extra) if (first + i) % 7 not in cal.weekend)
    holidays = sum(1 for d in cal.days_off(start, end) if d.weekday() not in cal.weekend)
    return count - holidays


def working_days_list(end: date, n: int, cal: CalendarRules) -> list[date]:
    """The last `n` working days up to `end` (included if it is one), oldest first.

    For "the last 5 working days" trends. Empty for n <= 0 or a calendar with no working
    weekday at all.
    """
    if n <= 0 or len(cal.weekend) >= 7:
        return []
    days: list[date] = []
    day = end
    while len(days) < n:
        if is_working_day(day, cal):
            days.append(day)
        day -= timedelta(days=1)
    days.reverse()
    return days


def week_start(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True, slots=True)
class Quarter:
    """A fiscal quarter: FY (the calendar year it starts in), number 1..4, first and last day."""

    fiscal_year: int
    number: int
    start: date
    end: date  # inclusive

    @property
    def label(self) -> str:
        """E.g. "FY2026 Q1"."""
        return f"FY{self.fiscal_year} Q{self.number}"


def fiscal_year(day: date, cal: CalendarRules) -> int:
    """The fiscal year of `day`, named by the year it starts in.

    With an April start, 2026-04-01 and 2027-02-10 are both FY2026; 2026-03-31 is FY2025.
    """
    return day.year if day.month >= cal.fiscal_year_start else day.year - 1


def _month_start(year: int, month: int) -> date:
    """The first day of `month` counted from January of `year` (month 13 is next January)."""
    years, index = divmod(month - 1, 12)
    return date(year + years, index + 1, 1)


def fiscal_quarter(day: date, cal: CalendarRules) -> Quarter:
    """The fiscal quarter containing `day` (with an April start, January is Q4 of the FY that
    started the previous April)."""
    fy = fiscal_year(day, cal)
    number = (day.month - cal.fiscal_year_start) % 12 // 3 + 1
    first_month = cal.fiscal_year_start + (number - 1) * 3
    start = _month_start(fy, first_month)
    end = _month_start(fy, first_month + 3) - timedelta(days=1)
    return Quarter(fy, number, start, end)


def local_day(moment: datetime, cal: CalendarRules) -> date:
    """The team's local date of an instant; a naive datetime is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(cal.zone).date()


def day_bounds_utc(day: date, cal: CalendarRules) -> tuple[datetime, datetime]:
    """The local day `day` as aware UTC instants: [start, end) — start included, end excluded.

    In Asia/Tokyo, 2026-11-22 is 2026-11-21T15:00Z .. 2026-11-22T15:00Z.
    """
    return period_bounds_utc(day, day, cal)


def period_bounds_utc(
    start_day: date, end_day: date, cal: CalendarRules
) -> tuple[datetime, datetime]:
    """Local days `start_day` .. `end_day` (both included) as aware UTC instants [start, end).

    Query with `start <= at < end`. Raises ValueError if end_day is before start_day.
    """
    if end_day < start_day:
        raise ValueError(f"the period ends ({end_day}) before it starts ({start_day})")
    zone = cal.zone
    start = datetime.combine(start_day, time(), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(end_day + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)
    return start, end


# --- projection --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Projection:
    """Where a quarter is heading at the current pace.

    needed_per_day_for maps "minimum"/"expected"/"stretch" to what each remaining working day
    must add to reach that line: 0.0 if already reached, math.inf if it is not reached and no
    working day remains.
    """

    elapsed_working_days: int
    total_working_days: int
    remaining_working_days: int
    run_rate: float  # per elapsed working day
    projected: int  # done + run_rate × remaining, rounded half up
    projected_tier: str
    needed_per_day_for: dict[str, float]


def projection(
    done: int, quarter: Quarter, today: date, cal: CalendarRules, lines: Lines
) -> Projection:
    """Project `done` (the quarter's count so far) to the quarter's end at the current pace.

    Today counts as elapsed if it is a working day: the operator's day is under way. Before the
    quarter nothing has elapsed (run rate 0, projected = done); after it, nothing remains.
    """
    total = working_days(quarter.start, quarter.end, cal)
    elapsed = working_days(quarter.start, min(today, quarter.end), cal)
    remaining = total - elapsed
    if elapsed:
        run_rate = done / elapsed
        # done + done/elapsed × remaining = done × total / elapsed, rounded half up exactly
        projected = (2 * done * total + elapsed) // (2 * elapsed)
    else:
        run_rate, projected = 0.0, done
    needed: dict[str, float] = {}
    for name in TIERS[1:]:
        gap = getattr(lines, name) - done
        if gap <= 0:
            needed[name] = 0.0
        else:
            needed[name] = gap / remaining if remaining else math.inf
    return Projection(
        elapsed, total, remaining, run_rate, projected, tier(projected, lines), needed
    )
