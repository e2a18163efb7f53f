"""Logging every kind of activity from the lead screen, then reading the KPI screen."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import stat
from pathlib import Path

from isdesk.domain.followup import follow_up_choices
from isdesk.export.writer import HEADERS_JA
from isdesk.rules import load_rules
from isdesk.screens.kpi import KpiScreen
from isdesk.screens.lead import LeadScreen
from isdesk.screens.lead.log_activity import LogActivityDialog
from isdesk.store.models import Activity, Lead
from isdesk.widgets.call_timer import CallTimer
from tests.support import factories as f
from tests.support.ui import SIZE, make_app, settle, static_text

TODAY = dt.date.today()  # activities are stamped with the real clock, so judge on it


def test_follow_up_skips_weekends_and_holidays() -> None:
    cal = load_rules(None).calendar
    friday_before_labour_day = dt.date(2026, 11, 20)  # Mon 11/23 is 勤労感謝の日
    choices = {c.key: c.day for c in follow_up_choices(friday_before_labour_day, cal)}
    assert choices == {
        "tomorrow": dt.date(2026, 11, 24),
        "plus3": dt.date(2026, 11, 26),
        "next_week": dt.date(2026, 11, 24),
        "none": None,
    }


async def _log(pilot, keys: list[str]) -> None:
    await pilot.press(*keys)
    await settle(pilot)


async def test_each_kind_logged_from_the_lead_screen_moves_the_kpi_screen(db) -> None:
    me = f.operator("sato", display="佐藤")
    lead_id = f.lead(me)
    app = make_app(db, me)
    app.ctx.clock = lambda: dt.datetime.now(app.ctx.rules.calendar.zone).date()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.push_screen(KpiScreen(app.ctx))
        await settle(pilot)
        assert app.screen.card.today_volume == 0
        assert "0  最低 40" in static_text(app, "#kpi-today-bar")
        await pilot.press("escape")

        await app.push_screen(LeadScreen(app.ctx, lead_id))
        await settle(pilot)
        await pilot.press("f2")  # call starts while the operator keeps typing
        assert app.screen.query_one(CallTimer).running
        await pilot.press(*"Excel")
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, LogActivityDialog)
        await _log(pilot, ["1", "t", *"決裁は部長", "enter"])  # connected, tomorrow, note
        assert isinstance(app.screen, LeadScreen)
        await _log(pilot, ["f3", "n", "enter"])  # e-mail, no follow-up
        await _log(pilot, ["f4", *"明日 15時", "ctrl+s"])  # an appointment, tomorrow 15:00
        await _log(pilot, ["f5", "ctrl+s"])  # meeting
        await _log(pilot, ["f6", "n", *"顧客の声: 画面が見やすい", "enter"])  # note
        history = static_text(app, "#history")
        assert "架電 (接続)" in history and "メール" in history and "メモ" in history

        await pilot.press("escape", "escape")
        await settle(pilot)
        await pilot.press("K")
        await settle(pilot)
        card = app.screen.card
        assert card.today_counts == {
            "call": 1,
            "email": 1,
            "appointment": 1,
            "meeting": 1,
            "note": 1,
        }
        assert card.today_volume == 2 + 1 + 5 + 3 + 0
        assert "11  最低 40" in static_text(app, "#kpi-today-bar")
        assert "架電 1 (接続 1)" in static_text(app, "#kpi-today-counts")

        await pilot.press("x")  # the day's log for Excel, from the TUI
        await settle(pilot)
        exported = [n.message for n in app._notifications if "isdesk-daily" in n.message]
        assert exported
    with db.connection_context():
        kinds = [a.kind for a in Activity.select().order_by(Activity.id)]
        lead = Lead.get_by_id(lead_id)
    assert kinds == ["call", "email", "appointment", "meeting", "note"]
    assert lead.next_action_at is not None and lead.last_touch_at is not None
    # The toast names the file on its own line (a path is never folded mid-name).
    from isdesk.config.locations import data_dir

    (path,) = (data_dir() / "exports").glob("isdesk-daily-*.csv")
    assert path.name in exported[0].splitlines()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    raw = Path(path).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:2] == [HEADERS_JA["row_type"], HEADERS_JA["date"]]  # the UI's language
    assert sum(1 for r in rows[1:] if "決裁は部長" in r) == 1
    assert len(rows) == 1 + 5 + 1  # header, five activities, one summary


async def test_escape_cancels_the_dialog_and_logs_nothing(db) -> None:
    me = f.operator("sato")
    lead_id = f.lead(me)
    app = make_app(db, me, language="en")
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LeadScreen(app.ctx, lead_id))
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        assert "E-mail" in static_text(app, "#log-title")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, LeadScreen)
    with db.connection_context():
        assert Activity.select().count() == 0


async def test_shift_x_on_the_kpi_screen_writes_the_hand_offs_for_the_crms(db) -> None:
    from isdesk.services.handoff import hand_off
    from isdesk.services.leads import save_answer

    me = f.operator("sato", display="佐藤")
    f.operator("mori", team="field", role="field", display="森")
    lead_id = f.lead(me, email="yamamoto@acme.example", contact="山本 太郎")
    rules = load_rules(None)
    answers = {"pain": "属人化", "budget": "300万", "timing": "2026-12-10",
               "authority": "部長", "competitors": "なし", "purpose": "効率化"}  # fmt: skip
    for key, value in answers.items():
        save_answer(me, lead_id, key, value, base_version=0, rules=rules,
                    today=dt.date(2026, 11, 20))  # fmt: skip
    hand_off(me, lead_id, "mori", "予算確保済み", rules)
    app = make_app(db, me)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.push_screen(KpiScreen(app.ctx))
        await settle(pilot)
        await pilot.press("X")
        await settle(pilot)
        done = [n.message for n in app._notifications if "isdesk-handoffs" in n.message]
    assert done and "1 件" in done[0]
    # The toast names the files on lines of their own (never a path folded mid-name).
    from isdesk.config.locations import data_dir

    paths = sorted((data_dir() / "exports").glob("isdesk-handoffs-*.csv"), reverse=True)
    assert all(p.name in done[0].splitlines() for p in paths)
    assert [p.name.rsplit("-", 1)[1] for p in paths] == ["salesforce.csv", "hubspot.csv"]
    for path in paths:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    rows = list(csv.DictReader(io.StringIO(paths[0].read_bytes().decode("utf-8-sig"))))
    assert [r["Isdesk_Lead_Id__c"] for r in rows] == [str(lead_id)]
    assert rows[0]["LastName"] == "山本" and "300万" in rows[0]["Description"]
