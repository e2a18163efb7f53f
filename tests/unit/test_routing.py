"""Routing rules without a database: the assignment/stages sections of rules.yaml and the pure
balanced, returning-lead and rebalance decisions of isdesk.domain.routing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from isdesk.domain.routing import (
    ALL_AT_CAP,
    NO_ELIGIBLE,
    CandidateLead,
    OperatorState,
    PendingLead,
    contact_days,
    plan_balanced,
    plan_rebalance,
    returning_decision,
)
from isdesk.rules import DEFAULT_RULES, RulesError, load_rules
from isdesk.rules.routing import (
    AssignmentGroup,
    AssignmentRules,
    OperatorSelector,
    ReturningRules,
)

ROOT = Path(__file__).resolve().parents[2]
T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)

RULES_HEAD = """\
version: 1
hearing:
  - key: pain
    label: {ja: 課題感, en: Pain}
    type: text
sql:
  heard_at_least: 1
ranks:
  - rank: D
    when: always
"""
ASSIGNMENT = """\
assignment:
  groups:
    - name: A
      sources: [資料請求, 無料トライアル]
      operators: {team: inbound}
    - name: B
      sources: [展示会, カンファレンス]
      operators: {names: [yamamoto, nakamura]}
    - name: default
      sources: any
  policy: balanced
  holding_cap: 150
  returning:
    keep_owner_within_days: 30
    reassign_after_days: 180
    between: keep_owner
stages: [list, proposal, {key: opportunity, label: {ja: 案件化, en: Deal}}, quote, order]
"""
GOOD = RULES_HEAD + ASSIGNMENT


def line_of(text: str, needle: str) -> int:
    """The last line containing `needle` (the broken one is the later of two)."""
    return [n for n, line in enumerate(text.splitlines(), start=1) if needle in line][-1]


def broken(tmp_path: Path, old: str, new: str) -> tuple[RulesError, str]:
    assert old in GOOD, old
    text = GOOD.replace(old, new, 1)
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    error = caught.value
    assert str(error).startswith(f"{path}:{error.line}: {error.key}: ")
    return error, text


# --- rules.yaml ------------------------------------------------------------------------------


def test_sections_parse_into_frozen_dataclasses(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(GOOD, encoding="utf-8")
    rules = load_rules(path)
    a = rules.assignment
    assert [g.name for g in a.groups] == ["A", "B", "default"]
    assert a.groups[0] == AssignmentGroup(
        "A", ("資料請求", "無料トライアル"), OperatorSelector("inbound")
    )
    assert a.groups[1].operators.names == ("yamamoto", "nakamura")
    assert a.groups[2].is_any and a.groups[2].operators.everyone
    assert a.holding_cap == 150 and a.policy == "balanced"
    assert a.returning == ReturningRules(30, 180, "keep_owner")
    assert rules.stages.keys == ("list", "proposal", "opportunity", "quote", "order")
    assert rules.stages.labels["opportunity"].en == "Deal"
    assert rules.stages.labels["proposal"].ja == "提案"  # a bare key keeps the built-in label
    assert a.group_for("展示会").name == "B" and a.group_for("紹介").name == "default"
    with pytest.raises(AttributeError):
        a.holding_cap = 3  # type: ignore[misc]


def test_absent_sections_get_defaults(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(RULES_HEAD, encoding="utf-8")
    rules = load_rules(path)
    assert rules.assignment == AssignmentRules()
    assert len(rules.assignment.groups) == 1 and rules.assignment.groups[0].is_any
    assert rules.stages.keys[0] == "list" and len(rules.stages) == 5


def test_shipped_rules_route_the_demo_sources_to_the_demo_teams() -> None:
    rules = load_rules()
    a = rules.assignment
    inbound = ("資料請求", "無料トライアル", "セミナー", "ウェビナー", "問い合わせ", "紹介")
    for source in inbound:
        assert a.group_for(source).operators.team == "inbound", source
    for source in ("展示会", "テレアポリスト"):
        assert a.group_for(source).operators.team == "outbound", source
    assert a.group_for("その他").is_any
    assert (ROOT / "rules.yaml").read_bytes() == DEFAULT_RULES.read_bytes()


@pytest.mark.parametrize(
    "old, new, key, needle, words",
    [
        (
            "      sources: any\n",
            "      sources: [紹介]\n",
            "assignment.groups[2].sources",
            "sources: [紹介]",
            "must be `sources: any`",
        ),
        (
            "      sources: [展示会, カンファレンス]",
            "      sources: any  # too early",
            "assignment.groups[1].sources",
            "too early",
            "move this group to the end",
        ),
        (
            "      sources: [展示会, カンファレンス]",
            "      sources: [展示会, 資料請求]",
            "assignment.groups[1].sources[1]",
            "sources: [展示会, 資料請求]",
            "already belongs to group 'A'",
        ),
        (
            "    - name: B",
            "    - name: A",
            "assignment.groups[1].name",
            "- name: A",
            "duplicate group name",
        ),
        ("  holding_cap: 150", "  holding_cap: 0", "assignment.holding_cap", "holding_cap", ">= 1"),
        (
            "  holding_cap: 150",
            "  holding_cap: lots",
            "assignment.holding_cap",
            "holding_cap",
            "whole number",
        ),
        ("  policy: balanced", "  policy: random", "assignment.policy", "policy:", "balanced"),
        (
            "    between: keep_owner",
            "    between: keep",
            "assignment.returning.between",
            "between:",
            "keep_owner",
        ),
        (
            "    reassign_after_days: 180",
            "    reassign_after_days: 30",
            "assignment.returning.reassign_after_days",
            "reassign_after_days",
            "must be less than",
        ),
        (
            "      operators: {team: inbound}",
            "      operators: {team: inbound, names: [sato]}",
            "assignment.groups[0].operators",
            "operators: {team: inbound, names",
            "exactly one",
        ),
        (
            "      operators: {team: inbound}",
            "      operators: {teem: inbound}",
            "assignment.groups[0].operators.teem",
            "teem",
            "did you mean 'team'",
        ),
        ("  policy: balanced", "  polcy: balanced", "assignment.polcy", "polcy", "unknown key"),
        (
            "stages: [list, proposal,",
            "stages: [proposal, list,",
            "stages[0]",
            "stages:",
            "first stage must be 'list'",
        ),
        ("quote, order]", "quote, quote]", "stages[4]", "stages:", "duplicate stage 'quote'"),
        ("quote, order]", "quote, Order]", "stages[4]", "stages:", "not a valid key"),
    ],
)
def test_mistakes_name_file_line_and_key(
    tmp_path: Path, old: str, new: str, key: str, needle: str, words: str
) -> None:
    error, text = broken(tmp_path, old, new)
    assert error.key == key
    assert error.line == line_of(text, needle)
    assert words in error.message


# --- balanced plan ---------------------------------------------------------------------------


def op(name: str, team: str = "inbound", load: int = 0, last: int = 0, **kw) -> OperatorState:
    return OperatorState(
        id=hash(name) % 10_000, name=name, team=team, role=kw.get("role", "operator"),
        active=kw.get("active", True), open_leads=load, last_received=last,
    )  # fmt: skip


def leads(*sources: str) -> list[PendingLead]:
    return [PendingLead(i + 1, s, T0 + dt.timedelta(minutes=i)) for i, s in enumerate(sources)]


RULES = AssignmentRules(
    groups=(
        AssignmentGroup("A", ("資料請求",), OperatorSelector(team="inbound")),
        AssignmentGroup("B", ("展示会",), OperatorSelector(team="outbound")),
        AssignmentGroup("default", None),
    ),
    holding_cap=3,
)


def test_least_loaded_first_then_round_robin_then_name() -> None:
    ops = [op("c", load=2), op("a", load=0, last=5), op("b", load=0, last=3)]
    plan = plan_balanced(leads(*["資料請求"] * 5), ops, RULES)
    # b and a tie at 0: b received less recently; then a; then both at 1: b again (its turn
    # is older than a's new one), a, then c, a and b all at 2 → cap 3 …
    assert [r.operator for r in plan.rows] == ["b", "a", "b", "a", "c"]
    assert [r.load_before for r in plan.rows] == [0, 0, 1, 1, 2]


def test_groups_route_by_source_and_any_takes_the_rest() -> None:
    ops = [op("in1"), op("out1", team="outbound"), op("fs", team="field", role="field")]
    plan = plan_balanced(leads("資料請求", "展示会", "紹介", "紹介"), ops, RULES)
    assert [(r.group, r.operator) for r in plan.rows] == [
        ("A", "in1"), ("B", "out1"), ("default", "in1"), ("default", "out1"),
    ]  # fmt: skip


def test_cap_and_no_eligible_operator_are_reported() -> None:
    ops = [op("full", load=3), op("gone", active=False)]
    plan = plan_balanced(leads("資料請求", "展示会"), ops, RULES)
    assert plan.rows == ()
    assert [u.reason for u in plan.unplaced] == [ALL_AT_CAP, NO_ELIGIBLE]
    assert "full" in plan.unplaced[0].message and "cap of 3" in plan.unplaced[0].message
    assert "team outbound" in plan.unplaced[1].message


# --- returning leads -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "days, between, action, rule",
    [
        (29, "keep_owner", "keep", "returning.keep_owner_within_days"),
        (30, "keep_owner", "keep", "returning.keep_owner_within_days"),
        (31, "keep_owner", "keep", "returning.between"),
        (31, "reassign", "reassign", "returning.between"),
        (179, "reassign", "reassign", "returning.between"),
        (179, "keep_owner", "keep", "returning.between"),
        (180, "keep_owner", "reassign", "returning.reassign_after_days"),
        (181, "keep_owner", "reassign", "returning.reassign_after_days"),
    ],
)
def test_returning_windows(days: int, between: str, action: str, rule: str) -> None:
    decision = returning_decision(days, ReturningRules(30, 180, between))
    assert (decision.action, decision.rule) == (action, rule)


def test_days_are_local_calendar_days() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    now = dt.datetime(2026, 11, 2, 1, 0, tzinfo=tokyo)  # 11/2 01:00 JST
    assert contact_days(dt.datetime(2026, 10, 3, 23, 0, tzinfo=tokyo), now, tokyo) == 30
    assert contact_days(dt.datetime(2026, 10, 2, 23, 59, tzinfo=tokyo), now, tokyo) == 31


# --- rebalance -------------------------------------------------------------------------------


def test_rebalance_moves_newest_first_until_under_cap() -> None:
    ops = [op("heavy", load=5), op("light", load=1), op("mid", load=2)]
    movable = [
        CandidateLead(i, "heavy", "資料請求", T0 + dt.timedelta(days=i)) for i in range(1, 6)
    ]
    moves = plan_rebalance(ops, movable, RULES)
    # light (1) takes the newest; then light and mid tie at 2 and mid's turn is older.
    assert [(m.lead_id, m.to_op) for m in moves] == [(5, "light"), (4, "mid")]
    assert all(m.from_op == "heavy" for m in moves)
