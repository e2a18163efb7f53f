"""Reading typed hearing answers: dates, amounts, yes/no, choices, text."""

from __future__ import annotations

from datetime import date

import pytest

from isdesk.domain.answers import ParsedAnswer, parse_answer
from isdesk.rules import HearingItem, Label
from isdesk.rules.values import parse_amount, parse_choice, parse_date, parse_yesno

TODAY = date(2026, 5, 1)


def item(kind: str, choices: tuple[str, ...] = ()) -> HearingItem:
    return HearingItem(key="x", label=Label("x", "x"), type=kind, choices=choices)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-22", date(2026, 12, 22)),
        ("2026/12/22", date(2026, 12, 22)),
        ("2026/1/5", date(2026, 1, 5)),
        ("2026年12月22日", date(2026, 12, 22)),
        ("２０２６年１２月２２日", date(2026, 12, 22)),  # full-width digits
        ("２０２６－１２－２２", date(2026, 12, 22)),
        ("12/22", date(2026, 12, 22)),  # this year
        ("12月22日", date(2026, 12, 22)),
        ("1/15", date(2027, 1, 15)),  # already past this year: next year
        ("5/1", date(2026, 5, 1)),  # today is not past
        ("4月30日", date(2026, 4, 30)),  # yesterday: the nearest sensible one (issue 10)
        ("3月1日", date(2027, 3, 1)),  # two months past: next year's
        ("+30", date(2026, 5, 31)),
        ("30d", date(2026, 5, 31)),
        ("30日後", date(2026, 5, 31)),
        ("＋３０", date(2026, 5, 31)),
        ("0d", TODAY),
        ("今日", TODAY),
        ("  2026-12-22  ", date(2026, 12, 22)),
    ],
)
def test_parse_date_reads_operator_forms(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    "text", ["2026-02-30", "13/1", "そのうち", "30", "soon", "2026-13", "12-22", "+", ""]
)
def test_parse_date_refuses_unreadable(text: str) -> None:
    assert parse_date(text, TODAY) is None


def test_parse_date_without_today_reads_only_absolute_dates() -> None:
    assert parse_date("2026-12-22", None) == date(2026, 12, 22)
    assert parse_date("12/22", None) is None
    assert parse_date("+30", None) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5000000", 5_000_000),
        ("5,000,000", 5_000_000),
        ("500万", 5_000_000),
        ("500万円", 5_000_000),
        ("1.5億", 150_000_000),
        ("3千万", 30_000_000),
        ("千万", 10_000_000),
        ("1億5000万", 150_000_000),
        ("¥1,200,000", 1_200_000),
        ("￥1,200,000", 1_200_000),  # full-width yen sign
        ("５００万", 5_000_000),  # full-width digits
        ("１，２００，０００円", 1_200_000),
        ("0", 0),
        ("2.5万", 25_000),
        (" 500 万 ", 5_000_000),
    ],
)
def test_parse_amount_reads_yen(text: str, expected: int) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    "text", ["", "lots", "-5", "1.5", "万", "5万3億", "1.5.3", "5k", "1e6", "未定", "500万ドル"]
)
def test_parse_amount_refuses_unreadable(text: str) -> None:
    assert parse_amount(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("y", True),
        ("YES", True),
        ("True", True),
        ("1", True),
        ("１", True),
        ("はい", True),
        ("有", True),
        ("あり", True),
        ("n", False),
        ("No", False),
        ("false", False),
        ("0", False),
        ("いいえ", False),
        ("無", False),
        ("なし", False),
        ("maybe", None),
        ("たぶん", None),
    ],
)
def test_parse_yesno(text: str, expected: bool | None) -> None:
    assert parse_yesno(text) is expected


def test_parse_choice_by_text_or_number() -> None:
    choices = ("Basic", "Pro", "オプション")
    assert parse_choice("pro", choices) == "Pro"
    assert parse_choice("ＰＲＯ", choices) == "Pro"  # full-width, any case
    assert parse_choice("2", choices) == "Pro"
    assert parse_choice("３", choices) == "オプション"
    assert parse_choice("4", choices) is None
    assert parse_choice("0", choices) is None
    assert parse_choice("Enterprise", choices) is None


def test_parse_answer_blank_is_unanswered() -> None:
    for raw in ("", "   ", "\u3000", None):
        assert parse_answer(item("date"), raw, TODAY) == ParsedAnswer(known=False)


@pytest.mark.parametrize(
    ("kind", "raw", "value", "canonical"),
    [
        ("text", " 現場が疲弊 ", "現場が疲弊", "現場が疲弊"),
        ("date", "12/22", date(2026, 12, 22), "2026-12-22"),
        ("amount", "500万円", 5_000_000, "5000000"),
        ("yesno", "はい", True, "yes"),
        ("yesno", "なし", False, "no"),
    ],
)
def test_parse_answer_gives_typed_canonical_values(
    kind: str, raw: str, value: object, canonical: str
) -> None:
    assert parse_answer(item(kind), raw, TODAY) == ParsedAnswer(True, value, canonical, None)


def test_parse_answer_choice() -> None:
    answer = parse_answer(item("choice", ("Basic", "Pro")), "2", TODAY)
    assert answer == ParsedAnswer(True, "Pro", "Pro", None)


@pytest.mark.parametrize(
    ("kind", "raw", "code"),
    [
        ("date", "そのうち", "date.invalid"),
        ("amount", "未定", "amount.invalid"),
        ("yesno", "検討中", "yesno.invalid"),
        ("choice", "Enterprise", "choice.invalid"),
    ],
)
def test_unreadable_answer_is_heard_with_an_error_code(kind: str, raw: str, code: str) -> None:
    answer = parse_answer(item(kind, ("Basic", "Pro")), raw, TODAY)
    assert answer.known is True
    assert answer.value is None
    assert answer.canonical is None
    assert answer.error == code
