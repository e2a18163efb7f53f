"""The team screen's actions through the real app: B proposes a rebalance, Enter applies it in a
worker, and the lead sees the result as a notification and in the owners."""

from __future__ import annotations

from isdesk.screens.navigation import Navigate
from isdesk.screens.team import RebalanceDialog, TeamScreen
from isdesk.store.models import Lead
from tests.db.test_assignment import rules_with
from tests.support import factories as f
from tests.support.ui import SIZE, make_app, settle


async def test_rebalance_applies_the_proposed_moves_and_says_so(db) -> None:
    boss = f.operator("boss", role="lead")
    heavy = f.operator("a")
    f.operator("b")
    leads = [f.lead(heavy, source="資料請求", acquired_days=-d) for d in range(5, 0, -1)]
    app = make_app(db, boss, rules=rules_with(cap=2))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.post_message(Navigate("team"))
        await settle(pilot)
        assert isinstance(app.screen, TeamScreen)
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, RebalanceDialog)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TeamScreen)
        assert any("件を移しました" in n.message for n in app._notifications)
    owners = {row.id: row.owner_id for row in Lead.select().where(Lead.id.in_(leads))}
    ids = {op.name: op.id for op in (boss, heavy)}
    # a keeps the cap (2); the three newest leave it, to operators with room
    assert sum(owner == ids["a"] for owner in owners.values()) == 2
    assert all(owners[lead] == ids["a"] for lead in leads[:2])
