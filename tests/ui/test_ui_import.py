"""Importing through the TUI: the preview shows the rows as they will be stored, then import."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from isdesk.screens.import_screen import ImportScreen
from isdesk.store.models import Lead
from tests.support import factories as f
from tests.support.ui import SIZE, make_app, settle, static_text

DATA = Path(__file__).resolve().parents[1] / "unit" / "data" / "import"


async def _wait_for(pilot, predicate, rounds: int = 100) -> None:
    for _ in range(rounds):
        await settle(pilot, rounds=1)
        if predicate():
            return
    raise AssertionError("never happened")


async def test_preview_then_import_a_cp932_file(db, tmp_path: Path) -> None:
    boss = f.operator("boss", role="lead")
    source = DATA / "excel_cp932.csv"
    path = tmp_path / source.name  # the rejects file is written next to the input
    path.write_bytes(source.read_bytes())
    app = make_app(db, boss)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("I")
        await settle(pilot)
        assert isinstance(app.screen, ImportScreen)
        app.screen.query_one("#import-path").value = str(path)
        await pilot.press("enter")
        await _wait_for(pilot, lambda: app.screen.query_one(DataTable).row_count > 0)
        info = static_text(app, "#import-info")
        assert "cp932" in info.lower() or "shift" in info.lower()
        table = app.screen.query_one(DataTable)
        first = [str(c) for c in table.get_row_at(0)]
        assert any("オメガ" in c for c in first)  # CP932 Japanese read correctly
        assert "03-9876-5432" in first  # full-width digits and hyphens normalised
        await pilot.press("ctrl+s")
        await _wait_for(pilot, lambda: "=" in static_text(app, "#import-summary"))
        summary = static_text(app, "#import-summary")
        assert "読込" in summary
        assert "割り当て" in summary  # the automatic assignment pass after an import
    with db.connection_context():
        assert Lead.select().count() > 0


async def test_a_missing_file_is_a_message(db) -> None:
    boss = f.operator("boss", role="lead")
    app = make_app(db, boss, language="en")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("I")
        await settle(pilot)
        app.screen.query_one("#import-path").value = "/nonexistent/leads.csv"
        await pilot.press("enter")
        await _wait_for(pilot, lambda: "No such file" in static_text(app, "#import-info"))
        await pilot.press("ctrl+s")  # nothing to import: refused, nothing written
        await settle(pilot)
    with db.connection_context():
        assert Lead.select().count() == 0


async def test_operators_do_not_get_the_import_screen(db) -> None:
    sato = f.operator("sato")
    app = make_app(db, sato)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("I")
        await settle(pilot)
        assert not isinstance(app.screen, ImportScreen)
