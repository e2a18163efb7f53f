"""The work queue through the real app (Pilot): order, filter, opening leads, alignment."""

from __future__ import annotations

from rich.cells import cell_len

from isdesk.screens.lead import LeadScreen
from isdesk.screens.queue import QueueScreen
from isdesk.widgets.lead_table import LeadTable
from tests.support import factories as f
from tests.support.ui import SIZE, make_app, settle, static_text, table_lines


def _seed(db):
    me = f.operator("sato", display="佐藤")
    overdue = f.lead(
        me, company="期限超過商事", acquired_days=-30, last_touch_days=-3, next_action_days=-2
    )
    new = f.lead(me, company="ｼﾝｷ ﾘｰﾄﾞ株式会社", acquired_days=-1)
    later = f.lead(
        me,
        company="[b]後回し[/b] 工業",
        acquired_days=-40,
        last_touch_days=-1,
        next_action_days=3000,
    )
    return me, overdue, new, later


async def test_queue_shows_leads_in_working_order_with_literal_text(db) -> None:
    me, _overdue, _new, _later = _seed(db)
    app = make_app(db, me)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lines = table_lines(app)
        assert "会社名" in lines[0] and "ランク" in lines[0]
        body = [line for line in lines[1:] if line.strip()]
        assert "期限超過商事" in body[0]
        assert "ｼﾝｷ ﾘｰﾄﾞ株式会社" in body[1] and "新規" in body[1]
        assert "[b]後回し[/b] 工業" in body[2]  # markup in customer data is shown, not run
        assert "3 件" in static_text(app, "#queue-title")


async def test_columns_align_with_kanji_and_half_width_kana(db) -> None:
    me, *_ = _seed(db)
    app = make_app(db, me)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lines = [line for line in table_lines(app) if line.strip()][:4]
        # The contact column starts at the same terminal cell on every line.
        starts = {
            cell_len(line[: line.index("田中" if "田中" in line else "氏名")]) for line in lines
        }
        assert len(starts) == 1
        assert {cell_len(line) for line in lines} == {SIZE[0]}


async def test_filter_as_you_type_and_escape_clears(db) -> None:
    me, _overdue, new, _later = _seed(db)
    app = make_app(db, me)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"ｼﾝｷ")
        await pilot.pause(0.3)
        await settle(pilot)
        table = app.screen.query_one(LeadTable)
        assert table.total == 1 and table.current_lead_id == new
        await pilot.press("escape")
        await pilot.pause(0.3)
        await settle(pilot)
        assert table.total == 3


async def test_enter_opens_the_lead_under_the_cursor_and_escape_returns(db) -> None:
    me, _overdue, new, _later = _seed(db)
    app = make_app(db, me)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "enter")
        await settle(pilot)
        assert isinstance(app.screen, LeadScreen) and app.screen.lead_id == new
        assert "ｼﾝｷ ﾘｰﾄﾞ株式会社" in static_text(app, "#lead-title")
        await pilot.press("escape", "escape")  # leave the field, then the screen
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)


async def test_n_opens_the_most_urgent_lead(db) -> None:
    me, overdue, _new, _later = _seed(db)
    app = make_app(db, me)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("G", "n")  # wherever the cursor is, n takes the top of the queue
        await settle(pilot)
        assert isinstance(app.screen, LeadScreen) and app.screen.lead_id == overdue


async def test_help_lists_the_keys_in_english_too(db) -> None:
    me, *_ = _seed(db)
    app = make_app(db, me, language="en")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        from tests.support.snapshots import screen_text

        texts = screen_text(app)  # what the terminal shows
        assert "Next lead" in texts and "Filter" in texts and "Open" in texts
        await pilot.press("escape")
        assert isinstance(app.screen, QueueScreen)


async def test_n_takes_an_unassigned_lead_when_nothing_of_ones_own_is_due(db) -> None:
    me = f.operator("sato", display="佐藤")
    f.lead(me, company="来月の予定", acquired_days=-30, last_touch_days=-1, next_action_days=3000)
    free = f.lead(None, company="未割当の新規", acquired_days=-2, source="問い合わせ")
    app = make_app(db, me)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, LeadScreen) and app.screen.lead_id == free
        assert any("未割当" in n.message for n in app._notifications)
    with db.connection_context():
        from isdesk.store.models import Lead

        assert Lead.get_by_id(free).owner_id == me.id
