"""Every screen of the workstation fits the terminal at 80x24, 100x30, 120x40 and 200x50."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.widgets import Footer

from isdesk.i18n import tr
from tests.support.snapshots import (
    FIELD_LOGIN,
    LEAD_LOGIN,
    demo_database,
    frozen_clock,
    make_demo_app,
    open_screen,
    screen_text,
    settle,
)

SIZES = ((80, 24), (100, 30), (120, 40), (200, 50))


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    demo_database(path)
    return path


def _fits(app) -> None:
    screen = app.screen
    # The screen itself never scrolls: its parts share the terminal (their own lists scroll).
    assert screen.virtual_size.height <= screen.size.height, type(screen).__name__
    footer = screen.query_one(Footer)
    assert footer.region.bottom == screen.size.height and footer.region.width > 0
    lines = screen_text(app).splitlines()
    assert max(cell_len(line) for line in lines) <= app.size.width


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_each_screen_fits_the_terminal(size, demo_file: Path, monkeypatch) -> None:
    frozen_clock(monkeypatch)
    db = demo_database(demo_file)
    app = make_demo_app(db, LEAD_LOGIN, "ja")
    async with app.run_test(size=size) as pilot:
        await open_screen(pilot, "queue")
        _fits(app)
        header = screen_text(app).splitlines()[1]
        assert tr("queue.col.company") in header and tr("queue.col.next_action") in header
        assert (tr("queue.col.source") in header) == (size[0] >= 100)
        for key in ("K", "T", "R", "I"):
            await pilot.press(key)
            await settle(pilot)
            _fits(app)
            await pilot.press("escape")
            await settle(pilot)
    app = make_demo_app(db, FIELD_LOGIN, "ja")
    async with app.run_test(size=size) as pilot:
        await open_screen(pilot, "inbox")
        await pilot.press("d")  # decided ones too: every status
        await settle(pilot)
        _fits(app)
        text = screen_text(app)
        statuses = {item.status for item in app.screen.items}
        assert len(statuses) >= 2, statuses
        for item in app.screen.items[: app.screen.query_one("#inbox-list").size.height - 2]:
            # Each hand-off's line shows its status, however narrow the list.
            assert tr(f"inbox.status.{item.status}") in text
