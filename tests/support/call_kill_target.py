"""Run by test_kill.py in a child process: starts a call through the real app, reports it on
stdout once the call row is written, then keeps typing until it is killed."""

from __future__ import annotations

import asyncio
import sys

from isdesk.screens.lead import LeadScreen
from isdesk.services.call_sessions import open_calls
from isdesk.services.operators import find_operator
from isdesk.store.db import open_database
from tests.support.ui import SIZE, make_app, settle


async def main(url: str, lead_id: int) -> None:
    db = open_database(url)
    me = find_operator("sato")
    app = make_app(db, me)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.push_screen(LeadScreen(app.ctx, lead_id))
        await settle(pilot)
        await pilot.press("f2")
        while not open_calls(me, lead_id):
            await pilot.pause(0.05)
        print(f"CALL {open_calls(me, lead_id)[0].id}", flush=True)
        while True:  # on the phone, typing, when the kill comes
            await pilot.press(*"課題")
            await pilot.pause(0.2)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
