"""Assignment services on both backends: arrival order, balance, groups, cap, dry run,
deactivation, returning leads, rebalancing, reassignment and who may do what."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from isdesk.rules import load_rules
from isdesk.rules.routing import AssignmentGroup, AssignmentRules, OperatorSelector, ReturningRules
from isdesk.services.assignment import (
    NotTeamLeadError,
    OtherTeamError,
    StaleMovesError,
    apply_moves,
    assign_unassigned,
    deactivate_operator,
    operator_loads,
    propose_rebalance,
    reassign_leads,
    route_returning_lead,
    route_returning_leads,
    unassigned_by_group,
)
from isdesk.services.leads import LeadNotFoundError
from isdesk.services.operators import find_operator
from isdesk.store.models import Activity, Lead, LeadEvent, Operator
from tests.support.factories import BASE, lead, operator

NOW = BASE + dt.timedelta(hours=3)


def rules_with(cap: int = 150, between: str = "keep_owner"):
    return dataclasses.replace(
        load_rules(),
        assignment=AssignmentRules(
            groups=(
                AssignmentGroup(
                    "A", ("資料請求", "無料トライアル"), OperatorSelector(team="inbound")
                ),
                AssignmentGroup("B", ("展示会",), OperatorSelector(team="outbound")),
                AssignmentGroup("default", None),
            ),
            holding_cap=cap,
            returning=ReturningRules(30, 180, between),
        ),
    )


def owners() -> dict[int, str]:
    query = Lead.select(Lead.id, Operator.name).join(Operator).tuples()
    return dict(query)


def owner_events() -> list[tuple[int, str, str, dict]]:
    query = LeadEvent.select().where(LeadEvent.kind == "owner").order_by(LeadEvent.id)
    return [(e.lead_id, e.old_value, e.new_value, json.loads(e.note)) for e in query]


@pytest.fixture
def team(db):
    ops = {
        "lead": operator("boss", "inbound", "lead"),
        "a": operator("a"),
        "b": operator("b"),
        "out": operator("out", "outbound"),
        "outlead": operator("outboss", "outbound", "lead"),
        "fs": operator("fs", "field", "field"),
    }
    return ops


def test_arrival_order_balance_and_round_robin(team) -> None:
    # created out of arrival order: the plan follows acquired_at, then id
    ids = [lead(source="資料請求", acquired_days=-d) for d in (1, 5, 3, 2, 4)]
    report = assign_unassigned(rules_with(), now=NOW, actor=team["lead"])
    arrival = [ids[1], ids[4], ids[2], ids[3], ids[0]]
    assert [r.lead_id for r in report.rows] == arrival
    # all three inbound receivers at 0: a, b, boss by name (nobody received before), then again
    assert [r.operator for r in report.rows] == ["a", "b", "boss", "a", "b"]
    assert [r.load_before for r in report.rows] == [0, 0, 0, 1, 1]
    got = owners()
    assert [got[i] for i in arrival] == ["a", "b", "boss", "a", "b"]
    events = owner_events()
    assert [(e[0], e[1], e[2]) for e in events] == [(i, "", got[i]) for i in arrival]
    assert events[3][3] == {
        "reason": "assign", "rule": "assignment.groups.A", "group": "A",
        "policy": "balanced", "load": 1, "cap": 150,
    }  # fmt: skip
    # round robin continues across runs: boss received least recently
    more = lead(source="資料請求", acquired_days=1)
    assert assign_unassigned(rules_with(), now=NOW, actor=team["lead"]).rows[0].operator == "boss"
    assert owners()[more] == "boss"


def test_least_loaded_first(team) -> None:
    for _ in range(3):
        lead(team["a"], source="資料請求")
    lead(team["b"], source="資料請求")
    new = [lead(source="資料請求", acquired_days=i) for i in range(4)]
    report = assign_unassigned(rules_with(), now=NOW, actor=team["lead"])
    assert [r.operator for r in report.rows] == ["boss", "b", "boss", "b"]
    assert {x.name: (x.before, x.after) for x in report.loads} == {
        "a": (3, 3), "b": (1, 3), "boss": (0, 2),
    }  # fmt: skip
    assert [owners()[i] for i in new] == ["boss", "b", "boss", "b"]


def test_groups_by_source_and_any_fallback_without_actor(team) -> None:
    ids = {
        "資料請求": lead(source="資料請求", acquired_days=0),
        "展示会": lead(source="展示会", acquired_days=1),
        "紹介": lead(source="紹介", acquired_days=2),
    }
    report = assign_unassigned(rules_with(), now=NOW)  # automation: every team receives
    groups = {r.source: (r.group, r.operator) for r in report.rows}
    assert groups["資料請求"] == ("A", "a")
    assert groups["展示会"][0] == "B" and groups["展示会"][1] in ("out", "outboss")
    # 'any': every active operator/lead of any team, never field sales
    assert groups["紹介"][0] == "default" and groups["紹介"][1] not in ("fs", "a")
    assert set(owners()) == set(ids.values())


def test_team_lead_assigns_within_their_team_and_report_says_why(team) -> None:
    trade_show = lead(source="展示会")
    report = assign_unassigned(rules_with(), now=NOW, actor=team["lead"])
    assert report.rows == ()
    [left] = report.unassigned
    assert (left.lead_id, left.group, left.reason) == (trade_show, "B", "no_eligible_operator")
    assert "team outbound" in left.message
    assert owner_events() == []


def test_cap_operator_at_cap_receives_none(team) -> None:
    for _ in range(2):
        lead(team["a"], source="資料請求")
        lead(team["b"], source="資料請求")
    lead(team["lead"], source="資料請求")
    first, second = (
        lead(source="資料請求", acquired_days=1),
        lead(source="資料請求", acquired_days=2),
    )
    report = assign_unassigned(rules_with(cap=2), now=NOW, actor=team["lead"])
    assert [(r.lead_id, r.operator) for r in report.rows] == [(first, "boss")]
    [left] = report.unassigned
    assert left.lead_id == second and left.reason == "all_at_cap"
    assert "cap of 2" in left.message
    assert Lead.get_by_id(second).owner_id is None


def test_dry_run_writes_nothing_and_equals_the_applied_plan(team, db) -> None:
    for d in range(6):
        lead(source=("資料請求", "紹介", "展示会")[d % 3], acquired_days=d)
    lead(team["a"], source="資料請求")
    versions = dict(Lead.select(Lead.id, Lead.version).tuples())
    preview = assign_unassigned(rules_with(), now=NOW, dry_run=True, actor=team["lead"])
    assert preview.dry_run and preview.rows
    assert owner_events() == [] and dict(Lead.select(Lead.id, Lead.version).tuples()) == versions
    assert Lead.select().where(Lead.owner.is_null()).count() == 6
    applied = assign_unassigned(rules_with(), now=NOW, actor=team["lead"])
    assert applied.rows == preview.rows
    assert applied.loads == preview.loads and applied.unassigned == preview.unassigned
    assert [(e[0], e[2]) for e in owner_events()] == [(r.lead_id, r.operator) for r in preview.rows]


def test_deactivation_hands_open_leads_out(team) -> None:
    mine = [lead(team["a"], source="資料請求", acquired_days=d) for d in range(3)]
    won = lead(team["a"], source="資料請求", status="won")
    lead(team["b"], source="資料請求")
    result = deactivate_operator(team["lead"], "a", rules_with(), now=NOW)
    assert not find_operator("a").active
    got = owners()
    # boss holds 0: first; then boss and b tie at 1 and b never received: b; then boss
    assert [got[i] for i in mine] == ["boss", "b", "boss"]
    assert got[won] == "a"  # history stays
    assert [(r.lead_id, r.operator) for r in result.report.rows] == [(i, got[i]) for i in mine]
    events = [e for e in owner_events() if e[1] == "a"]
    assert len(events) == 3 and all(e[3]["reason"] == "deactivated" for e in events)
    # a deactivated operator never receives again
    fresh = lead(source="資料請求", acquired_days=9)
    assign_unassigned(rules_with(), now=NOW, actor=team["lead"])
    assert owners()[fresh] != "a"


def test_deactivation_returns_leads_nobody_can_take_to_the_queue(team) -> None:
    x = lead(team["a"], source="資料請求")
    Operator.update(active=False).where(Operator.name.in_(["b"])).execute()
    lead(team["lead"], source="資料請求")
    report = deactivate_operator(team["lead"], "a", rules_with(cap=1), now=NOW).report
    assert Lead.get_by_id(x).owner_id is None
    assert [u.reason for u in report.unassigned] == ["all_at_cap"]
    assert owner_events()[-1][1:3] == ("a", "")


def test_role_refusals(team) -> None:
    lead(source="資料請求")
    with pytest.raises(NotTeamLeadError, match="only a team lead"):
        assign_unassigned(rules_with(), now=NOW, actor=team["a"])
    with pytest.raises(NotTeamLeadError):
        deactivate_operator(team["a"], "b", rules_with(), now=NOW)
    with pytest.raises(OtherTeamError, match="own team"):
        deactivate_operator(team["outlead"], "a", rules_with(), now=NOW)
    x = lead(team["a"], source="資料請求")
    with pytest.raises(OtherTeamError):
        reassign_leads(team["outlead"], [x], "out", now=NOW)
    with pytest.raises(OtherTeamError):
        reassign_leads(team["lead"], [x], "out", now=NOW)
    with pytest.raises(NotTeamLeadError):
        apply_moves(team["b"], [], now=NOW)
    assert isinstance(NotTeamLeadError("x"), PermissionError)
    assert find_operator("a").active and owner_events() == []


def test_reassign_leads(team) -> None:
    x, y = lead(team["a"], source="資料請求"), lead(source="紹介")
    result = reassign_leads(team["lead"], [x, y], "b", now=NOW, rules=rules_with(cap=1))
    assert result.moved == (x, y) and result.load_after == 2 and result.over_cap
    assert owners()[x] == "b" and owners()[y] == "b"
    assert [(e[1], e[2], e[3]["reason"]) for e in owner_events()] == [
        ("a", "b", "reassign"), ("", "b", "reassign"),
    ]  # fmt: skip


# --- returning leads -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "days, between, action, stays",
    [
        (29, "keep_owner", "keep", True),
        (30, "keep_owner", "keep", True),
        (31, "keep_owner", "keep", True),
        (31, "reassign", "reassign", False),
        (179, "reassign", "reassign", False),
        (179, "keep_owner", "keep", True),
        (180, "keep_owner", "reassign", False),
        (181, "keep_owner", "reassign", False),
    ],
)
def test_returning_lead_windows(team, days: int, between: str, action: str, stays: bool) -> None:
    x = lead(team["a"], source="資料請求", acquired_days=-400)
    now = BASE + dt.timedelta(hours=5)  # 14:00 in Tokyo
    Activity.create(lead=x, operator=team["a"].id, at=now - dt.timedelta(days=days), kind="call",
                    outcome="connected")  # fmt: skip
    route = route_returning_lead(x, rules_with(between=between), now=now)
    assert route.action == action and route.days == days
    if stays:
        assert owners()[x] == "a" and owner_events() == []
    else:
        assert route.owner_after not in ("a", "")  # handed out anew, to someone else
        assert owners()[x] == route.owner_after
        [(_, old, new, note)] = owner_events()
        assert (old, new, note["reason"], note["days"]) == (
            "a",
            route.owner_after,
            "returning",
            days,
        )


def test_returning_lead_contact_by_someone_else_does_not_count(team) -> None:
    x = lead(team["a"], source="資料請求", acquired_days=-400)
    Activity.create(lead=x, operator=team["b"].id, at=NOW - dt.timedelta(days=2), kind="call",
                    outcome="connected")  # fmt: skip
    LeadEvent.create(lead=x, at=NOW - dt.timedelta(days=300), kind="owner", old_value="",
                     new_value="a")  # fmt: skip
    route = route_returning_lead(x, rules_with(), now=NOW)
    assert route.action == "reassign" and route.days == 300


def test_returning_unassigned_lead_is_assigned_balanced(team) -> None:
    x = lead(source="資料請求")
    route = route_returning_lead(x, rules_with(), now=NOW)
    assert route.action == "assign" and route.owner_after == "a" and owners()[x] == "a"


# --- loads, queues, rebalance ----------------------------------------------------------------


def test_loads_and_group_queues(team) -> None:
    lead(team["a"], rank="A")
    lead(team["a"], rank="C")
    lead(team["a"], rank="C", status="won")
    lead(source="資料請求", acquired_days=-3)
    lead(source="無料トライアル", acquired_days=-5)
    lead(source="謎", acquired_days=-1)
    loads = {x.name: x for x in operator_loads("inbound", rules_with(cap=1))}
    assert set(loads) == {"a", "b", "boss"}
    assert loads["a"].open_leads == 2 and loads["a"].open_by_rank == {"A": 1, "C": 1}
    assert loads["a"].over_cap and not loads["b"].over_cap and loads["a"].cap == 1
    queues = {q.name: q for q in unassigned_by_group(rules_with(), NOW)}
    assert [q for q in queues] == ["A", "B", "default"]
    assert queues["A"].depth == 2 and queues["A"].oldest_acquired_at == BASE - dt.timedelta(days=5)
    assert queues["B"].depth == 0 and queues["B"].oldest_acquired_at is None
    assert queues["default"].depth == 1


def test_rebalance_preview_equals_applied_moves(team) -> None:
    rules = rules_with(cap=3)
    heavy = [lead(team["a"], source="資料請求", acquired_days=-d) for d in range(10, 3, -1)]
    # the two newest are protected: a follow-up in the future, a contact 2 days ago
    protected = [
        lead(team["a"], source="資料請求", acquired_days=-1, next_action_days=2),
        lead(team["a"], source="資料請求", acquired_days=-2, last_touch_days=-2),
    ]
    lead(team["b"], source="資料請求")
    moves = propose_rebalance(rules, "inbound", now=NOW)
    # a holds 9 (cap 3); boss (0) and b (1) have room for 5 between them: the 5 newest
    # unprotected move, and a stays over the cap (nobody may be pushed over it)
    assert [m.lead_id for m in moves] == heavy[::-1][:5]
    assert not {m.lead_id for m in moves} & set(protected)
    assert all(m.from_op == "a" for m in moves)
    assert [m.to_op for m in moves].count("boss") == 3 and [m.to_op for m in moves].count("b") == 2
    assert owner_events() == []  # a proposal writes nothing
    applied = apply_moves(team["lead"], moves, now=NOW)
    assert applied == moves
    assert [(e[0], e[1], e[2]) for e in owner_events()] == [
        (m.lead_id, m.from_op, m.to_op) for m in moves
    ]
    loads = {x.name: x.open_leads for x in operator_loads("inbound", rules)}
    assert loads == {"a": 4, "b": 3, "boss": 3}
    assert propose_rebalance(rules, "inbound", now=NOW) == []  # nobody has room left


def test_apply_moves_refuses_when_an_owner_changed(team) -> None:
    rules = rules_with(cap=1)
    for d in range(3):
        lead(team["a"], source="資料請求", acquired_days=-d)
    moves = propose_rebalance(rules, "inbound", now=NOW)
    assert len(moves) == 2
    reassign_leads(team["lead"], [moves[0].lead_id], "a", now=NOW)  # no-op: still a's
    reassign_leads(team["lead"], [moves[1].lead_id], "boss", now=NOW)
    before = owners()
    with pytest.raises(StaleMovesError, match=f"lead {moves[1].lead_id} now belongs to boss"):
        apply_moves(team["lead"], moves, now=NOW)
    assert owners() == before


# --- returning leads in a batch --------------------------------------------------------------


def _returning_data(team) -> list[int]:
    """Returning leads of every kind, against uneven loads: unassigned (balanced, round robin,
    nobody eligible, all at the cap), kept, reassigned (old contact, never contacted, imported
    history, closed lead, deactivated owner) and reassigned to nobody."""
    old = NOW - dt.timedelta(days=200)
    lead(team["a"], source="資料請求")  # a holds 1, b and boss 0
    ids = [lead(source="資料請求", acquired_days=-i) for i in range(3)]
    kept = lead(team["b"], source="資料請求", acquired_days=-50)
    Activity.create(lead=kept, operator=team["b"].id, at=NOW - dt.timedelta(days=5), kind="call",
                    outcome="connected")  # fmt: skip
    stale = lead(team["a"], source="資料請求", acquired_days=-400)
    Activity.create(lead=stale, operator=team["a"].id, at=old, kind="call", outcome="connected")
    never = lead(team["b"], source="無料トライアル", acquired_days=-400)
    LeadEvent.create(lead=never, at=old, kind="owner", old_value="", new_value="b", note="{}")
    imported = lead(team["lead"], source="資料請求", acquired_days=-400, last_touch_days=-10)
    won = lead(team["a"], source="資料請求", status="won", acquired_days=-400)
    gone = operator("gone")
    orphan = lead(gone, source="資料請求", acquired_days=-30)
    Operator.update(active=False).where(Operator.id == gone.id).execute()
    show = lead(source="展示会")
    field_only = lead(source="展示会", acquired_days=-1)
    more = [lead(source="資料請求", acquired_days=-9 - i) for i in range(4)]
    last = lead(team["a"], source="資料請求", acquired_days=-400)  # everyone at the cap by now
    return [*ids, kept, stale, never, imported, won, orphan, show, field_only, *more, last]


def _snapshot() -> tuple[dict[int, int | None], dict[int, int], list[tuple]]:
    rows = Lead.select(Lead.id, Lead.owner, Lead.version).tuples()
    return (
        {i: o for i, o, _ in rows},
        {i: v for i, _, v in rows},
        [e for e in owner_events()],
    )


def test_batch_routing_equals_one_by_one(team, db) -> None:
    rules = rules_with(cap=4, between="reassign")
    Operator.update(active=False).where(Operator.name == "outboss").execute()
    ids = _returning_data(team)
    Operator.update(active=False).where(Operator.name == "out").execute()  # 展示会: nobody
    history = owner_events()
    with db.connection_context():
        with db.atomic() as txn:  # one by one, then rolled back: the same data for the batch
            one_by_one = [route_returning_lead(i, rules, now=NOW) for i in ids]
            after_one_by_one = _snapshot()
            txn.rollback()
        assert owner_events() == history
        batch = route_returning_leads(ids + ids[:2], rules, now=NOW)  # repeats: routed once
    assert batch == one_by_one
    assert _snapshot() == after_one_by_one
    # the data exercised every path
    actions = {(r.action, r.rule, bool(r.owner_after)) for r in batch}
    assert {
        ("assign", "assignment.policy", True),
        ("assign", "assignment.policy", False),
        ("keep", "returning.keep_owner_within_days", True),
        ("reassign", "returning.reassign_after_days", True),
        # nobody but its active owner has room: it stays, never left unassigned
        ("keep", "returning.no_other_operator", True),
        ("reassign", "owner_inactive", True),
    } <= actions
    assert {r.message.split(":")[0] for r in batch if r.message} >= {"group A", "group B"}
    assert any("cap of 4" in r.message for r in batch)
    assert len({r.owner_after for r in batch if r.action == "assign" and r.owner_after}) == 3


def test_batch_routing_reads_the_state_once(team, db) -> None:
    import logging

    rules = rules_with()
    statements: list[object] = []

    class Count(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            statements.append(record.msg)

    logger = logging.getLogger("peewee")
    handler, level = Count(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        for size in (5, 40):
            ids = [lead(team["a"], source="資料請求", acquired_days=-400) for _ in range(size)]
            statements.clear()
            routes = route_returning_leads(ids, rules, now=NOW)
            assert len(routes) == size and all(r.action == "reassign" for r in routes)
            if size == 5:
                few = len(statements)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert len(statements) == few  # not one more statement for 8x the leads


def test_a_missing_lead_routes_nothing(team) -> None:
    x = lead(source="資料請求")
    with pytest.raises(LeadNotFoundError):
        route_returning_leads([x, 999_999], rules_with(), now=NOW)
    assert owners() == {} and owner_events() == []


def test_assign_unassigned_limited_to_given_leads(team) -> None:
    backlog = lead(source="資料請求", acquired_days=-9)
    new = [lead(source="資料請求", acquired_days=i) for i in range(2)]
    report = assign_unassigned(rules_with(), now=NOW, lead_ids=[*new, 999_999])
    assert [(r.lead_id, r.operator) for r in report.rows] == [(new[0], "a"), (new[1], "b")]
    assert backlog not in owners()
