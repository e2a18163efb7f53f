"""Search and settings through the real app: kana, variant kanji and phone digits in the queue
filter; the theme and keymap from settings.yaml applied."""

from __future__ import annotations

import json

from isdesk.screens.lead import LeadScreen
from isdesk.widgets.lead_table import LeadTable
from tests.support import factories as f
from tests.support.ui import SIZE, make_app, settle


async def _filter(pilot, text: str) -> int:
    await pilot.press("slash", *text)
    await pilot.pause(0.3)
    await settle(pilot)
    total = pilot.app.screen.query_one(LeadTable).total
    await pilot.press("escape")
    await pilot.pause(0.3)
    await settle(pilot)
    return total


async def test_the_filter_folds_kana_variant_kanji_and_finds_numbers_by_digits(db) -> None:
    me = f.operator("sato", display="佐藤")
    f.lead(me, company="サクラシステム株式会社", contact="髙橋 一郎", phone="03-1234-5678",
           phones=json.dumps([{"kind": "direct", "number": "03-1234-5678"},
                              {"kind": "mobile", "number": "090-1111-2222"}]))  # fmt: skip
    f.lead(me, company="株式会社オメガ", contact="渡辺 花子")
    app = make_app(db, me)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert pilot.app.screen.query_one(LeadTable).total == 2
        for text in ("さくら", "ｻｸﾗ", "高橋", "0312345678", "03-1234"):
            assert await _filter(pilot, text) == 1, text
        assert await _filter(pilot, "渡邊") == 1  # 邊 = 辺


async def test_the_settings_theme_and_keymap_are_applied(db) -> None:
    me = f.operator("sato", display="佐藤")
    lead_id = f.lead(me, phone="03-1234-5678")
    app = make_app(db, me, language="en")
    app.ctx.theme = "nord"
    app.ctx.keymap = {"lead.copy_phone": "ctrl+y"}
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "nord"
        await app.push_screen(LeadScreen(app.ctx, lead_id))
        await settle(pilot)
        await pilot.press("ctrl+y")  # the user's key for "copy number"
        await pilot.pause()
        assert app.clipboard == "03-1234-5678"
