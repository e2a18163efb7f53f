"""The Reports screen (R): every tab builds from the history and shows its tables."""

from __future__ import annotations

import datetime as dt

from textual.widgets import DataTable, TabbedContent

from isdesk.screens.reports import REPORT_KINDS, ReportsScreen
from isdesk.services.activities import ActivityInput, log_activity
from tests.support import factories as f
from tests.support.ui import SIZE, make_app, settle


async def test_every_report_tab_shows_its_tables(db) -> None:
    boss = f.operator("boss", role="lead")
    for n in range(6):
        lead_id = f.lead(boss, company=f"会社{n}", acquired_days=-40 * n)
        log_activity(
            boss,
            lead_id,
            ActivityInput("call", "connected"),
            now=f.BASE - dt.timedelta(days=40 * n - 3),
        )
    app = make_app(db, boss)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        for kind in REPORT_KINDS:
            screen.query_one(TabbedContent).active = f"report-{kind}"
            await settle(pilot)
            assert kind in screen.reports, kind
            tables = screen.query(f"#report-{kind} DataTable")
            assert len(tables) >= 1
        periods = screen.query("#report-periods DataTable").first(DataTable)
        total = sum(
            int(str(periods.get_row_at(i)[1]).replace(",", "")) for i in range(periods.row_count)
        )
        assert total == 6  # every lead acquired counted once, in its month


async def test_operators_do_not_get_reports(db) -> None:
    sato = f.operator("sato")
    app = make_app(db, sato)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        assert not isinstance(app.screen, ReportsScreen)
