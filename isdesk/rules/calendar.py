"""The ``calendar:`` section of rules.yaml: the team's time zone, fiscal year start, weekend
and days off — Japan's public holidays by default, computed for any year, plus the company's own.

Kept out of rules.py (which holds the Rules dataclass and the table of sections) and read with
the same strict node-tree helpers, so a mistake is reported as file:line: key: how to fix it.
Pure: pyyaml + stdlib; the ``holidays`` package is imported only when a question about a day
is first asked (it takes ~150 ms to import, which start-up must not pay).

    calendar:
      timezone: Asia/Tokyo
      fiscal_year_start: 4          # April
      weekend: [sat, sun]
      holidays: japan               # japan (国民の祝日, 振替休日, 国民の休日) | none
      annual_days_off: [12-29, 12-30, 12-31, 01-02, 01-03]   # every year (年末年始)
      add_days_off: [2026-08-12]    # the company's own days off (創立記念日, 夏季休業 …)
      remove_days_off: [2026-11-23] # holidays the company works
      # non_working_days: [...]     # or: a complete list of days off, which replaces the above

A calendar answers up to its *horizon*: the first day it knows nothing about (the day after the
last day of a ``non_working_days`` list; 2100-01-01 for the holidays package, which computes
Japan's holidays to 2099). Asking past it warns (:class:`CalendarHorizonWarning`) once, naming
that day: the answer counts only weekends there.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

import yaml

from isdesk.rules.reader import Source, required_mapping

__all__ = [
    "HOLIDAY_SOURCES",
    "WEEKDAY_NAMES",
    "YEAR_END_CLOSING",
    "CalendarHorizonWarning",
    "CalendarRules",
    "japan_holidays",
    "parse_calendar",
]

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = date.weekday()
HOLIDAY_SOURCES = ("japan", "none")
# The year-end and New Year closing most Japanese companies keep (年末年始休業, 12/29-1/3);
# 1/1 is also a national holiday.
YEAR_END_CLOSING: tuple[tuple[int, int], ...] = ((12, 29), (12, 30), (12, 31), (1, 1), (1, 2),
                                                 (1, 3))  # fmt: skip
_MONTH_DAY = re.compile(r"(\d{1,2})-(\d{1,2})")


class CalendarHorizonWarning(UserWarning):
    """A question about a day past what the calendar knows; the message names the first day."""


@lru_cache(maxsize=1)
def _japan_class() -> Any:
    from holidays.countries.japan import Japan  # lazily: ~150 ms, only when a day is asked

    return Japan


@lru_cache(maxsize=256)
def japan_holidays(year: int) -> frozenset[date]:
    """Japan's public holidays of ``year`` (national, substitute and citizens' holidays)."""
    return frozenset(_japan_class()(years=year))


@lru_cache(maxsize=1024)
def _year_days_off(
    source: str,
    annual: tuple[tuple[int, int], ...],
    added: frozenset[date],
    removed: frozenset[date],
    year: int,
) -> frozenset[date]:
    days = set(japan_holidays(year)) if source == "japan" else set()
    for month, day in annual:
        if month == 2 and day == 29 and not _is_leap(year):
            continue
        days.add(date(year, month, day))
    days |= {d for d in added if d.year == year}
    return frozenset(days - removed)


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


_warned: set[tuple[date, str]] = set()


@dataclass(frozen=True, slots=True)
class CalendarRules:
    """The team's working calendar: local day boundaries, fiscal year, weekend and days off.

    Days off are ``non_working_days`` when that complete list is given (None: not given), else
    the ``holidays`` source's holidays plus ``annual_days_off`` (month, day) each year plus
    ``add_days_off``, less ``remove_days_off``.
    """

    timezone: str = "Asia/Tokyo"
    fiscal_year_start: int = 4  # the month the fiscal year starts (April)
    weekend: frozenset[int] = frozenset({5, 6})  # date.weekday() numbers, Monday = 0
    non_working_days: frozenset[date] | None = None
    holidays: str = "japan"  # one of HOLIDAY_SOURCES
    annual_days_off: tuple[tuple[int, int], ...] = YEAR_END_CLOSING
    add_days_off: frozenset[date] = frozenset()
    remove_days_off: frozenset[date] = frozenset()

    @property
    def zone(self) -> ZoneInfo:
        """The team's time zone (ZoneInfo caches instances, so this is cheap)."""
        return ZoneInfo(self.timezone)

    @property
    def horizon(self) -> date | None:
        """The first day this calendar cannot answer, or None when it answers every day."""
        if self.non_working_days is not None:
            return _list_horizon(self.non_working_days)
        if self.holidays == "japan":
            return date(int(_japan_class().end_year) + 1, 1, 1)
        return None

    def check(self, day: date) -> None:
        """Warn (once per horizon) when ``day`` is past what the calendar knows."""
        horizon = self.horizon
        if horizon is None or day < horizon:
            return
        key = (horizon, self.holidays if self.non_working_days is None else "list")
        if key in _warned:
            return
        _warned.add(key)
        last = horizon - dt.timedelta(days=1)
        how = (
            "calendar.non_working_days ends there: add the next years' days or drop the list "
            "for `holidays: japan`"
            if self.non_working_days is not None
            else "the holidays package has no later years: upgrade it"
        )
        warnings.warn(
            CalendarHorizonWarning(
                f"the working calendar knows days off only until {last.isoformat()}: from "
                f"{horizon.isoformat()} on it counts weekends only ({how})"
            ),
            stacklevel=3,
        )

    def is_day_off(self, day: date) -> bool:
        """True when ``day`` is a holiday or a company day off (weekends aside)."""
        self.check(day)
        if self.non_working_days is not None:
            return day in self.non_working_days
        return day in self._year(day.year)

    def days_off(self, start: date, end: date) -> list[date]:
        """The days off from ``start`` to ``end`` (both included), in order; weekends aside."""
        if end < start:
            return []
        self.check(end)
        if self.non_working_days is not None:
            return sorted(d for d in self.non_working_days if start <= d <= end)
        found: list[date] = []
        for year in range(start.year, end.year + 1):
            found.extend(d for d in self._year(year) if start <= d <= end)
        return sorted(found)

    def _year(self, year: int) -> frozenset[date]:
        return _year_days_off(
            self.holidays, self.annual_days_off, self.add_days_off, self.remove_days_off, year
        )


@lru_cache(maxsize=64)
def _list_horizon(days: frozenset[date]) -> date | None:
    return max(days) + dt.timedelta(days=1) if days else None


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
    explicit = None
    if "non_working_days" in fields:
        others = [k for k in _COMPOSED if k in fields]
        if others:
            source.fail(
                fields["non_working_days"],
                f"{path}.non_working_days",
                f"non_working_days is a complete list of days off and replaces {others[0]}: "
                "keep one — the list, or holidays with add_days_off / remove_days_off",
            )
        explicit = _day_list(source, fields["non_working_days"], f"{path}.non_working_days")
    holidays = default.holidays
    if "holidays" in fields:
        holidays = source.one_of(
            fields["holidays"], f"{path}.holidays", HOLIDAY_SOURCES, what="holiday source"
        )
    annual = default.annual_days_off
    if "annual_days_off" in fields:
        annual = _month_days(source, fields["annual_days_off"], f"{path}.annual_days_off")
    added: frozenset[date] = frozenset()
    removed: frozenset[date] = frozenset()
    if "add_days_off" in fields:
        added = _day_list(source, fields["add_days_off"], f"{path}.add_days_off")
    if "remove_days_off" in fields:
        removed = _day_list(source, fields["remove_days_off"], f"{path}.remove_days_off")
        both = sorted(added & removed)
        if both:
            source.fail(
                fields["remove_days_off"],
                f"{path}.remove_days_off",
                f"{both[0].isoformat()} is both added and removed: keep it in one list",
            )
    return CalendarRules(timezone, start, weekend, explicit, holidays, annual, added, removed)


def _day_list(source: Source, node: yaml.Node, at: str) -> frozenset[date]:
    first_line: dict[date, int] = {}
    for i, day_node in enumerate(source.sequence(node, at)):
        day = source.date(day_node, f"{at}[{i}]")
        if day in first_line:
            source.fail(
                day_node,
                f"{at}[{i}]",
                f"{day.isoformat()} is listed twice (first at line {first_line[day]}): "
                "remove the duplicate",
            )
        first_line[day] = source.line(day_node) or 0
    return frozenset(first_line)


def _month_days(source: Source, node: yaml.Node, at: str) -> tuple[tuple[int, int], ...]:
    found: list[tuple[int, int]] = []
    for i, day_node in enumerate(source.sequence(node, at)):
        written = source.text(day_node, f"{at}[{i}]")
        match = _MONTH_DAY.fullmatch(written)
        try:
            month, day = (int(x) for x in match.groups()) if match else (0, 0)
            date(2000, month, day)  # a leap year: 02-29 is allowed (skipped in other years)
        except ValueError:
            source.fail(
                day_node,
                f"{at}[{i}]",
                f"{written!r} is not a month and day: write MM-DD, e.g. 12-29",
            )
        if (month, day) in found:
            source.fail(day_node, f"{at}[{i}]", f"{written} is listed twice: remove one")
        found.append((month, day))
    return tuple(found)


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


_COMPOSED = ("holidays", "annual_days_off", "add_days_off", "remove_days_off")
_CALENDAR_FIELDS = {"timezone": False, "fiscal_year_start": False, "weekend": False,
                    "non_working_days": False, **dict.fromkeys(_COMPOSED, False)}  # fmt: skip
