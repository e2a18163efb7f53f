"""A working calendar that runs out soon is said on screen, not only in a log."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from isdesk.rules import load_rules
from tests.support import factories as f
from tests.support.ui import SIZE, TODAY, make_app, settle


def _notices(app) -> list[str]:
    return [n.message for n in app._notifications]


@pytest.mark.parametrize("language", ["ja", "en"])
async def test_a_calendar_ending_within_the_quarter_is_announced(db, language: str) -> None:
    last = TODAY + dt.timedelta(days=20)
    rules = load_rules(None)
    # A company calendar typed in by hand, whose list stops three weeks from today.
    calendar = replace(rules.calendar, non_working_days=frozenset({TODAY, last}))
    app = make_app(db, f.operator("sato"), rules=replace(rules, calendar=calendar),
                   language=language)  # fmt: skip
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        notices = [n for n in _notices(app) if last.isoformat() in n]
    assert notices, _notices(app)
    assert ("rules.yaml" in notices[0]) and ("勤務カレンダー" in notices[0]) == (language == "ja")


async def test_the_japanese_holidays_calendar_says_nothing(db) -> None:
    app = make_app(db, f.operator("sato"))  # holidays: japan, computed for any year
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not [n for n in _notices(app) if "rules.yaml" in n]
