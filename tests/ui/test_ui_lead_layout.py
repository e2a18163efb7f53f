"""The lead screen and its dialogs at 80x24, 120x40, 160x45 and 200x50: every answer box wide
enough to read what is typed, the focused box in view, no dialog cut off."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from isdesk.screens.lead import LeadScreen
from isdesk.screens.lead.log_activity import LogActivityDialog
from isdesk.widgets.hearing import HearingChecklist, HearingField
from tests.support import factories as f
from tests.support.ui import make_app, settle

SIZES = [(80, 24), (120, 40), (160, 45), (200, 50)]
MIN_ANSWER_WIDTH = 30


def _visible(widget, screen) -> bool:
    region = widget.region
    return region.area > 0 and screen.region.contains_region(region)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("language", ["ja", "en"])
async def test_every_answer_box_is_wide_and_the_focused_one_in_view(
    tmp_path, size, language
) -> None:
    from isdesk.store.db import open_database
    from isdesk.store.schema import upgrade

    db = open_database(f"sqlite:///{tmp_path / 'layout.sqlite3'}")
    upgrade(db)
    me = f.operator("sato")
    lead_id = f.lead(me)
    app = make_app(db, me, language=language)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await app.push_screen(LeadScreen(app.ctx, lead_id))
        await settle(pilot)
        screen = app.screen
        fields = list(screen.query_one(HearingChecklist).query(HearingField))
        assert len(fields) == 9
        for number, field in enumerate(fields, start=1):
            await pilot.press(f"alt+{number}")
            await pilot.pause()
            editor = field.editor
            assert screen.focused is editor
            assert _visible(editor, screen), (number, editor.region, screen.region)
            assert editor.content_region.width >= MIN_ANSWER_WIDTH, (number, editor.region)
        if size[0] >= 160:  # profile, hearing and history side by side
            side = screen.query_one("#lead-side").region
            hearing = screen.query_one("#hearing-pane").region
            history = screen.query_one("#lead-history").region
            assert side.right <= hearing.x and hearing.right <= history.x

        await pilot.press("f2", "f2")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, LogActivityDialog)
        box = dialog.query_one("#log-box")
        assert dialog.region.contains_region(box.region)  # not cut off
        assert _visible(dialog.focused, dialog)
        await pilot.press("1", "w")  # the cursor goes to the note
        await pilot.pause()
        note = dialog.query_one("#log-note", Input)
        assert dialog.focused is note and _visible(note, dialog)
        assert note.content_region.width >= MIN_ANSWER_WIDTH
