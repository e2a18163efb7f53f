"""The Reports screen (R): every tab builds from the history and shows its tables."""

from __future__ import annotations

import datetime as dt

from textual.widgets import DataTable, Input, TabbedContent

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


async def test_charts_trend_lines_heat_map_and_the_voice_tab_at_80x24(db, tmp_path) -> None:
    from textual.widgets import Sparkline

    from isdesk.store.models import Activity
    from isdesk.widgets.report_charts import TrendLine

    boss = f.operator("boss", role="lead")
    for n in range(4):
        lead_id = f.lead(boss, company=f"会社{n}", acquired_days=-35 * n - 1)
        log_activity(boss, lead_id, ActivityInput("call", "connected"),
                     now=f.BASE - dt.timedelta(days=35 * n))  # fmt: skip
    with db.connection_context():
        Activity.create(
            lead=lead_id,
            operator=boss.id,
            at=f.BASE - dt.timedelta(days=2),
            kind="call",
            outcome="connected",
            note="価格が決め手",
            customer_voice=True,
        )
        Activity.create(
            lead=lead_id,
            operator=boss.id,
            at=f.BASE - dt.timedelta(days=5),
            kind="call",
            outcome="connected",
            note="サポートが手厚い",
            customer_voice=True,
        )
    app = make_app(db, boss)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        screen = app.screen
        lines = list(screen.query("#report-periods TrendLine").results(TrendLine))
        leads = next(t for t in lines if t.label == "リード")  # the chart label in the UI language
        spark = leads.query_one(Sparkline)
        assert sum(spark.data or ()) == 4  # every lead once, month by month
        assert leads.region.width <= 80 and leads.region.height == 1
        screen.query_one(TabbedContent).active = "report-cohorts"
        await settle(pilot)
        grid = screen.query("#report-cohorts DataTable").results(DataTable)
        shaded = [
            cell.style
            for table in grid
            for i in range(table.row_count)
            for cell in table.get_row_at(i)
            if getattr(cell, "style", None)
        ]
        assert shaded, "the cohort shares are shaded as a heat map"
        screen.query_one(TabbedContent).active = "report-voice"
        await settle(pilot)
        (voice, *_rest) = screen.query("#report-voice DataTable").results(DataTable)
        assert "価格が決め手" in [str(c) for c in voice.get_row_at(0)]
        screen.query_one("#voice-filter").value = "該当なし"
        await settle(pilot)
        (voice, *_rest) = screen.query("#report-voice DataTable").results(DataTable)
        assert voice.row_count == 0
        screen.query_one("#voice-filter").value = "決め手"
        await settle(pilot)
        (voice, *_rest) = screen.query("#report-voice DataTable").results(DataTable)
        assert voice.row_count == 1
        app.save_screenshot(str(tmp_path / "voice.svg"))
        # Marketing takes what the filter shows to Excel, from the filter box itself.
        filter_box = screen.query_one("#voice-filter", Input)
        screen.set_focus(filter_box)
        filter_box.value = ""
        await pilot.press(*"価格", "ctrl+s")
        await settle(pilot)
        assert filter_box.value == "価格"
    from isdesk.config.locations import data_dir

    (path,) = (data_dir() / "exports").glob("isdesk-report-voice-*.csv")
    exported = path.read_text(encoding="utf-8-sig")
    assert "価格が決め手" in exported and "サポートが手厚い" not in exported  # filtered
