"""``isdesk demo`` data: deterministic, believable, consistent with the rules and the event log."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from peewee import Database

from isdesk.demo import DemoError, DemoSummary, build_demo
from isdesk.domain.kpi import fiscal_quarter, period_bounds_utc
from isdesk.domain.qualification import evaluate
from isdesk.i18n import current_language, set_language
from isdesk.rules import load_rules
from isdesk.services.handoff import bant_summary, inbox
from isdesk.services.operators import find_operator
from isdesk.services.scorecard import operator_scorecard
from isdesk.store.db import database_proxy, open_database
from isdesk.store.models import Activity, Answer, Campaign, Lead, LeadEvent, Operator
from isdesk.store.pipeline import Handoff
from isdesk.store.schema import upgrade

TODAY = dt.date(2026, 11, 24)
JST = dt.timezone(dt.timedelta(hours=9))
NOW = dt.datetime(2026, 11, 24, 17, 0, tzinfo=JST)  # the demo's "now"
END_OF_TODAY = dt.datetime(2026, 11, 25, 0, 0, tzinfo=JST)
CAMPAIGN_KIND = {
    "セミナー": "seminar",
    "ウェビナー": "webinar",
    "展示会": "trade_show",
    "資料請求": "download",
    "無料トライアル": "trial",
    "紹介": "referral",
}


def _build(db: Database, leads: int = 500, seed: int = 7, **kw: object) -> DemoSummary:
    with db.connection_context():
        return build_demo(leads=leads, seed=seed, today=TODAY, me="tester", **kw)


def _digest(db: Database) -> str:
    """A hash of every demo row, in id order, as the models read it back."""
    h = hashlib.sha256()
    with db.connection_context():
        for model in (Operator, Campaign, Lead, Handoff, Answer, LeadEvent, Activity):
            for row in model.select().order_by(model.id).tuples().iterator():
                h.update(repr(row).encode())
    return h.hexdigest()


def _fresh_sqlite(path: Path) -> Database:
    other = open_database(f"sqlite:///{path}")  # rebinds the models' proxy to it
    upgrade(other)
    return other


def test_same_seed_gives_identical_rows_on_either_backend(db, tmp_path: Path) -> None:
    _build(db, leads=400)
    first = _digest(db)
    try:
        again = _fresh_sqlite(tmp_path / "again.sqlite3")
        _build(again, leads=400)
        assert _digest(again) == first  # and SQLite == PostgreSQL when db is PostgreSQL
        other = _fresh_sqlite(tmp_path / "other.sqlite3")
        _build(other, leads=400, seed=8)
        assert _digest(other) != first
    finally:
        database_proxy.initialize(db)


def test_summary_counts_and_progress(db) -> None:
    seen: list[tuple[int, int]] = []
    summary = _build(db, leads=2000, progress=lambda done, total: seen.append((done, total)))
    with db.connection_context():
        assert summary == DemoSummary(
            operators=Operator.select().count(),
            campaigns=Campaign.select().count(),
            leads=2000,
            answers=Answer.select().count(),
            events=LeadEvent.select().count(),
            activities=Activity.select().count(),
            me="tester",
            handoffs=Handoff.select().count(),
        )
        assert summary.handoffs > 0
        # Ids were given explicitly: the next insert must still get a fresh one (PG sequences).
        lead = Lead.create(company="株式会社あとから", acquired_at=NOW)
        assert lead.id == 2001
        sender, field = Handoff.select(Handoff.from_operator, Handoff.to_user).tuples().first()
        handoff = Handoff.create(lead=lead.id, from_operator=sender, to_user=field, note="x")
        assert handoff.id == summary.handoffs + 1
    assert seen[0] == (0, 2000) and seen[-1] == (2000, 2000)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    # ~5 touches of its own a lead, plus the daily redials that make up the volume lines
    assert summary.activities / summary.leads >= 3.5


def test_stored_qualification_equals_evaluate(db) -> None:
    _build(db, leads=600)
    rules = load_rules(None)
    with db.connection_context():
        answers: dict[int, dict[str, str]] = defaultdict(dict)
        for lead_id, item, value in Answer.select(Answer.lead, Answer.item, Answer.value).tuples():
            answers[lead_id][item] = value
        leads = list(Lead.select())
    ranks = Counter()
    for lead in leads:
        q = evaluate(rules, answers.get(lead.id, {}), TODAY)
        assert (lead.rank, bool(lead.is_sql), lead.heard) == (q.rank, q.sql, q.heard), lead.id
        ranks[lead.rank] += 1
    assert set(ranks) == {"A", "B", "C", "D"}  # every rung of the ladder is represented
    assert sum(1 for lead in leads if lead.is_sql) >= 20


def test_people_reach_and_japanese_text(db) -> None:
    _build(db, leads=600)
    with db.connection_context():
        ops = {o.id: o for o in Operator.select()}
        leads = list(Lead.select())
        teams = Counter(o.team for o in ops.values())
    assert teams["inbound"] >= 5 and teams["outbound"] >= 4 and teams["field"] >= 3
    for team in ("inbound", "outbound"):
        assert any(o.role == "lead" and o.team == team and o.active for o in ops.values())
    me = next(o for o in ops.values() if o.name == "tester")
    assert (me.role, me.team, me.active) == ("lead", "inbound", True)
    owned = Counter(lead.owner_id for lead in leads if lead.owner_id)
    inbound_ops = [o.id for o in ops.values() if o.team == "inbound" and o.active]
    assert owned[me.id] >= 0.6 * sum(owned[i] for i in inbound_ops) / len(inbound_ops)
    assert 0.08 <= sum(1 for lead in leads if lead.owner_id is None) / len(leads) <= 0.25
    for lead in leads:
        assert lead.phone or lead.email, lead.id
        if lead.owner_id is not None:
            assert ops[lead.owner_id].active, lead.id
        assert lead.search_text and " " not in lead.search_text
    assert all(o.display_name for o in ops.values())
    assert any("株式会社" in lead.company for lead in leads)
    assert sum(1 for lead in leads if lead.contact and " " in lead.contact) > len(leads) / 2
    assert any("@" in lead.email and lead.email.isascii() for lead in leads)


def test_leads_are_spread_over_the_year_and_tied_to_campaigns(db) -> None:
    _build(db, leads=1000)
    with db.connection_context():
        campaigns = {c.id: c for c in Campaign.select()}
        leads = list(Lead.select().order_by(Lead.id))
    kinds = Counter(c.kind for c in campaigns.values())
    assert 45 <= kinds["seminar"] + kinds["webinar"] <= 60
    assert kinds["trade_show"] >= 3 and kinds["download"] >= 3 and kinds["trial"] >= 2
    start = NOW - dt.timedelta(days=366)
    for lead in leads:
        assert start <= lead.acquired_at < NOW, lead.id
        kind = CAMPAIGN_KIND.get(lead.source)
        if kind is None:
            assert lead.campaign_id is None
        else:
            assert campaigns[lead.campaign_id].kind == kind, lead.id
            if kind in ("seminar", "webinar", "trade_show"):
                assert campaigns[lead.campaign_id].held_on <= lead.acquired_at.date()
    assert [lead.acquired_at for lead in leads] == sorted(lead.acquired_at for lead in leads)
    half = NOW - dt.timedelta(days=183)
    recent = sum(1 for lead in leads if lead.acquired_at >= half)
    assert recent > 1.3 * (len(leads) - recent)  # more recent leads are more numerous
    statuses = Counter(lead.status for lead in leads)
    assert statuses["open"] > len(leads) / 2
    assert {"handed_off", "nurturing", "won", "lost"} <= set(statuses)
    allowed = {
        "open": {"list", "proposal"},
        # A timing rejection leaves the stage where field sales had it.
        "nurturing": {"list", "proposal", "opportunity", "quote"},
        "handed_off": {"proposal", "opportunity", "quote"},  # proposal: waiting in an inbox
        "won": {"order"},
        "lost": {"list", "proposal"},
    }
    for lead in leads:
        assert lead.stage in allowed[lead.status], (lead.id, lead.status, lead.stage)


def test_event_log_tells_the_same_story_as_the_leads(db) -> None:
    _build(db, leads=600)
    with db.connection_context():
        leads = {lead.id: lead for lead in Lead.select()}
        names = {o.id: o.name for o in Operator.select()}
        answers = {(a.lead_id, a.item): a.value for a in Answer.select()}
        events: dict[int, list[LeadEvent]] = defaultdict(list)
        for e in LeadEvent.select().order_by(LeadEvent.id):
            events[e.lead_id].append(e)
    assert set(events) == set(leads)
    for lead_id, evs in events.items():
        lead = leads[lead_id]
        assert [e.kind for e in evs].count("created") == 1 and evs[0].kind == "created"
        assert evs[0].at == lead.acquired_at
        times = [e.at for e in evs]
        assert times == sorted(times), lead_id  # id order is time order
        assert times[-1] < END_OF_TODAY
        last: dict[tuple[str, str], str | None] = {}
        for e in evs:
            last[(e.kind, e.field)] = e.new_value
        if ("rank", "") in last:
            assert last[("rank", "")] == lead.rank, lead_id
        else:
            assert lead.rank == "D"  # never left the floor
        assert last.get(("sql", ""), "false") == ("true" if lead.is_sql else "false")
        assert last.get(("status", ""), "open") == lead.status
        assert last.get(("stage", ""), "list") == lead.stage
        # "" is nobody: a rejected hand-off whose sender had left goes back unassigned.
        owner = last.get(("owner", "")) or None
        assert owner == (names[lead.owner_id] if lead.owner_id else None), lead_id
        for (kind, field), value in last.items():
            if kind == "answer":
                assert answers[(lead_id, field)] == value
        assert sum(1 for (k, _) in last if k == "answer") == sum(
            1 for (lid, _) in answers if lid == lead_id
        )


def test_activities_touches_and_next_actions(db) -> None:
    _build(db, leads=1000)
    with db.connection_context():
        leads = list(Lead.select())
        acts: dict[int, list[Activity]] = defaultdict(list)
        for a in Activity.select().order_by(Activity.id):
            acts[a.lead_id].append(a)
        follow_ups = {
            h.lead_id: h.follow_up_at for h in Handoff.select().where(Handoff.reason == "timing")
        }
    kinds = Counter()
    for a in (a for group in acts.values() for a in group):
        kinds[a.kind] += 1
        local = a.at.astimezone(JST)
        assert local.weekday() < 5 and 9 <= local.hour < 19, a.id  # weekday business hours
        assert a.at < NOW
        if a.kind == "call":
            assert a.outcome in {"connected", "no_answer", "voicemail", "wrong_number", "refused"}
            if a.outcome == "connected":
                assert 60 <= a.duration_s <= 900
            else:
                assert a.duration_s == 0
    assert set(kinds) == {"call", "email", "appointment", "meeting", "note"}
    overdue = upcoming = 0
    for lead in leads:
        mine = acts.get(lead.id, [])
        assert lead.last_touch_at == (max(a.at for a in mine) if mine else None), lead.id
        if not mine:
            assert lead.next_action_at is None and lead.next_action == ""
        if lead.status == "nurturing" and lead.id in follow_ups:
            # Put off by field sales (timing): due again on the follow-up date they gave.
            assert lead.next_action_at == follow_ups[lead.id] > lead.last_touch_at, lead.id
            assert lead.next_action
            continue
        if lead.next_action_at is not None:
            assert lead.status == "open" and lead.next_action and mine
            assert lead.next_action_at > lead.last_touch_at
            assert lead.next_action_at < NOW + dt.timedelta(days=22)
            if lead.next_action_at < NOW:
                overdue += 1
            else:
                upcoming += 1
    touched_open = sum(1 for lead in leads if lead.status == "open" and acts.get(lead.id))
    assert overdue > 0 and upcoming > 0
    assert overdue + upcoming > 0.6 * touched_open  # most open, touched leads have a next step
    assert any(lead.status == "open" and lead.owner_id and not acts.get(lead.id) for lead in leads)


def test_non_empty_database_is_refused_and_left_alone(db) -> None:
    with db.connection_context():
        Operator.create(name="someone", display_name="誰か", team="inbound")
    with pytest.raises(DemoError, match="database is not empty"):
        _build(db, leads=50)
    with db.connection_context():
        assert Operator.select().count() == 1
        assert Campaign.select().count() == 0 and Lead.select().count() == 0


def test_me_can_be_one_of_the_demo_logins(tmp_path: Path) -> None:
    db = _fresh_sqlite(tmp_path / "me.sqlite3")
    with db.connection_context():
        build_demo(leads=100, seed=1, today=TODAY, me="sato.misaki")
        mine = Operator.select().where(Operator.name == "sato.misaki")
        assert [(o.role, o.team, o.active) for o in mine] == [("lead", "inbound", True)]
        assert Lead.select().where(Lead.owner == mine[0]).count() > 0


CUSTOM_RULES = """
version: 1
hearing:
  - key: plan
    label: {ja: プラン, en: Plan}
    type: choice
    choices: [基本プラン, 上位プラン, オプション]
  - key: has_budget
    label: {ja: 予算あり, en: Budget}
    bant: B
    type: yesno
  - key: go_live
    label: {ja: 導入時期, en: Timing}
    bant: T
    type: date
sql:
  heard_at_least: 3
ranks:
  - rank: A
    when: {all: [{equals: {has_budget: true}}, {within_days: {go_live: 60}}]}
  - rank: C
    when: {known: plan}
  - rank: D
    when: always
"""


def test_a_teams_own_rules_shape_the_answers(tmp_path: Path) -> None:
    from isdesk.rules import parse_rules

    rules = parse_rules(CUSTOM_RULES, "team.yaml")
    db = _fresh_sqlite(tmp_path / "custom.sqlite3")
    with db.connection_context():
        build_demo(leads=300, seed=3, today=TODAY, rules=rules)
        answers: dict[int, dict[str, str]] = defaultdict(dict)
        for a in Answer.select():
            answers[a.lead_id][a.item] = a.value
        leads = list(Lead.select())
    assert {item for values in answers.values() for item in values} == {
        "plan",
        "has_budget",
        "go_live",
    }
    for values in answers.values():
        assert values.get("plan", "基本プラン") in ("基本プラン", "上位プラン", "オプション")
        assert values.get("has_budget", "はい") in ("はい", "いいえ")
        dt.date.fromisoformat(values.get("go_live", "2026-01-01"))
    for lead in leads:
        q = evaluate(rules, answers.get(lead.id, {}), TODAY)
        assert (lead.rank, bool(lead.is_sql), lead.heard) == (q.rank, q.sql, q.heard)
    assert {lead.rank for lead in leads} <= {"A", "C", "D"}


def _answers_as_of(events: list[LeadEvent], at: dt.datetime) -> dict[str, str]:
    answers: dict[str, str] = {}
    for e in events:
        if e.kind == "answer" and e.at <= at:
            answers[e.field] = e.new_value
    return answers


def test_handoffs_follow_the_products_conventions(db) -> None:
    """Hand-off rows and their events as isdesk.services.handoff writes them."""
    _build(db, leads=2000)
    rules = load_rules(None)
    with db.connection_context():
        ops = {o.id: o for o in Operator.select()}
        leads = {lead.id: lead for lead in Lead.select()}
        handoffs = list(Handoff.select().order_by(Handoff.id))
        events: dict[int, list[LeadEvent]] = defaultdict(list)
        for e in LeadEvent.select().order_by(LeadEvent.id):
            events[e.lead_id].append(e)
    sent = [e for evs in events.values() for e in evs if (e.kind, e.field) == ("handoff", "sent")]
    assert len(sent) == len(handoffs)
    language = current_language()
    set_language("ja")
    try:
        notes = {
            h.id: bant_summary(rules, _answers_as_of(events[h.lead_id], h.created_at))
            for h in handoffs
        }
    finally:
        set_language(language)
    reasons: Counter[tuple[str, str]] = Counter()
    for h in handoffs:
        reasons[(h.status, h.reason)] += 1
        lead, evs = leads[h.lead_id], events[h.lead_id]
        sender, field = ops[h.from_operator_id], ops[h.to_user_id]
        # (The sender may be in field sales by now: one operator rotates there in the year.)
        assert field.role == "field" and sender.id != field.id, h.id
        assert h.note == notes[h.id] and h.note.startswith("【BANT】"), h.id
        assert h.created_at < NOW
        assert [(e.at, e.actor_id, e.new_value, e.note) for e in evs if e.field == "sent"] == [
            (h.created_at, sender.id, field.name, h.note)
        ], h.id
        decisions = [e for e in evs if e.kind == "handoff" and e.field != "sent"]
        if h.status == "pending":
            assert h.decided_at is None and not decisions, h.id
            assert h.created_at >= NOW - dt.timedelta(days=8), h.id
            assert (lead.status, lead.stage, lead.owner_id) == ("handed_off", "proposal", field.id)
            continue
        assert h.created_at < h.decided_at < NOW, h.id
        accepted = [e for e in decisions if e.field == "accepted"]
        rejected = [e for e in decisions if e.field == "rejected"]
        if h.reason != "not_qualified":  # accepted first, then met, then decided on
            assert [(e.actor_id, e.new_value) for e in accepted] == [(field.id, field.name)]
            assert h.created_at < accepted[0].at <= h.decided_at, h.id
        if h.status == "accepted":
            assert not rejected and accepted[0].at == h.decided_at, h.id
            assert lead.status in ("handed_off", "won") and lead.owner_id == field.id, h.id
            assert lead.stage in ("opportunity", "quote", "order"), h.id
            continue
        assert h.status == "rejected" and len(rejected) == 1, h.id
        e = rejected[0]
        assert (e.at, e.actor_id, e.old_value, e.new_value, e.note) == (
            h.decided_at,
            field.id,
            sender.name,
            h.reason,
            h.comment,
        ), h.id
        assert h.comment, h.id
        # Back to the operator who handed it off, right then (or to nobody if they had left).
        owner_back = next(x for x in evs if x.kind == "owner" and x.at >= e.at)
        assert owner_back.at == e.at and owner_back.old_value == field.name, h.id
        assert owner_back.new_value in (sender.name, ""), h.id
        if h.reason == "not_qualified":
            assert not accepted and h.follow_up_at is None, h.id
            assert h.decided_at - h.created_at < dt.timedelta(days=10), h.id
            assert (lead.status, lead.stage) == ("open", "list"), h.id
            if sender.active and sender.role != "field":
                assert lead.owner_id == sender.id, h.id
        elif h.reason == "timing":
            assert h.follow_up_at > h.decided_at, h.id
            assert lead.status == "nurturing" and lead.next_action_at == h.follow_up_at, h.id
            assert h.follow_up_at.astimezone(JST).hour == 10  # isdesk.domain.followup's hour
        else:
            assert h.reason == "lost" and h.follow_up_at is None, h.id
            assert (lead.status, lead.stage) == ("open", "list"), h.id
        if sender.active and sender.role != "field":
            assert lead.owner_id == sender.id, h.id
    decided = sum(n for (status, _), n in reasons.items() if status != "pending")
    assert 0.08 <= reasons[("rejected", "not_qualified")] / decided <= 0.2, reasons
    assert reasons[("rejected", "timing")] and reasons[("rejected", "lost")], reasons
    assert reasons[("accepted", "")] > decided / 3, reasons


def test_field_inboxes_and_rejections_on_the_scorecard(db) -> None:
    _build(db, leads=2000)
    rules = load_rules(None)
    with db.connection_context():
        field_users = [o.name for o in Operator.select() if o.role == "field" and o.active]
        inside = [o.name for o in Operator.select() if o.role != "field" and o.active]
    assert len(field_users) >= 3
    for name in field_users:
        waiting = inbox(find_operator(name))
        assert waiting, name  # `isdesk demo --as <field user>` opens on hand-offs to decide
        assert all(v.status == "pending" and v.note.startswith("【BANT】") for v in waiting)
    cal = rules.calendar
    start, end = period_bounds_utc(fiscal_quarter(TODAY, cal).start, TODAY, cal)
    with db.connection_context():
        expected = Counter(
            h.from_operator.name
            for h in Handoff.select(Handoff, Operator)
            .join(Operator, on=(Handoff.from_operator == Operator.id))
            .where(
                (Handoff.reason == "not_qualified")
                & (Handoff.decided_at >= start)
                & (Handoff.decided_at < end)
            )
        )
    rejected = {
        name: operator_scorecard(find_operator(name), name, TODAY, rules).rejected
        for name in inside
    }
    assert rejected == {name: expected[name] for name in inside}
    assert any(n > 0 for n in rejected.values()), rejected


def test_volumes_spread_around_the_daily_lines_like_a_working_team(db) -> None:
    """The KPI bars and team rows of the demo: a few operators below the minimum line, most
    between the minimum and expected lines, one above stretch; SQLs and rank-ups for most."""
    _build(db, leads=2000)
    rules = load_rules(None)
    with db.connection_context():
        leads_of = {
            team: find_operator(name)
            for team, name in (("inbound", "sato.misaki"), ("outbound", "watanabe.daisuke"))
        }
        ops = [o for o in Operator.select() if o.role != "field" and o.active]
        cards = [
            operator_scorecard(leads_of[o.team], o.name, TODAY, rules)
            for o in ops
            if o.team in leads_of
        ]
    working = [c for c in cards if c.quarter_volume > 0]
    assert len(working) >= 8
    lines = rules.targets.daily
    averages = [sum(v for _, v in c.trend) / len(c.trend) for c in working]
    below = [a for a in averages if a < lines.minimum]
    between = [a for a in averages if lines.minimum <= a <= lines.expected]
    above = [a for a in averages if a > lines.stretch]
    assert 1 <= len(below) <= len(working) // 3, averages
    assert len(between) >= len(working) // 2 - 1, averages
    assert 1 <= len(above) <= 2, averages
    # Late in the demo's day (17:00): today already holds most of a day's work.
    assert sum(1 for c in working if c.today_volume >= lines.minimum / 2) >= len(working) // 2
    assert all(c.rank_up_leads > 0 for c in working)
    assert sum(1 for c in working if c.sql_quarter >= 3) >= len(working) // 2
    assert any(c.rejected for c in working)
