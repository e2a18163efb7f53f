"""Hand-off through the real app: F7 on an SQL lead, then field sales' inbox decides."""

from __future__ import annotations

from isdesk.screens.inbox import InboxScreen, RejectDialog
from isdesk.screens.lead import LeadScreen
from isdesk.screens.lead.handoff_dialog import HandoffDialog
from isdesk.screens.queue import QueueScreen
from isdesk.store.models import Lead, LeadEvent
from isdesk.store.pipeline import Handoff
from tests.db.test_handoff import RULES, SQL_ANSWERS, TODAY
from tests.support import factories as f
from tests.support.ui import SIZE, make_app, settle, static_text


def _sql_lead(owner) -> int:
    from isdesk.services.leads import save_answer

    lead_id = f.lead(owner, company="株式会社トス")
    for key, value in SQL_ANSWERS.items():
        save_answer(owner, lead_id, key, value, base_version=0, rules=RULES, today=TODAY)
    return lead_id


async def test_operator_hands_off_an_sql_lead_with_the_bant_note(db) -> None:
    sato = f.operator("sato", display="佐藤")
    f.operator("field1", team="field", role="field", display="営業 太郎")
    lead_id = _sql_lead(sato)
    not_sql = f.lead(sato, company="未SQL商事")
    app = make_app(db, sato)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.push_screen(LeadScreen(app.ctx, not_sql))
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        assert isinstance(app.screen, LeadScreen)  # refused: not an SQL yet
        assert any("SQL になってから" in n.message for n in app._notifications)
        await pilot.press("escape", "escape")
        await settle(pilot)

        await app.push_screen(LeadScreen(app.ctx, lead_id))
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        assert isinstance(app.screen, HandoffDialog)
        note = app.screen.query_one("#handoff-note").text
        assert "B 予算: 300万" in note and "A 決裁者: 情報システム部長" in note
        users = app.screen.query_one("#handoff-users")
        assert "営業 太郎" in str(users.get_option_at_index(0).prompt)
        await pilot.press("enter")  # the highlighted field user; focus moves to the note
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)  # the lead left this operator's hands
    with db.connection_context():
        handoff = Handoff.get(Handoff.lead == lead_id)
        assert "B 予算: 300万" in handoff.note
        assert Lead.get_by_id(lead_id).status == "handed_off"


async def test_field_user_accepts_rejects_and_moves_stages_in_the_inbox(db) -> None:
    from isdesk.services.handoff import hand_off

    sato = f.operator("sato", display="佐藤")
    field = f.operator("field1", team="field", role="field", display="営業 太郎")
    first = _sql_lead(sato)
    second = _sql_lead(sato)
    hand_off(sato, first, "field1", "BANT 1", RULES)
    hand_off(sato, second, "field1", "BANT 2", RULES)
    app = make_app(db, field)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)  # field sales start from their inbox
        assert "未対応 2 件" in static_text(app, "#inbox-title")
        assert "BANT" in static_text(app, "#inbox-note")
        await pilot.press("a")  # accept the highlighted (newest) one
        await settle(pilot)
        assert "未対応 1 件" in static_text(app, "#inbox-title")
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, RejectDialog)
        await pilot.press("1", *"予算未確定", "enter")  # not qualified
        await settle(pilot)
        assert "未対応 0 件" in static_text(app, "#inbox-title")
        await pilot.press("d")  # show decided ones, then move the accepted one on
        await settle(pilot)
        app.screen.query_one("#inbox-list").highlighted = [
            i.status for i in app.screen.items
        ].index("accepted")
        await pilot.press("n")
        await settle(pilot)
    with db.connection_context():
        accepted = Lead.get_by_id(second)
        rejected = Lead.get_by_id(first)
        event = LeadEvent.get((LeadEvent.lead == first) & (LeadEvent.field == "rejected"))
    assert accepted.stage == "quote"  # opportunity on accepting, then the next stage
    assert (rejected.status, rejected.owner_id) == ("open", sato.id)
    assert (event.old_value, event.new_value, event.note) == ("sato", "not_qualified", "予算未確定")
