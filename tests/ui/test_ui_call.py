"""No key loses a word or a call: the data-loss cases of the lead screen, on both databases."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
from collections.abc import Iterator

from textual.widgets import Input

from isdesk.rules import load_rules
from isdesk.screens.lead import LeadScreen
from isdesk.screens.lead.confirm_dialog import ConfirmDialog
from isdesk.screens.lead.log_activity import LogActivityDialog
from isdesk.services.call_sessions import open_calls, start_call
from isdesk.services.leads import save_answer
from isdesk.store.calls import PhoneCall
from isdesk.store.db import is_postgres
from isdesk.store.models import Activity, Answer, LeadEvent
from isdesk.widgets.hearing import HearingChecklist
from tests.support import factories as f
from tests.support.ui import SIZE, TODAY, make_app, settle


async def _open(pilot, lead_id: int) -> LeadScreen:
    await settle(pilot)
    screen = LeadScreen(pilot.app.ctx, lead_id)
    await pilot.app.push_screen(screen)
    await settle(pilot)
    return screen


def _stored(db, lead_id: int) -> dict[str, str]:
    with db.connection_context():
        return {a.item: a.value for a in Answer.select().where(Answer.lead == lead_id)}


def _calls(db, lead_id: int) -> list[tuple[str, int | None]]:
    with db.connection_context():
        rows = PhoneCall.select().where(PhoneCall.lead == lead_id).order_by(PhoneCall.id)
        return [(r.status, r.activity_id) for r in rows]


async def test_typing_on_opening_adds_to_the_answer_never_replaces_it(db) -> None:
    me = f.operator("sato")
    lead_id = f.lead(me)
    rules = load_rules(None)
    save_answer(me, lead_id, "pain", "リードの取りこぼし", base_version=0, rules=rules, today=TODAY)
    save_answer(me, lead_id, "budget", "300万", base_version=0, rules=rules, today=TODAY)
    app = make_app(db, me)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, lead_id)
        await pilot.press(*"が多い", "enter")  # item 1 has focus on opening
        await pilot.press("alt+3", *"程度", "enter")  # a jump lands after the text too
        await settle(pilot)
    assert _stored(db, lead_id) == {"pain": "リードの取りこぼしが多い", "budget": "300万程度"}


async def test_keys_typed_while_the_lead_loads_land_in_the_answers(db, monkeypatch) -> None:
    """F2 and talking at once: the lead is still loading (a busy database) when the operator
    starts typing; what they type goes into the answers once they are there."""
    import isdesk.screens.lead.screen as lead_screen

    me = f.operator("sato")
    lead_id = f.lead(me)
    rules = load_rules(None)
    save_answer(me, lead_id, "pain", "手作業", base_version=0, rules=rules, today=TODAY)
    real_load = lead_screen.load_lead
    loaded = threading.Event()

    def slow_load(*args, **kwargs):
        detail = real_load(*args, **kwargs)
        loaded.wait(10)  # the database answers only once the operator has typed
        return detail

    monkeypatch.setattr(lead_screen, "load_lead", slow_load)
    app = make_app(db, me)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = LeadScreen(app.ctx, lead_id)
        await app.push_screen(screen)
        await pilot.press("f2", *"が多い", "enter", *"勤怠")
        assert screen.detail is None  # all of it typed before the lead was there
        loaded.set()
        await settle(pilot)
        assert screen.query_one(HearingChecklist).field("product").editor.has_focus
        await pilot.press(*"管理", "enter")
        await settle(pilot)
        assert screen._call is not None  # F2 worked while loading: the call runs
    assert _stored(db, lead_id) == {"pain": "手作業が多い", "product": "勤怠管理"}


async def test_ctrl_z_steps_an_answer_back_and_is_saved_and_recorded(db) -> None:
    me = f.operator("sato")
    lead_id = f.lead(me)
    app = make_app(db, me)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, lead_id)
        await pilot.press(*"Excel管理", "enter", "alt+1", *"が限界", "enter", "alt+1")
        await settle(pilot)
        assert _stored(db, lead_id)["pain"] == "Excel管理が限界"
        await pilot.press("ctrl+z")
        await settle(pilot)
        field = screen.query_one(HearingChecklist).field("pain")
        assert field.value == "Excel管理"
        assert _stored(db, lead_id)["pain"] == "Excel管理"
        assert field.has_class("-saved")
        await pilot.press(*"x")  # unsettled typing: ctrl+z goes back to the settled text
        await pilot.press("ctrl+z", "ctrl+z")
        await settle(pilot)
        assert field.value == ""
        assert _stored(db, lead_id)["pain"] == ""
    with db.connection_context():
        events = [
            e.new_value
            for e in LeadEvent.select()
            .where((LeadEvent.lead == lead_id) & (LeadEvent.kind == "answer"))
            .order_by(LeadEvent.id)
        ]
    assert events == ["Excel管理", "Excel管理が限界", "Excel管理", ""]


@contextlib.contextmanager
def _lock_held(db, lead_id: int) -> Iterator[None]:
    """Another writer (an import, another operator) holds the lock isdesk's save needs."""
    if is_postgres(db):
        import psycopg2

        params = dict(db.connect_params)
        conn = psycopg2.connect(dbname=db.database, **params)
        cur = conn.cursor()
        cur.execute("SELECT id FROM lead WHERE id = %s FOR UPDATE", (lead_id,))
        try:
            yield
        finally:
            conn.rollback()
            conn.close()
    else:
        conn = sqlite3.connect(db.database, isolation_level=None, check_same_thread=False)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()


async def test_tick_only_when_the_text_on_screen_is_the_saved_text(db, monkeypatch) -> None:
    me = f.operator("sato")
    lead_id = f.lead(me)
    app = make_app(db, me)
    wrong: list[tuple[str, str]] = []
    original = LeadScreen.on_lead_screen_saved

    def spy(self: LeadScreen, message: LeadScreen.Saved) -> None:
        original(self, message)
        field = self.query_one(HearingChecklist).field(message.item)
        outcome = message.outcome
        if field.has_class("-saved") and outcome and outcome.answer.value != field.value:
            wrong.append((outcome.answer.value, field.value))

    monkeypatch.setattr(LeadScreen, "on_lead_screen_saved", spy)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, lead_id)
        field = screen.query_one(HearingChecklist).field("pain")
        with _lock_held(db, lead_id):
            await pilot.press("K")
            await asyncio.sleep(0.5)  # the save of "K" now waits on the lock
            await pilot.press(*"rstu")
            await asyncio.sleep(0.3)
            assert not field.has_class("-saved")  # nothing is in the database yet
        await settle(pilot)
        assert field.value == "Krstu" and field.has_class("-saved")
    assert wrong == []  # ✓ never stood beside a text the database did not have
    assert _stored(db, lead_id)["pain"] == "Krstu"


async def test_no_key_drops_a_running_call(db) -> None:
    me = f.operator("sato")
    lead_id = f.lead(me)
    app = make_app(db, me)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, lead_id)
        await pilot.press("f2")
        await settle(pilot)
        assert _calls(db, lead_id) == [("running", None)]  # written the moment it starts
        await pilot.press("escape", "escape", "q")  # leave field, "back", a bare q
        await settle(pilot)
        assert isinstance(app.screen, LeadScreen) and app.is_running
        await pilot.press(*"c", *"e", *"a", *"m", *"o", *"h")  # letters fire nothing
        await settle(pilot)
        assert isinstance(app.screen, LeadScreen)
        assert len(app.screen_stack) == 3  # default, queue, lead: no dialog was opened
        await pilot.press("ctrl+q")  # quitting asks while a call is open
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")  # the default is "no"
        await settle(pilot)
        assert isinstance(app.screen, LeadScreen) and app.is_running

        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, LogActivityDialog)
        await pilot.press("1", "t", *"メモ", "escape", "escape", "escape")
        await settle(pilot)
        assert isinstance(app.screen, LogActivityDialog)  # Esc never throws the call away
        assert _calls(db, lead_id) == [("ended", None)]
        app.screen.set_focus(app.screen.query_one("#log-note", Input))
        await pilot.press("home", "ctrl+d")  # in a text box too: cancel, never delete a char
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")  # not cancelled after all
        await settle(pilot)
        assert isinstance(app.screen, LogActivityDialog)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LeadScreen)
    with db.connection_context():
        activity = Activity.get(Activity.lead == lead_id)
        assert (activity.kind, activity.outcome, activity.note) == ("call", "connected", "メモ")
    assert _calls(db, lead_id) == [("logged", activity.id)]


async def test_a_call_is_cancelled_only_when_confirmed_and_stays_recorded(db) -> None:
    me = f.operator("sato")
    lead_id = f.lead(me)
    app = make_app(db, me)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, lead_id)
        await pilot.press("f2", "f2")
        await settle(pilot)
        await pilot.press("ctrl+d")
        await settle(pilot)
        await pilot.press("right", "enter")  # a deliberate move to "cancel the call"
        await settle(pilot)
        assert isinstance(app.screen, LeadScreen)
        await pilot.press("escape", "escape")  # no call open: back to the queue
        await settle(pilot)
        assert not isinstance(app.screen, LeadScreen)
    assert _calls(db, lead_id) == [("cancelled", None)]
    with db.connection_context():
        assert Activity.select().count() == 0


async def test_a_call_left_open_is_offered_at_the_next_start(db) -> None:
    me = f.operator("sato")
    lead_id = f.lead(me)
    call = start_call(me, lead_id)  # a previous run died mid-call
    app = make_app(db, me)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(50):
            await settle(pilot)
            if isinstance(app.screen, LogActivityDialog):
                break
        assert isinstance(app.screen, LogActivityDialog)
        assert isinstance(app.screen_stack[-2], LeadScreen)
        assert app.screen_stack[-2].lead_id == lead_id
        await pilot.press("2", "t", "enter")  # no answer, call back tomorrow
        await settle(pilot)
    with db.connection_context():
        activity = Activity.get(Activity.lead == lead_id)
    assert activity.outcome == "no_answer"
    assert _calls(db, lead_id) == [("logged", activity.id)]
    assert open_calls(me) == ()
    assert activity.duration_s == call.duration_s  # up to the last moment the call was seen


async def test_the_hint_says_which_known_answer_blocks_the_rank(db) -> None:
    from tests.support.ui import static_text

    me = f.operator("sato")
    lead_id = f.lead(me)
    app = make_app(db, me)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, lead_id)
        await pilot.press("alt+4", *"2027-06-01", "enter", "alt+6", *"Salesforce", "enter")
        await settle(pilot)
        hint = static_text(app, "#rank-hint")
        assert "ランクA" in hint and "導入時期が30日より先" in hint
        await pilot.press("alt+4", "ctrl+z", "ctrl+z", *"来月", "enter")  # 2026-12-31: 39 days
        await settle(pilot)
        assert _stored(db, lead_id)["timing"] == "2026-12-31 (来月)"
        assert "30日より先" in static_text(app, "#rank-hint")


async def test_a_follow_up_with_a_time_of_day_and_its_due_notice(db) -> None:
    import datetime as dt

    from isdesk.store.db import utcnow
    from isdesk.store.models import Lead

    me = f.operator("sato")
    lead_id = f.lead(me)
    due_id = f.lead(me, company="株式会社そろそろ")
    with db.connection_context():
        Lead.update(next_action_at=utcnow() - dt.timedelta(minutes=1)).where(
            Lead.id == due_id
        ).execute()
    app = make_app(db, me)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, lead_id)
        await pilot.press("f3", "d", *"12/10 15時", "enter", "enter")  # e-mail, when, note
        await settle(pilot)
        app._due_checked_at = utcnow() - dt.timedelta(minutes=10)
        app._check_due_follow_ups()  # what the 30-second timer does
        await settle(pilot)
        notices = [n.message for n in app._notifications]
        assert any("株式会社そろそろ" in m and "フォロー" in m for m in notices)
    with db.connection_context():
        when = Lead.get_by_id(lead_id).next_action_at
    zone = app.ctx.rules.calendar.zone
    assert when.astimezone(zone).replace(tzinfo=None) == dt.datetime(2026, 12, 10, 15, 0)


async def test_a_pause_in_typing_records_the_answer_in_the_history(db) -> None:
    from isdesk.widgets import hearing

    me = f.operator("sato")
    lead_id = f.lead(me)
    app = make_app(db, me)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, lead_id)
        for text in ("紙の", "申込書"):  # two pauses, no Enter, never leaving the field
            await pilot.press(*text)
            await asyncio.sleep(hearing.SETTLE_AFTER_PAUSE_S + 0.5)
            await settle(pilot)
    with db.connection_context():
        events = [
            e.new_value
            for e in LeadEvent.select()
            .where((LeadEvent.lead == lead_id) & (LeadEvent.kind == "answer"))
            .order_by(LeadEvent.id)
        ]
    assert events == ["紙の", "紙の申込書"]


async def test_f4_books_an_appointment_and_writes_its_calendar_file(db) -> None:
    import datetime as dt
    import os
    import stat
    from pathlib import Path

    from icalendar import Calendar

    from isdesk.screens.lead.appointment_dialog import AppointmentDialog
    from isdesk.store.calls import Appointment

    me = f.operator("sato")
    f.operator("kato", team="field", role="field", display="加藤")
    lead_id = f.lead(me)
    app = make_app(db, me)
    async with app.run_test(size=(80, 24)) as pilot:  # the smallest terminal
        await _open(pilot, lead_id)
        await pilot.press("f4")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AppointmentDialog)
        assert dialog.region.contains_region(dialog.query_one("#log-box").region)
        await pilot.press(*"12/10 15:00", "enter", "backspace", "backspace", *"90")
        await pilot.press("tab", "tab", *"本社 会議室A", "ctrl+s")
        await settle(pilot)
        notes = [n.message for n in app._notifications if ".ics" in n.message]
    with db.connection_context():
        row = Appointment.get(Appointment.lead == lead_id)
    zone = app.ctx.rules.calendar.zone
    assert row.starts_at.astimezone(zone).replace(tzinfo=None) == dt.datetime(2026, 12, 10, 15)
    assert (row.minutes, row.place) == (90, "本社 会議室A")
    assert row.attendee_id is not None  # the field user, highlighted first
    path = notes[0].split(": ", 1)[1]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    (event,) = Calendar.from_ical(Path(path).read_bytes()).walk("VEVENT")
    assert str(event["location"]) == "本社 会議室A"


async def test_an_answer_typed_just_before_moving_on_is_in_the_history(db) -> None:
    """ctrl+n (or Esc Esc) right after typing: no pause, no Enter. The answer is saved and
    recorded in the history, as if the operator had left the field."""
    me = f.operator("sato")
    first = f.lead(me, company="一社目", next_action_days=90)  # not due: ctrl+n goes on
    f.lead(me, company="二社目", next_action_days=-1)
    app = make_app(db, me)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, first)
        await pilot.press(*"紙の申込書", "ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, LeadScreen) and app.screen.lead_id != first
    with db.connection_context():
        events = [
            e.new_value
            for e in LeadEvent.select().where(
                (LeadEvent.lead == first) & (LeadEvent.kind == "answer")
            )
        ]
    assert _stored(db, first)["pain"] == "紙の申込書"
    assert events == ["紙の申込書"]
