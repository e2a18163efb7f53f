"""The phone on the lead screen through the real app: every number shown, F9 copies, F10 dials
with the settings' dial command and starts the call timer, F8 marks do-not-call and says why."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from isdesk.screens.lead import LeadScreen
from isdesk.store.models import Lead, LeadEvent
from isdesk.widgets.call_timer import CallTimer
from tests.support import factories as f
from tests.support.ui import SIZE, make_app, settle

PHONES = [
    {"kind": "direct", "number": "03-5436-1234"},
    {"kind": "mobile", "number": "090-3456-7812"},
    {"kind": "company", "number": "03-5436-1200"},
]


async def _open(pilot, lead_id: int) -> LeadScreen:
    await settle(pilot)
    screen = LeadScreen(pilot.app.ctx, lead_id)
    await pilot.app.push_screen(screen)
    await settle(pilot)
    return screen


def profile_lines(app) -> list[str]:
    widget = app.screen.query_one("#profile")
    return [widget.render_line(y).text.rstrip() for y in range(widget.size.height)]


def _card(me) -> int:
    return f.lead(
        me,
        company="株式会社髙島製作所",
        contact="齋藤 健一",
        phone="03-5436-1234",
        phones=json.dumps(PHONES),
        department="営業本部",
    )


async def test_every_number_is_shown_and_f9_copies_the_first(db) -> None:
    me = f.operator("sato", display="佐藤")
    lead_id = _card(me)
    app = make_app(db, me)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, lead_id)
        shown = "\n".join(profile_lines(app))
        lines = profile_lines(app)
        assert any(line.split() == ["電話", "03-5436-1234", "(直通)"] for line in lines)
        assert any(line.split() == ["携帯", "090-3456-7812"] for line in lines)
        assert any(line.split() == ["代表", "03-5436-1200"] for line in lines)
        assert "営業本部" in shown
        await pilot.press("f9")
        await pilot.pause()
        assert app.clipboard == "03-5436-1234"
        # no dial command in the settings: F10 says how to set one and dials nothing
        await pilot.press("f10")
        await pilot.pause()
        assert not app.screen.query_one(CallTimer).running


async def test_f10_runs_the_dial_command_and_starts_the_timer(db, tmp_path: Path) -> None:
    me = f.operator("sato", display="佐藤")
    lead_id = _card(me)
    dialled = tmp_path / "dialled.txt"
    script = tmp_path / "dial.py"
    script.write_text(f"import sys\nopen({str(dialled)!r}, 'w').write(sys.argv[1])\n")
    app = make_app(db, me, language="en")
    app.ctx.dial_command = f"{sys.executable} {script} {{phone}}"
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, lead_id)
        await pilot.press("f10")
        await settle(pilot)
        assert app.screen.query_one(CallTimer).running  # the call is being timed
        for _ in range(50):
            if dialled.exists() and dialled.read_text():
                break
            await pilot.pause(0.1)
        assert dialled.read_text() == "0354361234"  # digits, never through a shell


async def test_f8_marks_do_not_call_shows_why_and_refuses_to_dial(db) -> None:
    me = f.operator("sato", display="佐藤")
    lead_id = _card(me)
    app = make_app(db, me)
    app.ctx.dial_command = "true {phone}"
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, lead_id)
        await pilot.press("f8")
        await settle(pilot)
        line = next(line for line in profile_lines(app) if line.startswith("架電禁止"))
        assert line.split()[1] == "佐藤"  # who set it, and when
        await pilot.press("f10")
        await pilot.pause()
        assert not app.screen.query_one(CallTimer).running
        with db.connection_context():
            lead = Lead.get_by_id(lead_id)
            assert lead.do_not_call and lead.do_not_call_note.startswith("佐藤 ")
            assert LeadEvent.select().where(LeadEvent.kind == "do_not_call").count() == 1
        await pilot.press("f8")  # lifted again
        await settle(pilot)
        assert "架電禁止" not in "\n".join(profile_lines(app))
    with db.connection_context():
        assert not Lead.get_by_id(lead_id).do_not_call


async def test_the_queue_marks_do_not_call_and_n_passes_it_by(db) -> None:
    from isdesk.widgets.lead_table import LeadTable
    from tests.support.ui import table_lines

    me = f.operator("sato", display="佐藤")
    f.lead(me, company="架電禁止の会社", do_not_call=True, do_not_call_note="DoNotCall=true")
    app = make_app(db, me)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        row = next(line for line in table_lines(app) if "架電禁止の会社" in line)
        assert "架電禁止" in row.replace("架電禁止の会社", "")  # marked where the next step is
        assert app.screen.query_one(LeadTable).total == 1
        await pilot.press("n")  # the only lead may not be called: nothing is opened
        await settle(pilot)
        assert not isinstance(app.screen, LeadScreen)
