"""Run by test_kill.py in a child process: types answers through the real app, reports each
answer the screen shows as saved on stdout, then keeps typing until it is killed."""

from __future__ import annotations

import asyncio
import sys

from isdesk.screens.lead import LeadScreen
from isdesk.services.operators import find_operator
from isdesk.store.db import open_database
from isdesk.widgets.hearing import HearingChecklist
from tests.support.ui import SIZE, make_app, settle

ANSWERS = [
    ("1", "pain", "紙の申込書の転記"),
    ("3", "budget", "300万"),
    ("5", "authority", "総務部長"),
    ("6", "competitors", "kintone"),
]


async def main(url: str, lead_id: int) -> None:
    db = open_database(url)
    app = make_app(db, find_operator("sato"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = LeadScreen(app.ctx, lead_id)
        await app.push_screen(screen)
        await settle(pilot)
        checklist = screen.query_one(HearingChecklist)
        for number, key, text in ANSWERS:
            await pilot.press(f"alt+{number}", *text, "enter")
            field = checklist.field(key)
            while not (field.has_class("-saved") and field.value == text):
                await pilot.pause(0.01)
            print(f"SAVED {key} {text}", flush=True)
        await pilot.press("alt+9")
        while True:  # an answer in flight when the kill comes
            await pilot.press(*"検討メンバー")
            await pilot.pause(0.01)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
