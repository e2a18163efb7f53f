"""The ``calendar:`` section of rules.yaml: the team's time zone, fiscal year start, weekend
and non-working days, with Japan's holidays as the default.

Kept out of rules.py (which holds the Rules dataclass and the table of sections) and read with
the same strict node-tree helpers, so a mistake is reported as file:line: key: how to fix it.
Pure: pyyaml + stdlib.

    calendar:
      timezone: Asia/Tokyo
      fiscal_year_start: 4          # April
      weekend: [sat, sun]
      non_working_days: [2026-01-01, 2026-01-02, ...]
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

import yaml

from isdesk.rules.reader import Source, required_mapping

__all__ = [
    "JAPAN_NON_WORKING_DAYS",
    "WEEKDAY_NAMES",
    "CalendarRules",
    "parse_calendar",
]

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = date.weekday()

# The calendar used when rules.yaml has no calendar.non_working_days: Japan's national holidays
# (国民の祝日, substitute holidays and the 9/22/2026 citizens' holiday) for 2026-2027 and the
# 12/29-1/3 year-end closing. The shipped default_rules.yaml lists the same days (a test checks).
JAPAN_NON_WORKING_DAYS: frozenset[date] = frozenset(
    date.fromisoformat(day)
    for day in """
    2026-01-01 2026-01-02 2026-01-03 2026-01-12 2026-02-11 2026-02-23 2026-03-20 2026-04-29
    2026-05-03 2026-05-04 2026-05-05 2026-05-06 2026-07-20 2026-08-11 2026-09-21 2026-09-22
    2026-09-23 2026-10-12 2026-11-03 2026-11-23 2026-12-29 2026-12-30 2026-12-31
    2027-01-01 2027-01-02 2027-01-03 2027-01-11 2027-02-11 2027-02-23 2027-03-21 2027-03-22
    2027-04-29 2027-05-03 2027-05-04 2027-05-05 2027-07-19 2027-08-11 2027-09-20 2027-09-23
    2027-10-11 2027-11-03 2027-11-23 2027-12-29 2027-12-30 2027-12-31
    2028-01-01 2028-01-02 2028-01-03
    """.split()  # noqa: SIM905 - a list literal would take 48 lines
)


@dataclass(frozen=True, slots=True)
class CalendarRules:
    """The team's working calendar: local day boundaries, fiscal year, weekend and holidays."""

    timezone: str = "Asia/Tokyo"
    fiscal_year_start: int = 4  # the month the fiscal year starts (April)
    weekend: frozenset[int] = frozenset({5, 6})  # date.weekday() numbers, Monday = 0
    non_working_days: frozenset[date] = JAPAN_NON_WORKING_DAYS

    @property
    def zone(self) -> ZoneInfo:
        """The team's time zone (ZoneInfo caches instances, so this is cheap)."""
        return ZoneInfo(self.timezone)


def parse_calendar(
    source: Source, node: yaml.Node, path: str, _: Mapping[str, Any]
) -> CalendarRules:
    fields = required_mapping(source, node, path, _CALENDAR_FIELDS, what="the calendar section")
    default = CalendarRules()
    timezone = default.timezone
    if "timezone" in fields:
        timezone = source.text(fields["timezone"], f"{path}.timezone")
        try:
            ZoneInfo(timezone)
        except (KeyError, ValueError, OSError) as exc:  # ZoneInfoNotFoundError is a KeyError
            close = difflib.get_close_matches(timezone, sorted(available_timezones()), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            source.fail(
                fields["timezone"],
                f"{path}.timezone",
                f"unknown time zone {timezone!r}{hint} ({exc.__class__.__name__}): write an "
                "IANA zone name such as Asia/Tokyo (case matters)",
            )
    start = default.fiscal_year_start
    if "fiscal_year_start" in fields:
        start = source.integer(
            fields["fiscal_year_start"], f"{path}.fiscal_year_start", minimum=1, maximum=12
        )
    weekend = default.weekend
    if "weekend" in fields:
        weekend = _parse_weekend(source, fields["weekend"], f"{path}.weekend")
    days = default.non_working_days
    if "non_working_days" in fields:
        at = f"{path}.non_working_days"
        first_line: dict[date, int] = {}
        for i, day_node in enumerate(source.sequence(fields["non_working_days"], at)):
            day = source.date(day_node, f"{at}[{i}]")
            if day in first_line:
                source.fail(
                    day_node,
                    f"{at}[{i}]",
                    f"{day.isoformat()} is listed twice (first at line {first_line[day]}): "
                    "remove the duplicate",
                )
            first_line[day] = source.line(day_node) or 0
        days = frozenset(first_line)
    return CalendarRules(timezone, start, weekend, days)


def _parse_weekend(source: Source, node: yaml.Node, path: str) -> frozenset[int]:
    numbers: list[int] = []
    for i, day_node in enumerate(source.sequence(node, path)):
        name = source.one_of(day_node, f"{path}[{i}]", WEEKDAY_NAMES, what="weekday")
        number = WEEKDAY_NAMES.index(name)
        if number in numbers:
            source.fail(day_node, f"{path}[{i}]", f"'{name}' is listed twice: remove one")
        numbers.append(number)
    if len(numbers) == len(WEEKDAY_NAMES):
        source.fail(
            node, path, "every day of the week is a weekend, so no day is a working day: "
            "list only the days off, e.g. [sat, sun]"
        )  # fmt: skip
    return frozenset(numbers)


_CALENDAR_FIELDS = {"timezone": False, "fiscal_year_start": False, "weekend": False,
                    "non_working_days": False}  # fmt: skip
