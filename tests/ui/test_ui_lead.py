"""The lead screen through the real app: live rank and SQL, saving, conflicts."""

from __future__ import annotations

from isdesk.rules import load_rules as load_rules_default
from isdesk.screens.lead import LeadScreen
from isdesk.services.leads import load_lead, save_answer
from isdesk.store.models import Answer, Lead
from isdesk.widgets.hearing import HearingChecklist
from tests.support import factories as f
from tests.support.ui import SIZE, TODAY, make_app, settle, static_text


async def _open(pilot, lead_id: int) -> LeadScreen:
    await settle(pilot)
    screen = LeadScreen(pilot.app.ctx, lead_id)
    await pilot.app.push_screen(screen)
    await settle(pilot)
    return screen


def _stored(db, lead_id: int) -> dict[str, str]:
    with db.connection_context():
        return {a.item: a.value for a in Answer.select().where(Answer.lead == lead_id)}


async def test_answers_change_rank_badge_and_sql_on_screen_and_in_database(db) -> None:
    me = f.operator("sato", display="佐藤")
    lead_id = f.lead(me)
    app = make_app(db, me)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, lead_id)
        assert static_text(app, "#rank-badge").strip() == "D"
        assert "導入時期" in static_text(app, "#rank-hint")  # what to ask next

        # Item 1 has focus on opening; Escape leaves it, then a digit jumps to that item.
        await pilot.press("alt+4", *"+20")
        assert static_text(app, "#rank-badge").strip() == "C"  # same frame, before any save
        await pilot.press("enter", "alt+6", *"Salesforce", "enter")
        assert static_text(app, "#rank-badge").strip() == "A"
        assert "SQL未達 2/9" in static_text(app, "#sql-status")

        for number, text in (
            ("1", "Excel管理が限界"),
            ("3", "300万"),
            ("5", "部長"),
            ("7", "属人化解消"),
        ):
            await pilot.press(f"alt+{number}", *text, "enter")
        assert "SQL ✔ 6/9" in static_text(app, "#sql-status")
        await settle(pilot)
        assert "保存済み" in static_text(app, "#save-status")

    stored = _stored(db, lead_id)
    assert stored["timing"] == "2026-12-12"  # "+20" saved as the day it meant
    assert stored["pain"] == "Excel管理が限界"
    with db.connection_context():
        lead = Lead.get_by_id(lead_id)
    assert (lead.rank, lead.is_sql, lead.heard) == ("A", True, 6)


async def test_unreadable_date_is_flagged_but_counts_as_heard(db) -> None:
    me = f.operator("sato")
    lead_id = f.lead(me)
    app = make_app(db, me, language="en")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, lead_id)
        await pilot.press("alt+4", *"someday")
        field = screen.query_one(HearingChecklist).field("timing")
        assert field.has_class("-invalid")
        assert "Not a date" in static_text(app, "#item-timing .preview")
        assert static_text(app, "#rank-badge").strip() == "C"


async def test_conflicting_edit_is_reported_and_not_overwritten(db) -> None:
    me = f.operator("sato", role="lead", display="佐藤")
    other = f.operator("suzuki", display="鈴木")
    lead_id = f.lead(None)
    app = make_app(db, me)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, lead_id)
        # While the screen is open, 鈴木 saves a budget on the same lead.
        save_answer(
            other, lead_id, "budget", "500万", base_version=0, rules=app.ctx.rules, today=TODAY
        )
        await pilot.press("alt+3", *"100万")
        await settle(pilot)
        field = screen.query_one(HearingChecklist).field("budget")
        assert field.has_class("-conflict")
        messages = [n.message for n in app._notifications]
        assert any("鈴木" in m and "500万" in m for m in messages)
        assert _stored(db, lead_id)["budget"] == "500万"  # theirs kept

        await pilot.press("ctrl+o")  # keep mine, knowingly
        await settle(pilot)
        assert _stored(db, lead_id)["budget"] == "100万"
        assert field.has_class("-saved")


async def test_take_theirs_shows_their_value(db) -> None:
    me = f.operator("sato", role="lead")
    other = f.operator("suzuki", display="鈴木")
    lead_id = f.lead(None)
    app = make_app(db, me)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, lead_id)
        save_answer(
            other,
            lead_id,
            "authority",
            "情報システム部長",
            base_version=0,
            rules=app.ctx.rules,
            today=TODAY,
        )
        await pilot.press("alt+5", *"社長")
        await settle(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        field = screen.query_one(HearingChecklist).field("authority")
        assert field.value == "情報システム部長"
    assert _stored(db, lead_id)["authority"] == "情報システム部長"


async def test_changes_by_others_appear_without_reopening(db) -> None:
    me = f.operator("sato", role="lead")
    other = f.operator("suzuki")
    lead_id = f.lead(None)
    app = make_app(db, me)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, lead_id)
        await pilot.press("escape")  # nothing focused in the checklist
        save_answer(
            other,
            lead_id,
            "pain",
            "請求書処理が手作業",
            base_version=0,
            rules=app.ctx.rules,
            today=TODAY,
        )
        screen._poll()  # what the 3-second timer does
        await settle(pilot)
        assert screen.query_one(HearingChecklist).field("pain").value == "請求書処理が手作業"
        assert load_lead(me, lead_id).answers["pain"].version == 1


async def test_opening_a_lead_writes_nothing(db) -> None:
    me = f.operator("sato")
    lead_id = f.lead(me)
    save_answer(
        me, lead_id, "pain", "既存の回答", base_version=0, rules=load_rules_default(), today=TODAY
    )
    with db.connection_context():
        before = Lead.get_by_id(lead_id).version
    app = make_app(db, me)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, lead_id)
        await pilot.press("tab", "tab", "enter")  # passing through fields is not answering
        await settle(pilot)
        assert screen.query_one(HearingChecklist).field("pain").value == "既存の回答"
        assert "保存済み" not in static_text(app, "#save-status")
    with db.connection_context():
        assert Lead.get_by_id(lead_id).version == before
        assert Answer.select().count() == 1
