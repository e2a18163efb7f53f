"""Follow-ups with a time of day, as operators type them (issue 10, item 5)."""

from __future__ import annotations

import datetime as dt

import pytest

from isdesk.domain.followup import parse_follow_up, parse_time_of_day
from isdesk.rules import load_rules

CAL = load_rules(None).calendar
TODAY = dt.date(2026, 12, 2)


def at(day: int, hour: int, minute: int = 0, month: int = 12) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=CAL.zone)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15時", at(2, 15)),
        ("15:00", at(2, 15)),
        ("15時30分", at(2, 15, 30)),
        ("午後3時", at(2, 15)),
        ("3時", at(2, 15)),  # the afternoon on a sales floor
        ("3時半", at(2, 15, 30)),
        ("午前10時", at(2, 10)),
        ("3pm", at(2, 15)),
        ("12/10 15:00", at(10, 15)),
        ("12/10 15時", at(10, 15)),
        ("明日 午後", at(3, 13)),
        ("明日午後", at(3, 13)),
        ("明日 夕方", at(3, 17)),
        ("tomorrow 3pm", at(3, 15)),
        ("12/10", at(10, 10)),  # a date alone: the first calling hour
        ("+5", at(7, 10)),
        ("１５時", at(2, 15)),  # full width
    ],
)
def test_a_follow_up_takes_a_time_of_day(text: str, expected: dt.datetime) -> None:
    assert parse_follow_up(text, TODAY, CAL) == expected


@pytest.mark.parametrize("text", ["", "そのうち", "25時", "12/10 25:00", "15:75"])
def test_what_is_no_time_is_refused(text: str) -> None:
    assert parse_follow_up(text, TODAY, CAL) is None


def test_parts_of_the_day() -> None:
    assert parse_time_of_day("午後") == dt.time(13)
    assert parse_time_of_day("朝") == dt.time(9)


def test_a_next_action_isdesk_wrote_reads_in_each_language_and_typed_text_as_typed() -> None:
    from isdesk.i18n import next_action_code, next_action_text, set_language

    stored = next_action_code("call")
    set_language("ja")
    assert next_action_text(stored) == "再架電"
    set_language("en")
    assert next_action_text(stored) == "Call back"
    assert next_action_text("見積書を送る") == "見積書を送る"
