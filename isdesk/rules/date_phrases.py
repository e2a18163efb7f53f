"""Timing answers as Japanese (and English) operators say them, read as a date.

来月, 3月頃, 年度末, 上期/下期, 来年4月, 2027年4月, 令和9年4月1日, R9.4.1, 3ヶ月以内, next month …
A phrase that names a period means the *end* of that period: "導入は来月" is satisfied by any
day of next month, so the last one is the date by which it happens. The fiscal year starts in
``fiscal_start`` (April, as in Japan, unless rules.yaml says otherwise). Pure: stdlib only.

The text given here is already NFKC-normalised and casefolded by ``values.parse_date``.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

REIWA_START = 2018  # 令和1年 = 2019

# Softeners operators add to any timing; they do not change the date meant.
_SOFT_SUFFIXES = (
    "までに", "くらい", "ぐらい", "ごろ", "あたり", "予定", "目処", "めど", "以内", "まで",
    "頃", "中", "位",
)  # fmt: skip
_SOFT_PREFIXES = ("遅くとも", "だいたい", "およそ", "大体", "約", "by ", "around ", "about ")


def month_end(year: int, month: int) -> date:
    """The last day of ``month`` of ``year`` (months past 12 roll into the next years)."""
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _fiscal_year_end(today: date, fiscal_start: int, years_ahead: int = 0) -> date:
    """The last day of the fiscal year containing ``today`` (plus ``years_ahead``)."""
    start_year = today.year if today.month >= fiscal_start else today.year - 1
    return date(start_year + 1 + years_ahead, fiscal_start, 1) - timedelta(days=1)


def _half_end(today: date, fiscal_start: int, half: int, years_ahead: int = 0) -> date:
    """End of the first (half=1) or second (half=2) half of the fiscal year; a first half that
    is already over means next year's."""
    start_year = today.year if today.month >= fiscal_start else today.year - 1
    start_year += years_ahead
    first_end = month_end(start_year, fiscal_start + 5)
    if half == 1:
        if first_end < today:
            first_end = month_end(start_year + 1, fiscal_start + 5)
        return first_end
    return month_end(start_year, fiscal_start + 11)


def _in_month(year: int, month: int, part: str) -> date | None:
    if not 1 <= month <= 12:
        return None
    if part in ("上旬", "初旬", "初め", "はじめ", "始め", "頭"):
        return date(year, month, 10)
    if part in ("中旬", "半ば", "なかば"):
        return date(year, month, 20)
    if part == "前半":
        return date(year, month, 15)
    return month_end(year, month)  # 下旬, 末, 後半, 中, 頃 or nothing: by the month's end


def _next_month_occurrence(today: date, month: int, part: str) -> date | None:
    """``month`` this year, or next year once that period is over."""
    found = _in_month(today.year, month, part)
    if found is not None and found < today:
        found = _in_month(today.year + 1, month, part)
    return found


def _strip_soft(s: str) -> str:
    s = s.strip()
    changed = True
    while changed:
        changed = False
        for prefix in _SOFT_PREFIXES:
            if s.startswith(prefix) and len(s) > len(prefix):
                s, changed = s[len(prefix) :].strip(), True
        for suffix in _SOFT_SUFFIXES:
            if s.endswith(suffix) and len(s) > len(suffix):
                s, changed = s[: -len(suffix)].strip(), True
    return s


_PART = r"(上旬|初旬|初め|はじめ|始め|頭|中旬|半ば|なかば|下旬|前半|後半|末|)"
_ERA = re.compile(r"(?:令和|r)\s*(\d{1,2}|元)\s*[年.]\s*(\d{1,2})\s*[月.]\s*(\d{1,2})\s*日?")
_ERA_MONTH = re.compile(r"(?:令和|r)\s*(\d{1,2}|元)\s*[年.]\s*(\d{1,2})\s*月?" + _PART)
_ERA_FY = re.compile(r"(?:令和|r)\s*(\d{1,2}|元)\s*年度\s*末?")
_YEAR_MONTH = re.compile(r"(\d{4})\s*(?:年|/|-|\.)\s*(\d{1,2})\s*月?" + _PART)
_YEAR_ONLY = re.compile(r"(\d{4})\s*年\s*末?")
_REL_YEAR_MONTH = re.compile(r"(今年|来年|再来年)\s*の?\s*(\d{1,2})\s*月" + _PART)
_MONTH = re.compile(r"(\d{1,2})\s*月" + _PART)
_REL_MONTH = re.compile(r"(今月|来月|再来月)" + _PART)
_REL_COUNT = re.compile(
    r"(\d{1,3}|半)\s*(か月|ヶ月|カ月|ヵ月|ケ月|ヶ月間|か月間|カ月間|週間|週|年|日)\s*(?:後|先)?"
)
_EN_IN = re.compile(r"(?:in|within)\s+(\d{1,3})\s+(day|days|week|weeks|month|months|year|years)")
_EN_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name} | {
    name.lower(): i for i, name in enumerate(calendar.month_abbr) if name
}
_EN_MONTH = re.compile(r"(?:end of\s+|late\s+|early\s+|mid[- ])?([a-z]+)(?:\s+(\d{4}))?")

_FIXED = {
    # this fiscal year / half, next fiscal year
    "年度末": ("fy", 0), "今年度": ("fy", 0), "今年度末": ("fy", 0), "今期": ("fy", 0),
    "今期末": ("fy", 0), "期末": ("fy", 0), "来年度": ("fy", 1), "来年度末": ("fy", 1),
    "来期": ("fy", 1), "来期末": ("fy", 1), "上期": ("h1", 0), "上半期": ("h1", 0),
    "今期上期": ("h1", 0), "下期": ("h2", 0), "下半期": ("h2", 0), "今期下期": ("h2", 0),
    "来期上期": ("h1", 1), "来期下期": ("h2", 1), "来年度上期": ("h1", 1),
    "来年度下期": ("h2", 1),
    # calendar years and months
    "年内": ("year", 0), "今年": ("year", 0), "年末": ("year", 0), "来年": ("year", 1),
    "再来年": ("year", 2), "月末": ("month", 0), "今月末": ("month", 0),
    # weeks (a week ends on Sunday)
    "今週": ("week", 0), "来週": ("week", 1), "再来週": ("week", 2),
    # English
    "next month": ("month", 1), "this month": ("month", 0), "end of month": ("month", 0),
    "end of the month": ("month", 0), "next week": ("week", 1), "this week": ("week", 0),
    "end of fiscal year": ("fy", 0), "end of the fiscal year": ("fy", 0),
    "fiscal year end": ("fy", 0), "fiscal year-end": ("fy", 0), "next fiscal year": ("fy", 1),
    "this year": ("year", 0), "end of year": ("year", 0), "end of the year": ("year", 0),
    "next year": ("year", 1), "h1": ("h1", 0), "h2": ("h2", 0), "first half": ("h1", 0),
    "second half": ("h2", 0),
}  # fmt: skip


def _fixed(kind: str, ahead: int, today: date, fiscal_start: int) -> date:
    if kind == "fy":
        return _fiscal_year_end(today, fiscal_start, ahead)
    if kind == "h1":
        return _half_end(today, fiscal_start, 1, ahead)
    if kind == "h2":
        return _half_end(today, fiscal_start, 2, ahead)
    if kind == "year":
        return date(today.year + ahead, 12, 31)
    if kind == "month":
        return month_end(today.year, today.month + ahead)
    return today + timedelta(days=6 - today.weekday() + 7 * ahead)  # week: its Sunday


def _era_year(text: str) -> int:
    return REIWA_START + (1 if text == "元" else int(text))


def parse_date_phrase(s: str, today: date, fiscal_start: int = 4) -> date | None:
    """The date a timing phrase means (the end of the period it names); None if it names none.

    ``s`` is normalised text (see the module docstring).
    """
    try:
        return _parse(s, today, fiscal_start)
    except ValueError:  # a day that does not exist (令和9年2月30日)
        return None


def _parse(s: str, today: date, fiscal_start: int) -> date | None:
    if m := _ERA.fullmatch(s):
        return date(_era_year(m[1]), int(m[2]), int(m[3]))
    if s not in _FIXED:
        s = _strip_soft(s)
    if s in _FIXED:
        return _fixed(*_FIXED[s], today, fiscal_start)
    if m := _ERA.fullmatch(s):
        return date(_era_year(m[1]), int(m[2]), int(m[3]))
    if m := _ERA_FY.fullmatch(s):  # 令和9年度: the fiscal year that starts in 2027
        return _fiscal_year_end(date(_era_year(m[1]), fiscal_start, 1), fiscal_start)
    if m := _ERA_MONTH.fullmatch(s):
        return _in_month(_era_year(m[1]), int(m[2]), m[3])
    if m := _YEAR_MONTH.fullmatch(s):
        return _in_month(int(m[1]), int(m[2]), m[3])
    if m := _YEAR_ONLY.fullmatch(s):
        return date(int(m[1]), 12, 31)
    if m := _REL_YEAR_MONTH.fullmatch(s):
        ahead = {"今年": 0, "来年": 1, "再来年": 2}[m[1]]
        return _in_month(today.year + ahead, int(m[2]), m[3])
    if m := _REL_MONTH.fullmatch(s):
        ahead = {"今月": 0, "来月": 1, "再来月": 2}[m[1]]
        first = month_end(today.year, today.month + ahead)
        return _in_month(first.year, first.month, m[2])
    if m := _MONTH.fullmatch(s):
        return _next_month_occurrence(today, int(m[1]), m[2])
    if m := _REL_COUNT.fullmatch(s):
        return _relative(today, m[1], m[2])
    if m := _EN_IN.fullmatch(s):
        unit = {"day": "日", "week": "週", "month": "か月", "year": "年"}[m[2].rstrip("s")]
        return _relative(today, m[1], unit)
    if (m := _EN_MONTH.fullmatch(s)) and m[1] in _EN_MONTHS:
        month = _EN_MONTHS[m[1]]
        part = "上旬" if s.startswith("early") else "中旬" if s.startswith("mid") else ""
        if m[2]:
            return _in_month(int(m[2]), month, part)
        return _next_month_occurrence(today, month, part)
    return None


def _relative(today: date, count: str, unit: str) -> date | None:
    months = 6 if count == "半" else None
    n = int(count) if count != "半" else 0
    if unit.startswith(("か月", "ヶ月", "カ月", "ヵ月", "ケ月")):
        return _add_months(today, months if months is not None else n)
    if months is not None:
        return _add_months(today, 6) if unit == "年" else None  # 半年
    if unit in ("週間", "週"):
        return today + timedelta(weeks=n)
    if unit == "年":
        return _add_months(today, 12 * n)
    if unit == "日":
        return today + timedelta(days=n)
    return None
