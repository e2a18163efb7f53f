"""Hand-off to field sales and back, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from isdesk.i18n import set_language
from isdesk.rules import load_rules
from isdesk.services.handoff import (
    HandoffError,
    accept_handoff,
    bant_summary,
    hand_off,
    inbox,
    lead_answers,
    move_stage,
    reject_handoff,
)
from isdesk.services.leads import LeadAccessError, save_answer
from isdesk.services.queue import QueueQuery, queue_page
from isdesk.services.scorecard import operator_scorecard
from isdesk.store.models import Lead, LeadEvent
from isdesk.store.pipeline import Handoff
from tests.support import factories as f

RULES = load_rules(None)
TODAY = dt.date(2026, 11, 20)
JST = dt.timezone(dt.timedelta(hours=9))
NOW = dt.datetime(2026, 11, 20, 15, tzinfo=JST)

SQL_ANSWERS = {
    "pain": "Excel管理が限界",
    "budget": "300万",
    "timing": "2026-12-10",
    "authority": "情報システム部長",
    "competitors": "Salesforce",
    "purpose": "属人化の解消",
}


def _sql_lead(owner) -> int:
    lead_id = f.lead(owner)
    for key, value in SQL_ANSWERS.items():
        save_answer(owner, lead_id, key, value, base_version=0, rules=RULES, today=TODAY)
    return lead_id


@pytest.fixture
def people(db):
    return (
        f.operator("sato", display="佐藤"),
        f.operator("field1", team="field", role="field", display="営業 太郎"),
    )


def _lead(db, lead_id: int) -> Lead:
    with db.connection_context():
        return Lead.get_by_id(lead_id)


def _events(db, lead_id: int, kind: str) -> list[tuple[str, str, str]]:
    with db.connection_context():
        q = LeadEvent.select().where((LeadEvent.lead == lead_id) & (LeadEvent.kind == kind))
        return [(e.field, e.old_value, e.new_value) for e in q.order_by(LeadEvent.id)]


def test_the_note_starts_from_a_bant_summary() -> None:
    set_language("ja")
    note = bant_summary(RULES, SQL_ANSWERS)
    lines = note.splitlines()
    assert lines[0] == "【BANT】"
    assert lines[1] == "B 予算: 300万"
    assert "A 決裁者: 情報システム部長" in note and "T 導入時期: 2026-12-10" in note
    assert "競合: Salesforce" in note


def test_hand_off_then_accept_then_order(db, people) -> None:
    sato, field = people
    lead_id = _sql_lead(sato)
    note = bant_summary(RULES, lead_answers(lead_id))
    handoff_id = hand_off(sato, lead_id, "field1", note, RULES, now=NOW)
    lead = _lead(db, lead_id)
    assert (lead.status, lead.stage, lead.owner_id) == ("handed_off", "proposal", field.id)
    assert [v.id for v in inbox(field)] == [handoff_id]
    assert inbox(field)[0].note == note
    assert lead_id not in [r.id for r in queue_page(QueueQuery(actor=sato, now=NOW), 0)]

    accept_handoff(field, handoff_id, RULES, now=NOW)
    assert _lead(db, lead_id).stage == "opportunity"
    move_stage(field, lead_id, "quote", RULES, now=NOW)
    move_stage(field, lead_id, "order", RULES, now=NOW)
    lead = _lead(db, lead_id)
    assert (lead.stage, lead.status) == ("order", "won")
    assert [e[0] for e in _events(db, lead_id, "handoff")] == ["sent", "accepted"]
    assert [e[2] for e in _events(db, lead_id, "stage")] == [
        "proposal",
        "opportunity",
        "quote",
        "order",
    ]
    assert inbox(field) == []


def test_only_sql_leads_go_and_only_to_field_users(db, people) -> None:
    sato, _ = people
    f.operator("suzuki")
    not_sql = f.lead(sato)
    with pytest.raises(HandoffError, match="only an SQL lead"):
        hand_off(sato, not_sql, "field1", "note", RULES)
    lead_id = _sql_lead(sato)
    with pytest.raises(HandoffError, match="not an active field sales user"):
        hand_off(sato, lead_id, "suzuki", "note", RULES)
    with pytest.raises(HandoffError, match="write a note"):
        hand_off(sato, lead_id, "field1", "  ", RULES)
    with db.connection_context():
        assert Handoff.select().count() == 0


def test_rejected_as_not_qualified_returns_and_counts_against_the_operator(db, people) -> None:
    sato, field = people
    lead_id = _sql_lead(sato)
    handoff_id = hand_off(sato, lead_id, "field1", "BANT", RULES, now=NOW)
    reject_handoff(field, handoff_id, "not_qualified", RULES, comment="予算が未確定", now=NOW)
    lead = _lead(db, lead_id)
    assert (lead.status, lead.stage, lead.owner_id) == ("open", "list", sato.id)
    assert _events(db, lead_id, "handoff")[-1] == ("rejected", "sato", "not_qualified")
    assert operator_scorecard(sato, "sato", TODAY, RULES).rejected == 1
    with pytest.raises(HandoffError, match="already rejected"):
        accept_handoff(field, handoff_id, RULES)


def test_rejected_for_timing_comes_back_when_the_follow_up_is_due(db, people) -> None:
    sato, field = people
    lead_id = _sql_lead(sato)
    handoff_id = hand_off(sato, lead_id, "field1", "BANT", RULES, now=NOW)
    follow = NOW + dt.timedelta(days=30)
    reject_handoff(field, handoff_id, "timing", RULES, follow_up_at=follow, now=NOW)
    lead = _lead(db, lead_id)
    assert (lead.status, lead.owner_id, lead.next_action_at) == ("nurturing", sato.id, follow)
    in_queue = lambda now: lead_id in [r.id for r in queue_page(QueueQuery(actor=sato, now=now), 0)]  # noqa: E731
    assert not in_queue(NOW + dt.timedelta(days=29))
    assert in_queue(NOW + dt.timedelta(days=30))
    assert operator_scorecard(sato, "sato", TODAY, RULES).rejected == 0


def test_lost_after_meetings_is_recycled_to_inside_sales(db, people) -> None:
    sato, field = people
    lead_id = _sql_lead(sato)
    handoff_id = hand_off(sato, lead_id, "field1", "BANT", RULES, now=NOW)
    accept_handoff(field, handoff_id, RULES, now=NOW)
    move_stage(field, lead_id, "quote", RULES, now=NOW)
    with pytest.raises(HandoffError, match="already accepted"):
        reject_handoff(field, handoff_id, "not_qualified", RULES, now=NOW)  # too late for that
    reject_handoff(field, handoff_id, "lost", RULES, comment="価格で失注", now=NOW)
    lead = _lead(db, lead_id)
    assert (lead.status, lead.stage, lead.owner_id) == ("open", "list", sato.id)
    assert lead_id in [r.id for r in queue_page(QueueQuery(actor=sato, now=NOW), 0)]
    assert operator_scorecard(sato, "sato", TODAY, RULES).rejected == 0


def test_a_lead_of_an_operator_who_left_goes_back_unassigned(db, people) -> None:
    sato, field = people
    lead_id = _sql_lead(sato)
    handoff_id = hand_off(sato, lead_id, "field1", "BANT", RULES, now=NOW)
    with db.connection_context():
        from isdesk.store.models import Operator

        Operator.update(active=False).where(Operator.id == sato.id).execute()
    reject_handoff(field, handoff_id, "lost", RULES, now=NOW)
    assert _lead(db, lead_id).owner_id is None


def test_roles_guard_every_step(db, people) -> None:
    sato, field = people
    other_field = f.operator("field2", team="field", role="field")
    lead_id = _sql_lead(sato)
    handoff_id = hand_off(sato, lead_id, "field1", "BANT", RULES, now=NOW)
    with pytest.raises(LeadAccessError):
        accept_handoff(other_field, handoff_id, RULES)  # not addressed to them
    with pytest.raises(LeadAccessError):
        accept_handoff(sato, handoff_id, RULES)  # operators do not decide
    with pytest.raises(LeadAccessError):
        inbox(sato)
    with pytest.raises(HandoffError, match="reason"):
        reject_handoff(field, handoff_id, "bored", RULES)
    with pytest.raises(HandoffError, match="timing: give the date"):
        reject_handoff(field, handoff_id, "timing", RULES)
