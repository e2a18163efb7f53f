"""rules.yaml activity:, targets: and calendar: — defaults, merging, and strict errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from isdesk.rules import (
    DEFAULT_RULES,
    ActivityRules,
    CalendarRules,
    Lines,
    OperatorTargets,
    Rules,
    RulesError,
    SqlRule,
    Targets,
    load_rules,
    parse_rules,
)
from tests.unit.test_rules import BASE, line_of

DEFAULT_WEIGHTS = {"call": 1, "call_connected": 2, "email": 1, "appointment": 5, "meeting": 3,
                   "note": 0}  # fmt: skip


def broken(tmp_path: Path, extra: str) -> tuple[RulesError, str]:
    """Load BASE + `extra` and return the error, plus the whole text for line look-ups."""
    text = BASE + extra
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    error = caught.value
    assert error.file == str(path)
    assert str(error).startswith(f"{path}:{error.line}: {error.key}: ")
    return error, text


def loads(extra: str) -> Rules:
    return parse_rules(BASE + extra, "r.yaml")


# --- defaults ----------------------------------------------------------------------------------


def test_sections_absent_give_the_documented_defaults() -> None:
    rules = parse_rules(BASE, "r.yaml")
    assert dict(rules.activity.weights) == DEFAULT_WEIGHTS
    assert rules.targets.daily == Lines(40, 60, 80)
    assert rules.targets.quarterly == Lines(2400, 3300, 4200)
    assert rules.targets.quarterly_sql == Lines(20, 30, 40)
    assert rules.targets.for_operator("anyone", "any team") == OperatorTargets(
        Lines(40, 60, 80), Lines(2400, 3300, 4200), Lines(20, 30, 40)
    )
    cal = rules.calendar
    assert (cal.timezone, cal.fiscal_year_start, cal.weekend) == ("Asia/Tokyo", 4, {5, 6})
    assert cal.non_working_days is None and cal.holidays == "japan"
    assert (12, 29) in cal.annual_days_off and (1, 3) in cal.annual_days_off
    assert str(cal.zone) == "Asia/Tokyo"


def test_rules_stay_constructible_without_the_new_fields() -> None:
    rules = Rules(1, (), SqlRule(1), ())
    assert rules.activity == ActivityRules() and rules.targets == Targets()
    assert rules.calendar == CalendarRules()


def test_shipped_rules_carry_the_documented_sections() -> None:
    rules = load_rules()
    assert dict(rules.activity.weights) == DEFAULT_WEIGHTS
    assert rules.targets == Targets()
    assert rules.calendar.timezone == "Asia/Tokyo" and rules.calendar.fiscal_year_start == 4
    assert rules.calendar.weekend == {5, 6}
    # The Python default and the shipped file give the same calendar.
    assert rules.calendar == CalendarRules()
    days = set(rules.calendar.days_off(date(2026, 1, 1), date(2028, 1, 3)))
    # Substitute holidays and the 2026 citizens' holiday (sandwiched between two holidays).
    assert {date(2026, 5, 6), date(2027, 3, 22), date(2026, 9, 22)} <= days
    # The year-end closing 12/29-1/3 both years.
    for year in (2026, 2027):
        closing = {date(year, 12, d) for d in (29, 30, 31)} | {
            date(year + 1, 1, d) for d in (1, 2, 3)
        }
        assert closing <= days
    # 16 national holidays a year (+ 5/6/2026 and 9/22/2026, + 3/22/2027), the closing days.
    holidays_2026 = {d for d in days if d.year == 2026} - {
        date(2026, 1, 2), date(2026, 1, 3), date(2026, 12, 29), date(2026, 12, 30),
        date(2026, 12, 31),
    }  # fmt: skip
    assert len(holidays_2026) == 18
    text = DEFAULT_RULES.read_text(encoding="utf-8")
    assert "振替休日" in text and "substitute" in text and "年末年始休業" in text


def test_partial_weights_keep_the_other_defaults() -> None:
    rules = loads("activity:\n  weights: {call: 2, note: 1}\n")
    assert dict(rules.activity.weights) == DEFAULT_WEIGHTS | {"call": 2, "note": 1}
    assert loads("activity: {}\n").activity == ActivityRules()


def test_calendar_values_are_read() -> None:
    rules = loads(
        "calendar:\n  timezone: UTC\n  fiscal_year_start: 1\n  weekend: [fri, sat]\n"
        "  non_working_days: [2026-01-01, '2026-01-12', \"2026-2-3\"]\n"
    )
    cal = rules.calendar
    assert (cal.timezone, cal.fiscal_year_start, cal.weekend) == ("UTC", 1, {4, 5})
    assert cal.non_working_days == {date(2026, 1, 1), date(2026, 1, 12), date(2026, 2, 3)}


def test_an_empty_weekend_and_no_holidays_are_allowed() -> None:
    cal = loads("calendar: {weekend: [], non_working_days: []}\n").calendar
    assert cal.weekend == frozenset() and cal.non_working_days == frozenset()
    assert cal.timezone == "Asia/Tokyo"


# --- merging -----------------------------------------------------------------------------------

MERGING = """\
targets:
  daily: {minimum: 40, expected: 60, stretch: 80}
  quarterly: {minimum: 2400, expected: 3300, stretch: 4200,
              sql: {minimum: 20, expected: 30, stretch: 40}}
  teams:
    outbound: {daily: {minimum: 50, expected: 70, stretch: 90}, quarterly: {sql: {stretch: 45}}}
    inbound: {quarterly: {minimum: 2000}}
  operators:
    sato.misaki: {quarterly: {sql: {minimum: 10, expected: 15}}, daily: {stretch: 95}}
"""


def test_overrides_merge_field_by_field_operator_over_team_over_global() -> None:
    targets = loads(MERGING).targets
    # Nobody special: the global lines.
    assert targets.for_operator("tanaka", "field") == OperatorTargets(
        Lines(40, 60, 80), Lines(2400, 3300, 4200), Lines(20, 30, 40)
    )
    # Team only: the team's daily line, its sql stretch over the global sql minimum/expected.
    assert targets.for_operator("tanaka", "outbound") == OperatorTargets(
        Lines(50, 70, 90), Lines(2400, 3300, 4200), Lines(20, 30, 45)
    )
    assert targets.for_operator("tanaka", "inbound").quarterly == Lines(2000, 3300, 4200)
    # Operator in a team: the operator's fields win, the team fills the rest, then global.
    assert targets.for_operator("sato.misaki", "outbound") == OperatorTargets(
        Lines(50, 70, 95), Lines(2400, 3300, 4200), Lines(10, 15, 45)
    )
    # The same operator in a team without overrides.
    assert targets.for_operator("sato.misaki", "field") == OperatorTargets(
        Lines(40, 60, 95), Lines(2400, 3300, 4200), Lines(10, 15, 40)
    )


def test_global_lines_missing_from_targets_keep_the_defaults() -> None:
    targets = loads("targets:\n  daily: {minimum: 1, expected: 2, stretch: 3}\n").targets
    assert targets.daily == Lines(1, 2, 3)
    assert targets.quarterly == Lines(2400, 3300, 4200)
    assert targets.quarterly_sql == Lines(20, 30, 40)


def test_equal_lines_are_allowed() -> None:
    targets = loads("targets:\n  daily: {minimum: 50, expected: 50, stretch: 50}\n").targets
    assert targets.daily == Lines(50, 50, 50)


# --- errors ------------------------------------------------------------------------------------


def test_unknown_weight_key(tmp_path: Path) -> None:
    error, text = broken(tmp_path, "activity:\n  weights:\n    call: 1\n    calls_connected: 2\n")
    assert (error.line, error.key) == (
        line_of(text, "calls_connected"),
        "activity.weights.calls_connected",
    )
    assert "unknown key 'calls_connected'" in error.message
    assert "did you mean 'call_connected'" in error.message


def test_negative_weight(tmp_path: Path) -> None:
    error, text = broken(tmp_path, "activity:\n  weights:\n    email: -1\n")
    assert (error.line, error.key) == (line_of(text, "email: -1"), "activity.weights.email")
    assert "must be 0 or more" in error.message


def test_weight_must_be_a_whole_number(tmp_path: Path) -> None:
    error, text = broken(tmp_path, "activity:\n  weights: {meeting: 2.5}\n")
    assert (error.line, error.key) == (line_of(text, "meeting"), "activity.weights.meeting")
    assert "expected a whole number" in error.message


def test_unknown_key_in_activity(tmp_path: Path) -> None:
    error, text = broken(tmp_path, "activity:\n  weight: {call: 1}\n")
    assert (error.line, error.key) == (line_of(text, "weight:"), "activity.weight")
    assert "did you mean 'weights'" in error.message


def test_minimum_above_expected(tmp_path: Path) -> None:
    error, text = broken(
        tmp_path, "targets:\n  daily:\n    minimum: 70\n    expected: 60\n    stretch: 80\n"
    )
    assert (error.line, error.key) == (line_of(text, "minimum: 70"), "targets.daily.minimum")
    assert "minimum must not exceed expected" in error.message
    assert (
        "70 > expected 60" in error.message and "lower minimum or raise expected" in error.message
    )


def test_expected_above_stretch_in_the_sql_line(tmp_path: Path) -> None:
    error, text = broken(
        tmp_path,
        "targets:\n  quarterly:\n    minimum: 1\n    expected: 2\n    stretch: 3\n"
        "    sql:\n      minimum: 10\n      expected: 50\n      stretch: 40\n",
    )
    assert (error.line, error.key) == (
        line_of(text, "expected: 50"),
        "targets.quarterly.sql.expected",
    )
    assert "expected must not exceed stretch in the quarterly sql line" in error.message


def test_a_global_line_needs_all_three_values(tmp_path: Path) -> None:
    error, text = broken(tmp_path, "targets:\n  daily: {minimum: 40, expected: 60}\n")
    assert (error.line, error.key) == (line_of(text, "daily:"), "targets.daily.stretch")
    assert "missing 'stretch'" in error.message


def test_negative_target(tmp_path: Path) -> None:
    error, text = broken(tmp_path, "targets:\n  daily: {minimum: -5, expected: 60, stretch: 80}\n")
    assert (error.line, error.key) == (line_of(text, "daily:"), "targets.daily.minimum")
    assert "must be 0 or more" in error.message


def test_team_override_above_the_global_line(tmp_path: Path) -> None:
    extra = (
        "targets:\n  daily: {minimum: 40, expected: 60, stretch: 80}\n"
        "  teams:\n    outbound:\n      daily:\n        minimum: 70\n"
    )
    error, text = broken(tmp_path, extra)
    assert (error.line, error.key) == (
        line_of(text, "minimum: 70"),
        "targets.teams.outbound.daily.minimum",
    )
    assert "minimum must not exceed expected in the daily line" in error.message
    where = line_of(text, "daily: {minimum: 40")
    assert f"expected 60 comes from targets.daily.expected (line {where})" in error.message


def test_team_override_above_the_built_in_default(tmp_path: Path) -> None:
    error, text = broken(
        tmp_path, "targets:\n  teams:\n    inbound: {quarterly: {stretch: 3000}}\n"
    )
    assert (error.line, error.key) == (
        line_of(text, "inbound"),
        "targets.teams.inbound.quarterly.stretch",
    )
    assert "expected 3300 comes from the built-in default" in error.message


def test_operator_override_that_breaks_only_inside_a_team(tmp_path: Path) -> None:
    # Over the global daily line (40/60/80) stretch 65 is fine; over outbound's 50/70/90 it is not.
    extra = (
        "targets:\n  teams:\n    outbound: {daily: {minimum: 50, expected: 70, stretch: 90}}\n"
        "  operators:\n    sato.misaki:\n      daily: {stretch: 65}\n"
    )
    error, text = broken(tmp_path, extra)
    assert (error.line, error.key) == (
        line_of(text, "stretch: 65"),
        "targets.operators.sato.misaki.daily.stretch",
    )
    assert (
        "expected must not exceed stretch in the daily line for an operator of team outbound"
        in error.message
    )
    assert "expected 70 comes from targets.teams.outbound.daily.expected" in error.message


@pytest.mark.parametrize(
    ("override", "needle", "key", "suggestion"),
    [
        ("{daily: {minimun: 50}}", "minimun", "targets.teams.outbound.daily.minimun", "minimum"),
        ("{weekly: {minimum: 50}}", "weekly", "targets.teams.outbound.weekly", None),
        (
            "{quarterly: {sqls: {minimum: 1}}}",
            "sqls",
            "targets.teams.outbound.quarterly.sqls",
            "sql",
        ),
        (
            "{quarterly: {sql: {strech: 1}}}",
            "strech",
            "targets.teams.outbound.quarterly.sql.strech",
            "stretch",
        ),
    ],
)
def test_override_for_an_unknown_line_key(
    tmp_path: Path, override: str, needle: str, key: str, suggestion: str | None
) -> None:
    error, text = broken(tmp_path, f"targets:\n  teams:\n    outbound: {override}\n")
    assert (error.line, error.key) == (line_of(text, needle), key)
    assert f"unknown key '{key.rsplit('.', 1)[-1]}'" in error.message
    if suggestion:
        assert f"did you mean '{suggestion}'" in error.message


def test_operators_must_be_a_mapping(tmp_path: Path) -> None:
    error, text = broken(tmp_path, "targets:\n  operators: [sato.misaki]\n")
    assert (error.line, error.key) == (line_of(text, "operators:"), "targets.operators")
    assert "expected an operator -> targets mapping" in error.message


def test_bad_timezone(tmp_path: Path) -> None:
    error, text = broken(tmp_path, "calendar:\n  timezone: Asia/Tokio\n")
    assert (error.line, error.key) == (line_of(text, "Tokio"), "calendar.timezone")
    assert "unknown time zone 'Asia/Tokio' (did you mean 'Asia/Tokyo'?)" in error.message


def test_timezone_that_is_not_a_zone_key(tmp_path: Path) -> None:
    error, _ = broken(tmp_path, "calendar:\n  timezone: ../../etc/passwd\n")
    assert error.key == "calendar.timezone" and "unknown time zone" in error.message


@pytest.mark.parametrize(("month", "expected"), [(13, "12 or less"), (0, "1 or more")])
def test_bad_fiscal_month(tmp_path: Path, month: int, expected: str) -> None:
    error, text = broken(tmp_path, f"calendar:\n  fiscal_year_start: {month}\n")
    assert (error.line, error.key) == (
        line_of(text, "fiscal_year_start"),
        "calendar.fiscal_year_start",
    )
    assert f"must be {expected}" in error.message


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2026-02-30", "not a real date"),
        ("'2026/01/01'", "not a date"),
        ("2026-01-01 10:00", "not a date"),
        ("[2026, 1, 1]", "expected a date"),
    ],
)
def test_bad_date(tmp_path: Path, written: str, expected: str) -> None:
    extra = f"calendar:\n  non_working_days:\n    - 2026-01-01\n    - {written}\n"
    error, text = broken(tmp_path, extra)
    assert (error.line, error.key) == (
        line_of(text, f"- {written}"),
        "calendar.non_working_days[1]",
    )
    assert expected in error.message


def test_duplicate_holiday(tmp_path: Path) -> None:
    extra = (
        "calendar:\n  non_working_days:\n    - 2026-01-01\n    - 2026-01-12\n    - '2026-01-01'\n"
    )
    error, text = broken(tmp_path, extra)
    assert (error.line, error.key) == (
        line_of(text, "'2026-01-01'"),
        "calendar.non_working_days[2]",
    )
    first = line_of(text, "- 2026-01-01")
    assert f"2026-01-01 is listed twice (first at line {first})" in error.message


@pytest.mark.parametrize(
    ("weekend", "index", "expected"),
    [
        ("[sat, sunday]", 1, "unknown weekday 'sunday' (did you mean 'sun'?)"),
        ("[sat, sun, sat]", 2, "'sat' is listed twice"),
    ],
)
def test_bad_weekend(tmp_path: Path, weekend: str, index: int, expected: str) -> None:
    error, text = broken(tmp_path, f"calendar:\n  weekend: {weekend}\n")
    assert (error.line, error.key) == (line_of(text, "weekend"), f"calendar.weekend[{index}]")
    assert expected in error.message


def test_a_weekend_of_every_day(tmp_path: Path) -> None:
    error, text = broken(tmp_path, "calendar:\n  weekend: [mon, tue, wed, thu, fri, sat, sun]\n")
    assert (error.line, error.key) == (line_of(text, "weekend"), "calendar.weekend")
    assert "no day is a working day" in error.message


def test_unknown_calendar_key(tmp_path: Path) -> None:
    error, text = broken(tmp_path, "calendar:\n  holiday_list: [2026-01-01]\n")
    assert (error.line, error.key) == (line_of(text, "holiday_list"), "calendar.holiday_list")
    assert "unknown key 'holiday_list'" in error.message and "add_days_off" in error.message
