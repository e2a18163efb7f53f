"""Snapshots of every screen of the workstation (the lead screen and its end-of-call dialog
included), at 80x24 and 160x45, in Japanese and English, on the seeded demo with a frozen clock.

Each snapshot is the terminal's text, cell by cell (``snapshots/NAME.txt``, readable in a diff),
and the SHA-256 of Textual's SVG export with its per-export id taken out
(``snapshots/svg.json``), which also catches colours and styles. A layout or width regression
fails here. After an intended change:
``ISDESK_UPDATE_SNAPSHOTS=1 pytest tests/ui/test_snapshots.py``, then read the diff of the
.txt files before committing them; a failing run leaves the new SVG in the test's tmp_path.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from tests.support.snapshots import (
    ROUTES,
    WRITES,
    demo_database,
    frozen_clock,
    make_demo_app,
    normalized_svg,
    open_screen,
    screen_text,
)

HERE = Path(__file__).parent / "snapshots"
DIGESTS = HERE / "svg.json"
SCREENS = (
    "queue",
    "lead",
    "call",
    "kpi",
    "team",
    "reports",
    "import",
    "inbox",
    "inbox_decided",
    "help",
)
SIZES = ((80, 24), (160, 45))
UPDATE = os.environ.get("ISDESK_UPDATE_SNAPSHOTS") == "1"


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    demo_database(path)
    return path


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", SCREENS)
async def test_screen_matches_its_snapshot(
    screen: str, size: tuple[int, int], language: str, demo_file: Path, monkeypatch, tmp_path
) -> None:
    frozen_clock(monkeypatch)
    if screen in WRITES:
        copy = tmp_path / "demo.sqlite3"
        # The backup API, not a file copy: it includes what is still in the WAL.
        with closing(sqlite3.connect(demo_file)) as source, closing(sqlite3.connect(copy)) as to:
            source.backup(to)
        demo_file = copy
    db = demo_database(demo_file)
    app = make_demo_app(db, ROUTES[screen][0], language)
    async with app.run_test(size=size) as pilot:
        await open_screen(pilot, screen)
        # On a busy machine a table may still be settling its column widths: take the screen
        # once two looks 0.2 s apart agree.
        text = screen_text(app)
        for _ in range(15):
            await pilot.pause(0.2)
            again = screen_text(app)
            if again == text:
                break
            text = again
        svg = normalized_svg(app.export_screenshot())
    name = f"{screen}-{language}-{size[0]}x{size[1]}"
    digest = hashlib.sha256(svg.encode()).hexdigest()
    digests = json.loads(DIGESTS.read_text()) if DIGESTS.exists() else {}
    if UPDATE:
        (HERE / f"{name}.txt").write_text(text, encoding="utf-8")
        digests[name] = digest
        DIGESTS.write_text(json.dumps(dict(sorted(digests.items())), indent=1) + "\n")
        return
    (tmp_path / f"{name}.svg").write_text(svg, encoding="utf-8")
    assert text == (HERE / f"{name}.txt").read_text(encoding="utf-8"), name
    assert digest == digests.get(name), f"{name}: styles changed; see {tmp_path / name}.svg"
