"""The working calendar that does not run out: Japan's holidays for any year, the company's own
days on top, a warning at the first day it cannot answer, and no cost at start-up."""

from __future__ import annotations

import subprocess
import sys
import warnings
from datetime import date
from pathlib import Path

import pytest

from isdesk.domain import kpi
from isdesk.domain.followup import follow_up_choices
from isdesk.rules import CalendarHorizonWarning, CalendarRules, RulesError, load_rules, parse_rules
from tests.unit.test_rules import BASE

ROOT = Path(__file__).resolve().parents[2]


def calendar(text: str) -> CalendarRules:
    return parse_rules(BASE + text, "rules.yaml").calendar


def test_fy2027_q4_counts_2028_holidays_that_the_old_list_missed() -> None:
    cal = load_rules().calendar
    for day in (date(2028, 1, 10), date(2028, 2, 11), date(2028, 2, 23), date(2028, 3, 20)):
        assert not kpi.is_working_day(day, cal), day
    # FY2027 Q4 (Jan-Mar 2028): 65 weekdays, less 1/3 (closing), 1/10, 2/11, 2/23, 3/20.
    assert kpi.working_days(date(2028, 1, 1), date(2028, 3, 31), cal) == 60


def test_2025_substitute_holidays_are_days_off() -> None:
    cal = CalendarRules()
    for day in (date(2025, 2, 24), date(2025, 5, 6), date(2025, 11, 24)):
        assert cal.is_day_off(day) and not kpi.is_working_day(day, cal), day
    assert kpi.is_working_day(date(2025, 2, 25), cal)
    # May 2025: 22 weekdays less 5/5 and 5/6 (the substitute for Sunday 5/4).
    assert kpi.working_days(date(2025, 5, 1), date(2025, 5, 31), cal) == 20


def test_citizens_holiday_and_year_end_closing() -> None:
    cal = CalendarRules()
    assert cal.is_day_off(date(2026, 9, 22))  # between two holidays
    for day in (date(2030, 12, 30), date(2031, 1, 2), date(2031, 1, 3)):
        assert cal.is_day_off(day), day


def test_in_three_working_days_skips_the_holidays_of_any_year() -> None:
    cal = CalendarRules()
    # Friday 2028-02-18 + 3 working days: Mon 21, Tue 22, (Wed 23 is 天皇誕生日) Thu 24.
    plus3 = next(c.day for c in follow_up_choices(date(2028, 2, 18), cal) if c.key == "plus3")
    assert plus3 == date(2028, 2, 24)


def test_company_days_are_added_and_removed_without_copying_the_list() -> None:
    cal = calendar(
        "calendar:\n  add_days_off: [2026-08-12, 2026-08-13]\n  remove_days_off: [2026-11-23]\n"
    )
    assert cal.is_day_off(date(2026, 8, 12)) and cal.is_day_off(date(2026, 8, 13))
    assert not cal.is_day_off(date(2026, 11, 23))  # a holiday the company works
    assert cal.is_day_off(date(2026, 11, 3)) and cal.is_day_off(date(2027, 11, 23))
    assert cal.is_day_off(date(2026, 12, 29))  # the default year-end closing is kept
    no_closing = calendar("calendar:\n  annual_days_off: [08-15]\n")
    assert not no_closing.is_day_off(date(2026, 12, 29))
    assert no_closing.is_day_off(date(2031, 8, 15)) and no_closing.is_day_off(date(2026, 1, 1))
    plain = calendar("calendar: {holidays: none, annual_days_off: []}\n")
    assert plain.days_off(date(2026, 1, 1), date(2026, 12, 31)) == []
    assert plain.horizon is None


def test_days_off_across_years_are_in_order() -> None:
    days = CalendarRules().days_off(date(2026, 12, 28), date(2027, 1, 12))
    assert days == [date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31), date(2027, 1, 1),
                    date(2027, 1, 2), date(2027, 1, 3), date(2027, 1, 11)]  # fmt: skip


def test_a_complete_list_warns_at_the_first_day_it_cannot_answer() -> None:
    cal = calendar("calendar:\n  non_working_days: [2027-05-03, 2027-12-31, 2028-01-03]\n")
    assert cal.horizon == date(2028, 1, 4)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert kpi.is_working_day(date(2027, 6, 1), cal)  # inside: no warning
        assert not caught
        kpi.working_days(date(2028, 1, 1), date(2028, 3, 31), cal)
        kpi.is_working_day(date(2028, 2, 1), cal)
    messages = [str(w.message) for w in caught if issubclass(w.category, CalendarHorizonWarning)]
    assert len(messages) == 1  # once, not once per day
    assert "2028-01-04" in messages[0] and "until 2028-01-03" in messages[0]


def test_the_holidays_package_horizon_is_named_too() -> None:
    cal = CalendarRules()
    assert cal.horizon == date(2100, 1, 1)
    with pytest.warns(CalendarHorizonWarning, match="from 2100-01-01"):
        cal.is_day_off(date(2100, 3, 20))


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ("calendar:\n  holidays: usa\n", "calendar.holidays", "unknown holiday source 'usa'"),
        ("calendar:\n  annual_days_off: [12-32]\n", "calendar.annual_days_off[0]", "MM-DD"),
        ("calendar:\n  annual_days_off: [12-29, 12-29]\n", "calendar.annual_days_off[1]",
         "listed twice"),
        ("calendar:\n  add_days_off: [2026-08-12]\n  remove_days_off: [2026-08-12]\n",
         "calendar.remove_days_off", "both added and removed"),
        ("calendar:\n  holidays: japan\n  non_working_days: [2026-01-01]\n",
         "calendar.non_working_days", "replaces holidays"),
    ],
)  # fmt: skip
def test_calendar_mistakes_name_the_line_and_key(text: str, key: str, expected: str) -> None:
    with pytest.raises(RulesError) as caught:
        calendar(text)
    assert caught.value.key == key and expected in caught.value.message


def test_start_up_does_not_import_the_holidays_package() -> None:
    code = (
        "import sys\n"
        "from isdesk.rules import load_rules\n"
        "from isdesk.domain import kpi\n"
        "cal = load_rules().calendar\n"
        "assert 'holidays' not in sys.modules, 'loaded with the rules'\n"
        "kpi.is_working_day(__import__('datetime').date(2026, 11, 23), cal)\n"
        "assert 'holidays' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
