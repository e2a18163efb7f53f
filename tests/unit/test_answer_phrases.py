"""Timing and budget answers as operators say them, Japanese and English (issue 10, item 6).

Today is Wednesday 2026-12-02, in fiscal year 2026 (April 2026 – March 2027). A phrase that
names a period means the end of it.
"""

from __future__ import annotations

from datetime import date

import pytest

from isdesk.domain.answers import parse_answer
from isdesk.rules import HearingItem, Label
from isdesk.rules.values import date_words, parse_amount, parse_amount_range, parse_date

TODAY = date(2026, 12, 2)

DATES = [
    ("来月", date(2027, 1, 31)),
    ("今月", date(2026, 12, 31)),
    ("今月中", date(2026, 12, 31)),
    ("月末", date(2026, 12, 31)),
    ("再来月", date(2027, 2, 28)),
    ("来月上旬", date(2027, 1, 10)),
    ("来月中旬", date(2027, 1, 20)),
    ("来月末", date(2027, 1, 31)),
    ("3月頃", date(2027, 3, 31)),  # March is ahead: this fiscal year's, next calendar year
    ("3月ごろ", date(2027, 3, 31)),
    ("3月中", date(2027, 3, 31)),
    ("3月末までに", date(2027, 3, 31)),
    ("4月上旬", date(2027, 4, 10)),
    ("12月中旬", date(2026, 12, 20)),
    ("12月", date(2026, 12, 31)),
    ("年度末", date(2027, 3, 31)),
    ("今年度中", date(2027, 3, 31)),
    ("来年度", date(2028, 3, 31)),
    ("来期", date(2028, 3, 31)),
    ("上期", date(2027, 9, 30)),  # this half is over: next fiscal year's first half
    ("下期", date(2027, 3, 31)),
    ("下半期", date(2027, 3, 31)),
    ("来期上期", date(2027, 9, 30)),
    ("年内", date(2026, 12, 31)),
    ("来年", date(2027, 12, 31)),
    ("来年4月", date(2027, 4, 30)),
    ("来年の4月頃", date(2027, 4, 30)),
    ("2027年4月", date(2027, 4, 30)),
    ("2027/4", date(2027, 4, 30)),
    ("2027年", date(2027, 12, 31)),
    ("令和9年4月1日", date(2027, 4, 1)),
    ("令和9年4月", date(2027, 4, 30)),
    ("令和元年5月1日", date(2019, 5, 1)),
    ("令和9年度", date(2028, 3, 31)),
    ("R9.4.1", date(2027, 4, 1)),
    ("r9.4.1", date(2027, 4, 1)),
    ("Ｒ９．４．１", date(2027, 4, 1)),  # full width
    ("来週", date(2026, 12, 13)),  # a week ends on Sunday
    ("今週中", date(2026, 12, 6)),
    ("再来週", date(2026, 12, 20)),
    ("3ヶ月以内", date(2027, 3, 2)),
    ("3か月後", date(2027, 3, 2)),
    ("半年後", date(2027, 6, 2)),
    ("2週間後", date(2026, 12, 16)),
    ("1年後", date(2027, 12, 2)),
    ("明後日", date(2026, 12, 4)),
    ("約3ヶ月後", date(2027, 3, 2)),
    ("遅くとも来月", date(2027, 1, 31)),
    ("12/1", date(2026, 12, 1)),  # yesterday: the nearest sensible 12/1, not next year's
    ("11/15", date(2026, 11, 15)),
    ("10/1", date(2027, 10, 1)),  # two months past: next year's
    ("next month", date(2027, 1, 31)),
    ("Next Week", date(2026, 12, 13)),
    ("end of the fiscal year", date(2027, 3, 31)),
    ("next fiscal year", date(2028, 3, 31)),
    ("in 3 months", date(2027, 3, 2)),
    ("within 2 weeks", date(2026, 12, 16)),
    ("March", date(2027, 3, 31)),
    ("end of March", date(2027, 3, 31)),
    ("early April", date(2027, 4, 10)),
    ("April 2027", date(2027, 4, 30)),
    ("H2", date(2027, 3, 31)),
    ("2027-01-31 (来月)", date(2027, 1, 31)),  # stored: read back as resolved, never again
]


@pytest.mark.parametrize(("text", "expected"), DATES, ids=[t for t, _ in DATES])
def test_timing_phrases_mean_the_end_of_the_period(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    "text",
    ["そのうち", "未定", "検討中", "13月", "令和9年2月30日", "soon", "next decade", "来来月"],
)
def test_words_that_name_no_date_are_not_read(text: str) -> None:
    assert parse_date(text, TODAY) is None


def test_a_fiscal_year_starting_in_january_ends_in_december() -> None:
    assert parse_date("年度末", TODAY, fiscal_start=1) == date(2026, 12, 31)
    assert parse_date("上期", TODAY, fiscal_start=1) == date(2027, 6, 30)


TIMING = HearingItem(key="timing", label=Label("導入時期", "Timing"), type="date")
BUDGET = HearingItem(key="budget", label=Label("予算", "Budget"), type="amount")


def test_a_phrase_is_stored_resolved_with_its_words_and_does_not_drift() -> None:
    parsed = parse_answer(TIMING, "来月", TODAY)
    assert parsed.canonical == "2027-01-31 (来月)"
    later = date(2027, 1, 20)  # read again weeks later, the stored answer means the same day
    assert parse_answer(TIMING, parsed.canonical, later).value == date(2027, 1, 31)
    assert parse_answer(TIMING, "+30", TODAY).canonical == "2027-01-01"  # no words to keep
    assert date_words("12/1") is None and date_words("年度末") == "年度末"


def test_unknown_words_still_count_as_heard_and_say_they_are_not_a_date() -> None:
    parsed = parse_answer(TIMING, "社内で検討中", TODAY)
    assert parsed.known and parsed.value is None and parsed.error == "date.invalid"


AMOUNTS = [
    ("約300万", (3_000_000, 3_000_000)),
    ("300万程度", (3_000_000, 3_000_000)),
    ("300万くらい", (3_000_000, 3_000_000)),
    ("300万円前後", (3_000_000, 3_000_000)),
    ("およそ1億", (100_000_000, 100_000_000)),
    ("500万以内", (5_000_000, 5_000_000)),
    ("上限500万", (5_000_000, 5_000_000)),
    ("300～500万", (3_000_000, 5_000_000)),
    ("300〜500万円", (3_000_000, 5_000_000)),
    ("300万-500万", (3_000_000, 5_000_000)),
    ("300万から500万", (3_000_000, 5_000_000)),
    ("1000~1500万", (10_000_000, 15_000_000)),
    ("about 3,000,000", (3_000_000, 3_000_000)),
]


@pytest.mark.parametrize(("text", "expected"), AMOUNTS, ids=[t for t, _ in AMOUNTS])
def test_amounts_as_said(text: str, expected: tuple[int, int]) -> None:
    assert parse_amount_range(text) == expected
    assert parse_amount(text) == expected[0]


@pytest.mark.parametrize("text", ["500～300万", "未定", "300万ドル", "-5", "約"])
def test_amounts_that_are_not(text: str) -> None:
    assert parse_amount_range(text) is None


def test_a_budget_range_keeps_both_ends() -> None:
    parsed = parse_answer(BUDGET, "300～500万", TODAY)
    assert (parsed.value, parsed.upper) == (3_000_000, 5_000_000)
