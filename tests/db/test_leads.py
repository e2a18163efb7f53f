"""Saving hearing answers: rank and SQL from the database, history, conflicts, permissions."""

from __future__ import annotations

import datetime as dt

import pytest

from isdesk.rules import load_rules
from isdesk.services.leads import LeadAccessError, load_lead, save_answer
from isdesk.store.models import Answer, Lead, LeadEvent
from tests.support import factories as f

RULES = load_rules(None)
TODAY = dt.date(2026, 11, 22)


def _save(actor, lead_id, item, value, base=None, **kw):
    if base is None:
        answers = load_lead(actor, lead_id).answers
        base = answers[item].version if item in answers else 0
    return save_answer(
        actor, lead_id, item, value, base_version=base, rules=RULES, today=TODAY, **kw
    )


def _events(db, lead_id: int, kind: str) -> list[tuple[str, str | None, str | None]]:
    with db.connection_context():
        query = LeadEvent.select().where((LeadEvent.lead == lead_id) & (LeadEvent.kind == kind))
        return [(e.field, e.old_value, e.new_value) for e in query.order_by(LeadEvent.id)]


def test_answers_raise_rank_and_make_sql_with_history(db) -> None:
    me = f.operator("sato")
    lead_id = f.lead(me)
    outcome = _save(me, lead_id, "timing", "2026-12-12")  # 20 days ahead
    assert outcome.saved and outcome.rank == "C" and outcome.rank_changed
    outcome = _save(me, lead_id, "competitors", "Salesforce と比較中")
    assert outcome.rank == "A"
    for item in ("pain", "budget", "authority"):
        outcome = _save(me, lead_id, item, "聞けた")
        assert not outcome.is_sql
    outcome = _save(me, lead_id, "purpose", "属人化の解消")
    assert outcome.is_sql and outcome.sql_changed  # 6 of 9 heard

    with db.connection_context():
        lead = Lead.get_by_id(lead_id)
    assert (lead.rank, lead.is_sql, lead.heard) == ("A", True, 6)
    assert _events(db, lead_id, "rank") == [("", "D", "C"), ("", "C", "A")]
    assert _events(db, lead_id, "sql") == [("", "false", "true")]
    assert ("timing", "", "2026-12-12") in _events(db, lead_id, "answer")


def test_keystroke_saves_record_history_once_settled(db) -> None:
    me = f.operator("sato")
    lead_id = f.lead(me)
    version = 0
    for text in ("E", "Ex", "Exc", "Excel"):
        outcome = _save(me, lead_id, "pain", text, base=version, record=False)
        version = outcome.answer.version
    assert _events(db, lead_id, "answer") == []
    _save(me, lead_id, "pain", "Excel", base=version, record=True)
    _save(me, lead_id, "pain", "Excel", record=True)  # settling again without a change
    assert _events(db, lead_id, "answer") == [("pain", "", "Excel")]
    with db.connection_context():
        assert Answer.get(Answer.lead == lead_id).value == "Excel"


def test_stale_save_is_refused_and_reports_theirs(db) -> None:
    sato = f.operator("sato", role="lead", display="佐藤")
    suzuki = f.operator("suzuki", display="鈴木")
    lead_id = f.lead(None)  # unassigned: both may work it
    _save(sato, lead_id, "budget", "300万")
    seen_by_suzuki = load_lead(suzuki, lead_id).answers["budget"].version
    _save(sato, lead_id, "budget", "500万")  # sato changes it again

    outcome = _save(suzuki, lead_id, "budget", "100万", base=seen_by_suzuki)
    assert not outcome.saved
    assert outcome.theirs is not None
    assert (outcome.theirs.value, outcome.theirs.updated_by) == ("500万", "佐藤")
    with db.connection_context():
        assert Answer.get(Answer.lead == lead_id).value == "500万"

    forced = _save(suzuki, lead_id, "budget", "100万", base=seen_by_suzuki, force=True)
    assert forced.saved
    with db.connection_context():
        assert Answer.get(Answer.lead == lead_id).value == "100万"


def test_roles_limit_who_changes_a_lead(db) -> None:
    boss = f.operator("boss", team="inbound", role="lead")
    mate = f.operator("sato", team="inbound")
    other = f.operator("kato", team="outbound")
    field = f.operator("field1", team="field", role="field")
    lead_id = f.lead(mate)

    with pytest.raises(LeadAccessError):
        _save(other, lead_id, "pain", "x", base=0)
    with pytest.raises(LeadAccessError):
        load_lead(field, lead_id)
    assert _save(boss, lead_id, "pain", "x", base=0).saved  # a lead manages their team
    with db.connection_context():
        assert Answer.select().count() == 1


def test_load_lead_returns_profile_answers_and_newest_history_first(db) -> None:
    me = f.operator("sato", display="佐藤")
    lead_id = f.lead(me, company="株式会社さくら", title="部長")
    _save(me, lead_id, "timing", "2026-12-01")
    detail = load_lead(me, lead_id)
    assert detail.profile.company == "株式会社さくら"
    assert detail.profile.owner == "佐藤"
    assert detail.answers["timing"].value == "2026-12-01"
    assert [h.kind for h in detail.history][:2] == ["rank", "answer"]
    assert detail.history[0].actor == "佐藤"
