"""Logging activities and the scorecard built from them, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from isdesk.rules import load_rules
from isdesk.services.activities import ActivityError, ActivityInput, log_activity
from isdesk.services.leads import LeadAccessError, save_answer
from isdesk.services.scorecard import ScorecardAccessError, operator_scorecard
from isdesk.store.models import Activity, Lead, LeadEvent
from tests.support import factories as f

RULES = load_rules(None)
JST = dt.timezone(dt.timedelta(hours=9))
TODAY = dt.date(2026, 11, 20)  # a Friday in FY2026 Q3 (Oct–Dec)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=JST)


def test_a_call_touches_the_lead_and_sets_the_follow_up(db) -> None:
    me = f.operator("sato")
    lead_id = f.lead(me)
    save_answer(me, lead_id, "timing", "2026-12-01", base_version=0, rules=RULES, today=TODAY)
    follow = at(dt.date(2026, 11, 24), 10)
    logged = log_activity(
        me,
        lead_id,
        ActivityInput(
            "call",
            "connected",
            duration_s=185,
            note="予算は来期",
            customer_voice=True,
            next_action_at=follow,
            next_action="再架電",
        ),
        now=at(TODAY, 14),
    )
    assert (logged.rank_after, logged.sql_after) == ("C", False)
    with db.connection_context():
        lead = Lead.get_by_id(lead_id)
        assert lead.last_touch_at == at(TODAY, 14)
        assert (lead.next_action_at, lead.next_action) == (follow, "再架電")
        row = Activity.get_by_id(logged.id)
        assert (row.kind, row.outcome, row.duration_s, row.customer_voice) == (
            "call",
            "connected",
            185,
            True,
        )
        event = LeadEvent.get((LeadEvent.lead == lead_id) & (LeadEvent.kind == "next_action"))
        assert event.note == "再架電"


def test_a_note_is_not_a_touch(db) -> None:
    me = f.operator("sato")
    lead_id = f.lead(me)
    log_activity(me, lead_id, ActivityInput("note", note="メモ"), now=at(TODAY, 9))
    with db.connection_context():
        assert Lead.get_by_id(lead_id).last_touch_at is None


@pytest.mark.parametrize(
    "entry, message",
    [
        (ActivityInput("fax"), "kind 'fax'"),
        (ActivityInput("call"), "call outcome"),
        (ActivityInput("email", "connected"), "only calls have an outcome"),
        (ActivityInput("call", "connected", duration_s=-1), "duration"),
        (ActivityInput("note", next_action_at=dt.datetime(2026, 11, 24, 10)), "time zone"),
    ],
)
def test_bad_activities_are_refused_and_nothing_is_written(db, entry, message) -> None:
    me = f.operator("sato")
    lead_id = f.lead(me)
    with pytest.raises(ActivityError, match=message):
        log_activity(me, lead_id, entry)
    with db.connection_context():
        assert Activity.select().count() == 0


def test_only_the_owner_or_their_lead_logs_on_a_lead(db) -> None:
    me = f.operator("sato")
    other = f.operator("kato", team="outbound")
    lead_id = f.lead(me)
    with pytest.raises(LeadAccessError):
        log_activity(other, lead_id, ActivityInput("email"))


def _log(actor, lead_id, kind, outcome, when):
    log_activity(actor, lead_id, ActivityInput(kind, outcome), now=when)


def test_scorecard_counts_today_the_quarter_and_the_day_boundary(db) -> None:
    me = f.operator("sato")
    lead_id = f.lead(me)
    for _ in range(3):
        _log(me, lead_id, "call", "no_answer", at(TODAY, 10))  # 3 × 1
    _log(me, lead_id, "call", "connected", at(TODAY, 11))  # 2
    _log(me, lead_id, "email", "", at(TODAY, 12))  # 1
    _log(me, lead_id, "appointment", "", at(TODAY, 23, 59))  # 5, still today in Tokyo
    _log(me, lead_id, "meeting", "", at(TODAY + dt.timedelta(days=1), 0, 1))  # tomorrow
    _log(me, lead_id, "meeting", "", at(dt.date(2026, 10, 1), 9))  # 3, first day of Q3
    _log(me, lead_id, "meeting", "", at(dt.date(2026, 9, 30), 18))  # Q2: not counted

    card = operator_scorecard(me, "sato", TODAY, RULES)
    assert card.today_counts == {"call": 4, "email": 1, "appointment": 1, "meeting": 0, "note": 0}
    assert card.today_connected == 1
    assert card.today_volume == 3 + 2 + 1 + 5
    assert card.today_tier == "below"  # daily minimum is 40
    assert card.quarter_volume == 11 + 3
    assert (card.quarter.start, card.quarter.end) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert card.trend[-1] == (TODAY, 11)
    days = [d for d, _ in card.trend]
    assert len(days) == 30 and dt.date(2026, 11, 3) not in days  # 文化の日 is not worked
    assert dt.date(2026, 11, 14) not in days  # nor a Saturday


def test_scorecard_sql_rank_ups_and_rejections(db) -> None:
    me = f.operator("sato")
    with db.connection_context():
        for lead_no in range(2):
            lead_id = f.lead(me)
            LeadEvent.create(
                lead=lead_id,
                actor=me.id,
                at=at(TODAY, 10),
                kind="rank",
                old_value="D",
                new_value="C",
            )
            LeadEvent.create(
                lead=lead_id,
                actor=me.id,
                at=at(TODAY, 11),
                kind="rank",
                old_value="C",
                new_value="A",
            )
            LeadEvent.create(
                lead=lead_id,
                actor=me.id,
                at=at(TODAY - dt.timedelta(days=lead_no * 7), 11),
                kind="sql",
                old_value="false",
                new_value="true",
            )
        LeadEvent.create(
            lead=lead_id,
            actor=None,
            at=at(TODAY, 15),
            kind="handoff",
            field="rejected",
            new_value="not_qualified",
            old_value="sato",
        )
    card = operator_scorecard(me, "sato", TODAY, RULES)
    assert (card.sql_today, card.sql_week, card.sql_quarter) == (1, 1, 2)
    assert (card.rank_up_leads, card.rank_up_steps) == (2, 6)
    assert card.rank_up_detail == {"D→A": 2}
    assert card.rejected == 1


def test_scorecard_is_private_to_the_operator_and_their_lead(db) -> None:
    me = f.operator("sato")
    boss = f.operator("boss", role="lead")
    other = f.operator("kato", team="outbound")
    assert operator_scorecard(boss, "sato", TODAY, RULES).operator == "sato"
    with pytest.raises(ScorecardAccessError):
        operator_scorecard(other, "sato", TODAY, RULES)
    with pytest.raises(ScorecardAccessError):
        operator_scorecard(me, "boss", TODAY, RULES)
