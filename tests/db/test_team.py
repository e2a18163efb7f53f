"""The team lead's view: numbers per operator, the unassigned queue, rebalance and moves."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import DataTable

from isdesk.rules import load_rules
from isdesk.screens.team import MoveLeadsScreen, RebalanceDialog, TeamScreen
from isdesk.services.activities import ActivityInput, log_activity
from isdesk.services.team import TeamAccessError, team_overview, visible_teams
from isdesk.store.models import Lead
from tests.support import factories as f
from tests.support.ui import SIZE, make_app, settle

ROOT = Path(__file__).resolve().parents[2]
JST = dt.timezone(dt.timedelta(hours=9))
TODAY = dt.date(2026, 11, 20)
NOW = dt.datetime(2026, 11, 20, 16, tzinfo=JST)
BASE = load_rules(None)
# A small cap so a handful of leads is "over" it.
RULES = dataclasses.replace(BASE, assignment=dataclasses.replace(BASE.assignment, holding_cap=3))


def _team(db):
    boss = f.operator("boss", role="lead", display="リーダー")
    busy = f.operator("busy", display="多忙")
    idle = f.operator("idle", display="余裕")
    f.operator("kato", team="outbound")
    for n in range(6):
        f.lead(busy, company=f"多忙商事{n}", acquired_days=-n, source="資料請求")
    f.lead(None, company="未割当", acquired_days=-10, source="資料請求")
    lead_id = f.lead(idle, company="連絡済")
    log_activity(idle, lead_id, ActivityInput("call", "connected"), now=NOW)
    log_activity(idle, lead_id, ActivityInput("appointment"), now=NOW)
    return boss, busy, idle


def test_overview_numbers_per_operator(db) -> None:
    boss, _busy, _idle = _team(db)
    overview = team_overview(boss, "inbound", RULES, TODAY, NOW)
    rows = {r.name: r for r in overview.rows}
    assert set(rows) == {"boss", "busy", "idle"}
    assert (rows["busy"].load.open_leads, rows["busy"].load.over_cap) == (6, True)
    assert rows["idle"].today_volume == 2 + 5
    assert rows["idle"].last_activity_at == NOW
    assert rows["busy"].last_activity_at is None
    assert sum(g.depth for g in overview.groups) == 1
    assert overview.editable


def test_only_leads_see_teams_and_change_only_their_own(db) -> None:
    boss, busy, _ = _team(db)
    assert visible_teams(boss)[0] == "inbound" and "outbound" in visible_teams(boss)
    with pytest.raises(TeamAccessError):
        visible_teams(busy)
    assert not team_overview(boss, "outbound", RULES, TODAY, NOW).editable


def test_team_show_prints_the_same_numbers_as_json(db, db_url: str) -> None:
    _team(db)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "isdesk",
            "team",
            "show",
            "--format",
            "json",
            "--db",
            db_url,
            "--as",
            "boss",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    (team,) = json.loads(result.stdout)
    busy = next(o for o in team["operators"] if o["operator"] == "busy")
    assert busy["open_leads"] == 6 and busy["cap"] == 150  # the shipped rules' cap
    refused = subprocess.run(
        [sys.executable, "-m", "isdesk", "team", "show", "--db", db_url, "--as", "busy"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert refused.returncode == 2 and "team leads" in refused.stderr


async def test_rebalance_shows_the_moves_then_applies_exactly_those(db) -> None:
    boss, _busy, _idle = _team(db)
    app = make_app(db, boss, rules=RULES)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("T")
        await settle(pilot)
        assert isinstance(app.screen, TeamScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 3
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, RebalanceDialog)
        proposed = [(m.lead_id, m.to_op) for m in app.screen.moves]
        assert proposed and all(m.from_op == "busy" for m in app.screen.moves)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TeamScreen)
    with db.connection_context():
        owners = {lead.id: lead.owner.name for lead in Lead.select() if lead.owner_id}
        held = sum(1 for o in owners.values() if o == "busy")
    assert all(owners[lead_id] == to for lead_id, to in proposed)
    assert held <= 3


async def test_a_lead_moves_marked_leads_to_another_operator(db) -> None:
    boss, _busy, idle = _team(db)
    app = make_app(db, boss, rules=RULES)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("T")
        await settle(pilot)
        rows = [r.name for r in app.screen.current_panel.overview.rows]
        app.screen.query_one(DataTable).move_cursor(row=rows.index("busy"))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MoveLeadsScreen)
        await pilot.press("space", "space", "m")
        await settle(pilot)
        option_list = app.screen.query_one("OptionList")
        ids = [option_list.get_option_at_index(i).id for i in range(option_list.option_count)]
        option_list.highlighted = ids.index("idle")
        await pilot.press("enter")
        await settle(pilot)
    with db.connection_context():
        moved = [lead.company for lead in Lead.select().where(Lead.owner == idle.id)]
    assert sorted(moved) == sorted(["連絡済", "多忙商事0", "多忙商事1"])
