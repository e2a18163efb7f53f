"""KPI arithmetic on fixed data worked out by hand, plus hypothesis properties."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isdesk.domain.kpi import (
    ACTIVITY_KINDS,
    CALL_OUTCOMES,
    Quarter,
    activity_weight,
    day_bounds_utc,
    fiscal_quarter,
    fiscal_year,
    is_working_day,
    local_day,
    period_bounds_utc,
    projection,
    rank_steps,
    tier,
    volume,
    week_start,
    working_days,
    working_days_list,
)
from isdesk.rules import DEFAULT_WEIGHTS, CalendarRules, Lines, load_rules

CAL = load_rules().calendar  # Asia/Tokyo, April start, sat+sun, Japan's 2026-2027 holidays
QUARTERLY = Lines(2400, 3300, 4200)


# --- activity volume ---------------------------------------------------------------------------


def test_kinds_and_outcomes() -> None:
    assert ACTIVITY_KINDS == ("call", "email", "appointment", "meeting", "note")
    assert CALL_OUTCOMES == ("connected", "no_answer", "voicemail", "wrong_number", "refused")


def test_a_connected_call_weighs_call_connected() -> None:
    assert activity_weight(DEFAULT_WEIGHTS, "call", "connected") == 2
    for outcome in ("no_answer", "voicemail", "wrong_number", "refused", None):
        assert activity_weight(DEFAULT_WEIGHTS, "call", outcome) == 1
    # The outcome only matters for calls.
    assert activity_weight(DEFAULT_WEIGHTS, "appointment", "connected") == 5
    assert activity_weight(DEFAULT_WEIGHTS, "note", None) == 0


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown activity kind 'fax'"):
        activity_weight(DEFAULT_WEIGHTS, "fax", None)


def test_volume_of_a_day() -> None:
    counts = [
        ("call", "no_answer", 20),  # 20 × 1
        ("call", "voicemail", 5),  #  5 × 1
        ("call", "connected", 8),  #  8 × 2
        ("email", "", 10),  # 10 × 1
        ("appointment", "", 2),  #  2 × 5
        ("meeting", "", 1),  #  1 × 3
        ("note", "", 7),  #  7 × 0
    ]
    assert volume(counts, DEFAULT_WEIGHTS) == 20 + 5 + 16 + 10 + 10 + 3 + 0 == 64
    custom = dict(DEFAULT_WEIGHTS) | {"call_connected": 4, "note": 1}
    assert volume(counts, custom) == 20 + 5 + 32 + 10 + 10 + 3 + 7
    assert volume([], DEFAULT_WEIGHTS) == 0


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, "below"), (39, "below"), (40, "minimum"), (59, "minimum"), (60, "expected"),
     (79, "expected"), (80, "stretch"), (500, "stretch")],
)  # fmt: skip
def test_tier_is_the_highest_line_reached_exactly_at_the_line(value: int, expected: str) -> None:
    assert tier(value, Lines(40, 60, 80)) == expected


def test_tier_with_equal_lines() -> None:
    assert tier(50, Lines(50, 50, 50)) == "stretch"
    assert tier(0, Lines(0, 10, 20)) == "minimum"


@pytest.mark.parametrize(
    ("old", "new", "steps"),
    [("D", "B", 2), ("C", "A", 2), ("D", "C", 1), ("A", "C", -2), ("B", "B", 0),
     ("X", "A", 0), ("A", "", 0)],
)  # fmt: skip
def test_rank_steps(old: str, new: str, steps: int) -> None:
    assert rank_steps(old, new, ("A", "B", "C", "D")) == steps


# --- calendar ----------------------------------------------------------------------------------


def test_working_days_across_golden_week() -> None:
    # 2026-05-01 Fri works; 2(Sat) 3(Sun, 憲法記念日); 4 5 6 holidays (6 = substitute); 7 8 work.
    assert [d.day for d in working_days_list(date(2026, 5, 8), 3, CAL)] == [1, 7, 8]
    assert working_days(date(2026, 5, 1), date(2026, 5, 8), CAL) == 3
    assert working_days(date(2026, 5, 2), date(2026, 5, 6), CAL) == 0
    assert not is_working_day(date(2026, 5, 6), CAL) and is_working_day(date(2026, 5, 7), CAL)


def test_working_days_across_a_holiday_and_a_weekend() -> None:
    # 2026-11-20 Fri works, 21 Sat, 22 Sun, 23 Mon 勤労感謝の日, 24 Tue works.
    assert working_days(date(2026, 11, 20), date(2026, 11, 24), CAL) == 2
    assert working_days(date(2026, 11, 24), date(2026, 11, 24), CAL) == 1
    assert working_days(date(2026, 11, 24), date(2026, 11, 20), CAL) == 0  # end before start
    # Without holidays the Monday counts.
    plain = CalendarRules(non_working_days=frozenset())
    assert working_days(date(2026, 11, 20), date(2026, 11, 24), plain) == 3


def test_year_end_closing() -> None:
    # 2026-12-28 Mon is the last working day of 2026; 2027-01-04 Mon the first of 2027.
    assert working_days(date(2026, 12, 28), date(2027, 1, 4), CAL) == 2
    assert working_days_list(date(2027, 1, 3), 1, CAL) == [date(2026, 12, 28)]


def test_working_days_list_on_a_non_working_end_day() -> None:
    # 2026-05-06 is a holiday: the last two working days before it are 4/30 Thu and 5/1 Fri.
    assert working_days_list(date(2026, 5, 6), 2, CAL) == [date(2026, 4, 30), date(2026, 5, 1)]
    assert working_days_list(date(2026, 5, 6), 0, CAL) == []


def test_a_custom_weekend() -> None:
    cal = CalendarRules(weekend=frozenset({4, 5}), non_working_days=frozenset())  # Fri+Sat off
    assert is_working_day(date(2026, 11, 22), cal)  # Sunday
    assert not is_working_day(date(2026, 11, 20), cal)  # Friday
    assert working_days(date(2026, 11, 16), date(2026, 11, 29), cal) == 10


@pytest.mark.parametrize(
    ("day", "fy", "number", "start", "end"),
    [
        (date(2026, 3, 31), 2025, 4, date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 4, 1), 2026, 1, date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 6, 30), 2026, 1, date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 7, 1), 2026, 2, date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 12, 31), 2026, 3, date(2026, 10, 1), date(2026, 12, 31)),
        (date(2027, 1, 1), 2026, 4, date(2027, 1, 1), date(2027, 3, 31)),
        (date(2027, 2, 10), 2026, 4, date(2027, 1, 1), date(2027, 3, 31)),
    ],
)
def test_april_fiscal_year(day: date, fy: int, number: int, start: date, end: date) -> None:
    assert fiscal_year(day, CAL) == fy
    assert fiscal_quarter(day, CAL) == Quarter(fy, number, start, end)


def test_other_fiscal_year_starts() -> None:
    january = CalendarRules(fiscal_year_start=1)
    assert fiscal_quarter(date(2026, 3, 31), january) == Quarter(
        2026, 1, date(2026, 1, 1), date(2026, 3, 31)
    )
    october = CalendarRules(fiscal_year_start=10)
    assert fiscal_quarter(date(2026, 9, 30), october) == Quarter(
        2025, 4, date(2026, 7, 1), date(2026, 9, 30)
    )
    assert fiscal_quarter(date(2026, 12, 1), october) == Quarter(
        2026, 1, date(2026, 10, 1), date(2026, 12, 31)
    )
    assert fiscal_quarter(date(2027, 2, 1), october).label == "FY2026 Q2"


def test_week_start_is_monday() -> None:
    assert week_start(date(2026, 11, 22)) == date(2026, 11, 16)  # Sunday → Monday before
    assert week_start(date(2026, 11, 16)) == date(2026, 11, 16)


def test_day_bounds_in_tokyo() -> None:
    start, end = day_bounds_utc(date(2026, 11, 22), CAL)
    assert start == datetime(2026, 11, 21, 15, tzinfo=UTC)
    assert end == datetime(2026, 11, 22, 15, tzinfo=UTC)
    assert start.utcoffset() == timedelta(0) and end.utcoffset() == timedelta(0)
    assert period_bounds_utc(date(2026, 11, 1), date(2026, 11, 30), CAL) == (
        datetime(2026, 10, 31, 15, tzinfo=UTC),
        datetime(2026, 11, 30, 15, tzinfo=UTC),
    )
    with pytest.raises(ValueError, match="before it starts"):
        period_bounds_utc(date(2026, 11, 2), date(2026, 11, 1), CAL)


def test_a_daylight_saving_day_is_23_hours() -> None:
    new_york = CalendarRules(timezone="America/New_York")
    start, end = day_bounds_utc(date(2026, 3, 8), new_york)
    assert start == datetime(2026, 3, 8, 5, tzinfo=UTC) and end - start == timedelta(hours=23)


def test_local_day() -> None:
    assert local_day(datetime(2026, 11, 21, 15, tzinfo=UTC), CAL) == date(2026, 11, 22)
    assert local_day(datetime(2026, 11, 21, 14, 59), CAL) == date(2026, 11, 21)  # naive = UTC


# --- projection --------------------------------------------------------------------------------

# FY2026 Q1 = 2026-04-01 .. 2026-06-30, counted by hand:
#   April: 22 weekdays (1-3, 6-10, 13-17, 20-24, 27-30) - 4/29 昭和の日          = 21
#   May:   21 weekdays (1, 4-8, 11-15, 18-22, 25-29) - 5/4, 5/5, 5/6 (Golden Week) = 18
#   June:  22 weekdays (1-5, 8-12, 15-19, 22-26, 29-30)                              = 22
#   total 61 working days.
Q1 = Quarter(2026, 1, date(2026, 4, 1), date(2026, 6, 30))


def test_quarter_spanning_golden_week_has_61_working_days() -> None:
    assert fiscal_quarter(date(2026, 5, 5), CAL) == Q1
    assert working_days(Q1.start, Q1.end, CAL) == 61


def test_projection_by_hand() -> None:
    # Friday 2026-05-08, under way: elapsed = 21 (April) + 5/1, 5/7, 5/8 = 24; remaining 37.
    # 1200 done → 50.0 a day → 1200 + 50 × 37 = 3050: past minimum (2400), short of expected.
    p = projection(1200, Q1, date(2026, 5, 8), CAL, QUARTERLY)
    assert (p.elapsed_working_days, p.total_working_days, p.remaining_working_days) == (24, 61, 37)
    assert p.run_rate == 50.0 and p.projected == 3050 and p.projected_tier == "minimum"
    assert p.needed_per_day_for == pytest.approx(
        {"minimum": 1200 / 37, "expected": 2100 / 37, "stretch": 3000 / 37}
    )


def test_projection_rounds_half_up() -> None:
    # 12 done in 24 days, 61 in all: 12 × 61 / 24 = 30.5 → 31 (round() would give 30).
    assert projection(12, Q1, date(2026, 5, 8), CAL, QUARTERLY).projected == 31


def test_projection_on_a_holiday_counts_only_working_days() -> None:
    # 2026-05-05 is a holiday: elapsed = 21 + 5/1 = 22.
    p = projection(2200, Q1, date(2026, 5, 5), CAL, QUARTERLY)
    assert (p.elapsed_working_days, p.remaining_working_days) == (22, 39)
    assert p.run_rate == 100.0 and p.projected == 6100 and p.projected_tier == "stretch"


def test_projection_with_lines_already_reached() -> None:
    p = projection(3500, Q1, date(2026, 6, 1), CAL, QUARTERLY)
    assert p.needed_per_day_for["minimum"] == 0.0 and p.needed_per_day_for["expected"] == 0.0
    assert p.needed_per_day_for["stretch"] == pytest.approx(700 / p.remaining_working_days)


def test_projection_before_and_after_the_quarter() -> None:
    before = projection(0, Q1, date(2026, 3, 31), CAL, QUARTERLY)
    assert (before.elapsed_working_days, before.remaining_working_days) == (0, 61)
    assert before.run_rate == 0.0 and before.projected == 0 and before.projected_tier == "below"
    assert before.needed_per_day_for["minimum"] == pytest.approx(2400 / 61)
    after = projection(3000, Q1, date(2026, 7, 15), CAL, QUARTERLY)
    assert (after.elapsed_working_days, after.remaining_working_days) == (61, 0)
    assert after.projected == 3000 and after.projected_tier == "minimum"
    assert after.needed_per_day_for == {"minimum": 0.0, "expected": math.inf, "stretch": math.inf}


# --- properties --------------------------------------------------------------------------------

days = st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31))
calendars = st.builds(
    CalendarRules,
    fiscal_year_start=st.integers(1, 12),
    weekend=st.frozensets(st.integers(0, 6), max_size=6),
    non_working_days=st.frozensets(days, max_size=40),
)


@settings(max_examples=300, deadline=None)
@given(start=days, length=st.integers(-10, 400), cal=calendars)
def test_working_days_counts_the_working_days_one_by_one(
    start: date, length: int, cal: CalendarRules
) -> None:
    end = start + timedelta(days=length)
    brute = sum(is_working_day(start + timedelta(days=i), cal) for i in range(length + 1))
    assert working_days(start, end, cal) == brute


@settings(max_examples=200, deadline=None)
@given(end=days, n=st.integers(0, 30), cal=calendars)
def test_working_days_list_is_the_last_n_working_days(
    end: date, n: int, cal: CalendarRules
) -> None:
    listed = working_days_list(end, n, cal)
    assert len(listed) == n and listed == sorted(set(listed))
    assert all(is_working_day(d, cal) and d <= end for d in listed)
    if listed:
        assert working_days(listed[0], end, cal) == n


@settings(max_examples=300, deadline=None)
@given(
    done=st.integers(0, 100_000),
    day=days,
    today=days,
    cal=calendars,
    low=st.integers(0, 5000),
    steps=st.tuples(st.integers(0, 5000), st.integers(0, 5000)),
)
def test_projection_never_projects_below_what_is_done(
    done: int, day: date, today: date, cal: CalendarRules, low: int, steps: tuple[int, int]
) -> None:
    quarter = fiscal_quarter(day, cal)
    assert quarter.start <= day <= quarter.end and fiscal_quarter(quarter.end, cal) == quarter
    lines = Lines(low, low + steps[0], low + steps[0] + steps[1])
    p = projection(done, quarter, today, cal, lines)
    assert p.projected >= done
    assert p.elapsed_working_days + p.remaining_working_days == p.total_working_days
    assert p.projected_tier == tier(p.projected, lines)
    assert all(v >= 0 for v in p.needed_per_day_for.values())
